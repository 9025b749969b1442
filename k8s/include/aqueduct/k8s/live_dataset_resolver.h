// Dataset lookups for pod injection from the cluster itself: informers on
// Datasets and runtimes, the bindings rebuilt (by runtime-adapters/) when any
// of them changed. The admission webhook uses it instead of --objects files.
// A dataset or runtime that cannot be read is left out with a log line, so
// one bad object does not stop injection for the others.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

class LiveDatasetResolver {
 public:
  LiveDatasetResolver(ApiClient& client, const std::vector<std::string>& runtime_kinds);
  ~LiveDatasetResolver();
  void start();
  bool wait_synced(std::chrono::milliseconds timeout);
  void stop();
  // A resolver reading the current bindings; valid while this object lives.
  core::DatasetResolver resolver();

 private:
  std::shared_ptr<const core::DatasetResolver> current();
  core::Logger log_;
  std::unique_ptr<Informer> datasets_;
  std::vector<std::pair<std::string, std::unique_ptr<Informer>>> runtimes_;
  std::unique_ptr<Informer> profiles_;  // ThinRuntimeProfiles, when ThinRuntime is resolved
  std::atomic<bool> dirty_{true};
  std::mutex mu_;
  std::shared_ptr<const core::DatasetResolver> resolver_;
};

}  // namespace aqueduct::k8s
