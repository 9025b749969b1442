// The cluster as the policies see it (core::ClusterView), built from API
// objects as the apiserver returns them: Nodes, Pods, Fluid Datasets and
// runtimes. Informer caches become a view through it, and the scheduler
// extender builds one per request from the nodes kube-scheduler sends.
// Where a dataset is cached comes from Fluid's node labels
// (fluid.io/s-<namespace>-<dataset>=true, put by the runtime controllers).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

// A v1 Node: name, labels, allocatable (cpu, memory, nvidia.com/gpu, pods),
// taints, arch (kubernetes.io/arch), zone and region (topology labels), and
// serverless kind (type=virtual-kubelet, or the virtual-kubelet taint).
core::Result<core::Node> node_from_json(const Json& node);

struct SnapshotInput {
  std::vector<Json> nodes, pods, datasets, runtimes;
  // More nodes, owned elsewhere (a request's body): read, not copied.
  std::vector<const Json*> node_refs;
};

class ClusterSnapshot final : public core::ClusterView {
 public:
  // Objects that cannot be read are left out, each with a warning naming it
  // and the field; nothing else fails.
  static std::unique_ptr<ClusterSnapshot> build(const SnapshotInput& in,
                                                std::vector<std::string>* warnings = nullptr);

  std::span<const core::NodeInfo> nodes() const override { return infos_; }
  std::span<const core::Pod* const> pending_pods() const override { return pending_; }
  std::span<const core::Dataset> datasets() const override { return datasets_; }
  std::span<const core::Runtime> runtimes() const override { return runtimes_; }
  std::span<const core::CacheState> cache_states() const override { return cache_states_; }
  std::size_t pods_with_affinity() const override { return pods_with_affinity_; }

  // A pod by "namespace/name" (pending or bound), or nullptr.
  const core::Pod* pod(std::string_view key) const;

 private:
  ClusterSnapshot() = default;
  std::vector<core::Node> node_models_;
  std::vector<core::NodeInfo> infos_;
  std::vector<std::unique_ptr<core::Pod>> pods_;
  std::vector<const core::Pod*> pending_;
  std::vector<core::Dataset> datasets_;
  std::vector<core::Runtime> runtimes_;
  std::vector<core::CacheState> cache_states_;
  std::size_t pods_with_affinity_ = 0;
};

}  // namespace aqueduct::k8s
