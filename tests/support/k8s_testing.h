// Helpers shared by the live adapters' tests: waiting for a condition with
// a deadline, an API client for the fake server, Fluid objects as JSON.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "aqueduct/k8s/api_client.h"
#include "support/fake_apiserver.h"

namespace aqueduct::testing {

// Collections of the fake API server, as FakeApiServer::put/get/list name them.
namespace collections {
inline constexpr const char* kNodes = "v1/nodes";
inline constexpr const char* kPods = "v1/pods";
inline constexpr const char* kDatasets = "data.fluid.io/v1alpha1/datasets";
inline constexpr const char* kJuiceFs = "data.fluid.io/v1alpha1/juicefsruntimes";
inline constexpr const char* kAlluxio = "data.fluid.io/v1alpha1/alluxioruntimes";
inline constexpr const char* kLoads = "data.fluid.io/v1alpha1/dataloads";
inline constexpr const char* kJobs = "batch/v1/jobs";
inline constexpr const char* kSts = "apps/v1/statefulsets";
inline constexpr const char* kDs = "apps/v1/daemonsets";
}  // namespace collections

// True as soon as f() is; false if it is still not after `limit`.
template <typename F>
bool eventually(F f, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

inline std::unique_ptr<k8s::ApiClient> client_for(const FakeApiServer& api,
                                                  const std::string& token = "") {
  k8s::ClusterConfig c;
  c.server = api.url();
  c.token = token;
  auto made = k8s::ApiClient::create(c);
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return made.ok() ? std::move(*made) : nullptr;
}

// A Dataset in "default" mounting oss://bucket/<name>, with the metaurl
// secret JuiceFS's FUSE template needs.
inline k8s::Json fluid_dataset(const std::string& name) {
  return k8s::Json{
      {"apiVersion", "data.fluid.io/v1alpha1"},
      {"kind", "Dataset"},
      {"metadata", {{"name", name}, {"namespace", "default"}}},
      {"spec",
       {{"mounts", k8s::Json::array(
                       {{{"mountPoint", "oss://bucket/" + name},
                         {"name", name},
                         {"encryptOptions",
                          k8s::Json::array({{{"name", "metaurl"},
                                             {"valueFrom",
                                              {{"secretKeyRef",
                                                {{"name", "jfs"}, {"key", "metaurl"}}}}}}})}}})}}}};
}

// `o.status.phase`, or "" when there is none.
inline std::string status_phase(const k8s::Json& o) {
  if (!o.is_object() || !o.contains("status") || !o["status"].is_object()) return "";
  return o["status"].value("phase", "");
}

}  // namespace aqueduct::testing
