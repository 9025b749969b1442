// The API client and informers against a real kube-apiserver (started by
// tests/k8s/e2e/run_e2e.py through scripts/control-plane.sh, which sets
// AQ_E2E_KUBECONFIG; the CRDs are applied first).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/informer.h"
#include "aqueduct/k8s/kubeconfig.h"

namespace aqueduct::k8s {
namespace {

using namespace std::chrono_literals;

class RealApi : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* kc = std::getenv("AQ_E2E_KUBECONFIG");
    if (!kc || !*kc) GTEST_SKIP() << "AQ_E2E_KUBECONFIG is not set (run tests/k8s/e2e/run_e2e.py)";
    auto cfg = load_kubeconfig(kc);
    ASSERT_TRUE(cfg.ok()) << cfg.status().to_string();
    auto c = ApiClient::create(*cfg);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    client = std::move(*c);
  }
  std::unique_ptr<ApiClient> client;
};

Json dataset(const std::string& name) {
  return Json{{"apiVersion", "data.fluid.io/v1alpha1"},
              {"kind", "Dataset"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", {{"mounts", Json::array({{{"mountPoint", "s3://bucket/" + name}}})}}}};
}

template <typename F>
bool eventually(F f, std::chrono::milliseconds limit = 10000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

TEST_F(RealApi, CrudStatusAndConflictsOnACustomResource) {
  const auto& ds = resources::datasets();
  (void)client->remove(ds.object("default", "e2e-crud"));
  auto made = client->create(ds.collection("default"), dataset("e2e-crud"));
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ(client->create(ds.collection("default"), dataset("e2e-crud")).status().code(),
            core::StatusCode::kAlreadyExists);
  Json stale = *made;
  auto patched = client->patch(ds.object("default", "e2e-crud"),
                               Json{{"metadata", {{"labels", {{"a", "b"}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.status().to_string();
  stale["metadata"]["labels"] = {{"a", "c"}};
  EXPECT_EQ(client->replace(ds.object("default", "e2e-crud"), stale).status().code(),
            core::StatusCode::kAborted);
  auto updated = client->update(ds.object("default", "e2e-crud"), [](Json& o) {
    o["metadata"]["labels"]["a"] = "d";
    return core::Status::ok();
  });
  ASSERT_TRUE(updated.ok()) << updated.status().to_string();
  auto st = client->patch(ds.object("default", "e2e-crud", "status"),
                          Json{{"status", {{"phase", "NotBound"}}}});
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_EQ((*st)["status"]["phase"], "NotBound");
  // The status subresource ignores spec, the main resource ignores status.
  auto main =
      client->patch(ds.object("default", "e2e-crud"), Json{{"status", {{"phase", "Bound"}}}});
  ASSERT_TRUE(main.ok());
  EXPECT_EQ((*main)["status"]["phase"], "NotBound");
  auto bad =
      client->create(ds.collection("default"),
                     Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                          {"kind", "Dataset"},
                          {"metadata", {{"name", "e2e-bad"}}},
                          {"spec", {{"mounts", Json::array({{{"name", "no-mount-point"}}})}}}});
  EXPECT_EQ(bad.status().code(), core::StatusCode::kInvalidArgument) << bad.status().to_string();
  EXPECT_NE(bad.status().message().find("mountPoint"), std::string::npos) << bad.status().message();
  ASSERT_TRUE(client->remove(ds.object("default", "e2e-crud")).is_ok());
}

TEST_F(RealApi, ScaleSubresourceOfARuntime) {
  auto rt = resources::runtime("JuiceFSRuntime");
  ASSERT_TRUE(rt.ok());
  (void)client->remove(rt->object("default", "e2e-scale"));
  auto made =
      client->create(rt->collection("default"), Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                                                     {"kind", "JuiceFSRuntime"},
                                                     {"metadata", {{"name", "e2e-scale"}}},
                                                     {"spec", {{"replicas", 5}}}});
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  auto scale = client->get(rt->object("default", "e2e-scale", "scale"));
  ASSERT_TRUE(scale.ok()) << scale.status().to_string();
  EXPECT_EQ((*scale)["spec"]["replicas"], 5);
  auto scaled =
      client->patch(rt->object("default", "e2e-scale", "scale"), Json{{"spec", {{"replicas", 2}}}});
  ASSERT_TRUE(scaled.ok()) << scaled.status().to_string();
  auto now = client->get(rt->object("default", "e2e-scale"));
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)["spec"]["replicas"], 2);
  ASSERT_TRUE(client->remove(rt->object("default", "e2e-scale")).is_ok());
}

TEST_F(RealApi, InformerFollowsCreatesUpdatesDeletesAndBindings) {
  Informer datasets(*client, resources::datasets().collection());
  std::mutex mu;
  std::vector<std::string> seen;
  datasets.add_handler([&](ChangeType t, const Json& o, const Json*) {
    if (key_of(o).rfind("default/e2e-inf", 0) != 0) return;
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(std::string(t == ChangeType::kAdded     ? "add"
                               : t == ChangeType::kUpdated ? "update"
                                                           : "delete") +
                   " " + key_of(o));
  });
  datasets.start();
  ASSERT_TRUE(datasets.wait_synced(10s));
  const auto& ds = resources::datasets();
  ASSERT_TRUE(client->create(ds.collection("default"), dataset("e2e-inf")).ok());
  ASSERT_TRUE(
      client->patch(ds.object("default", "e2e-inf"), Json{{"metadata", {{"labels", {{"x", "1"}}}}}})
          .ok());
  ASSERT_TRUE(client->remove(ds.object("default", "e2e-inf")).is_ok());
  EXPECT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size() >= 3;
  }));
  datasets.stop();
  EXPECT_EQ(seen, (std::vector<std::string>{"add default/e2e-inf", "update default/e2e-inf",
                                            "delete default/e2e-inf"}));

  // A pod bound through the binding subresource, seen by a pod informer.
  Informer pods(*client, resources::pods().collection("default"));
  pods.start();
  ASSERT_TRUE(pods.wait_synced(10s));
  (void)client->remove(resources::pods().object("default", "e2e-bind"));
  ASSERT_TRUE(eventually([&] { return !pods.get("default/e2e-bind").has_value(); }));
  auto pod = client->create(
      resources::pods().collection("default"),
      Json{{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata", {{"name", "e2e-bind"}}},
           {"spec",
            {{"schedulerName", "none"},
             {"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}});
  ASSERT_TRUE(pod.ok()) << pod.status().to_string();
  auto bound = client->create(
      resources::pods().object("default", "e2e-bind", "binding"),
      Json{{"apiVersion", "v1"},
           {"kind", "Binding"},
           {"metadata", {{"name", "e2e-bind"}}},
           {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-a"}}}});
  ASSERT_TRUE(bound.ok()) << bound.status().to_string();
  ASSERT_TRUE(eventually([&] {
    auto p = pods.get("default/e2e-bind");
    return p && (*p)["spec"].value("nodeName", "") == "node-a";
  }));
  pods.stop();
  Json del{{"gracePeriodSeconds", 0}};
  (void)client->request("DELETE", resources::pods().object("default", "e2e-bind"), del.dump());
}

}  // namespace
}  // namespace aqueduct::k8s
