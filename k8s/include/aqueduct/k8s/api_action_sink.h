// core::ActionSink on a live cluster: what policies ask for becomes API calls.
//   bind               -> POST pods/<name>/binding (what kube-scheduler does)
//   scale_runtime      -> the runtime's scale subresource (its controller scales the workers)
//   start_data_load    -> a DataLoad object (the DataLoad controller runs it)
//   patch_pod          -> FailedPrecondition: live pods are changed at admission (the webhook)
//   place/remove_cache_worker -> FailedPrecondition: live workers are placed by their
//                        StatefulSet and kube-scheduler; scale the runtime instead
// As in the simulator, effects show up in a later view (the informers').
#pragma once

#include <string>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/k8s/api_client.h"

namespace aqueduct::k8s {

class ApiActionSink final : public core::ActionSink {
 public:
  // `runtime_kinds`: where scale_runtime looks for a runtime by "namespace/name".
  ApiActionSink(ApiClient& client, std::vector<std::string> runtime_kinds);
  core::Status bind(std::string_view pod_key, std::string_view node_name) override;
  core::Status patch_pod(std::string_view pod_key, const core::Pod& mutated) override;
  core::Status scale_runtime(std::string_view runtime_key, std::int32_t replicas) override;
  core::Status place_cache_worker(std::string_view runtime_key, std::string_view node) override;
  core::Status remove_cache_worker(std::string_view runtime_key, std::string_view node) override;
  core::Status start_data_load(const core::DataLoad& load) override;

 private:
  ApiClient& client_;
  std::vector<std::string> kinds_;
};

// A DataLoad model as the data.fluid.io/v1alpha1 object.
Json dataload_to_json(const core::DataLoad& load);

}  // namespace aqueduct::k8s
