// The informers a live policy needs: Nodes, Pods, Fluid Datasets and the
// runtimes (one informer per runtime kind), started together; their caches
// become the input of a ClusterSnapshot (a core::ClusterView).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aqueduct/k8s/cluster_snapshot.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

class ClusterInformers {
 public:
  // `runtime_kinds`: e.g. {"JuiceFSRuntime", "AlluxioRuntime"}; unknown kinds are errors.
  static core::Result<std::unique_ptr<ClusterInformers>> create(
      ApiClient& client, const std::vector<std::string>& runtime_kinds);
  void start();
  void stop();
  bool wait_synced(std::chrono::milliseconds timeout);
  SnapshotInput snapshot_input() const;
  Informer& nodes() { return *nodes_; }
  Informer& pods() { return *pods_; }
  Informer& datasets() { return *datasets_; }

 private:
  ClusterInformers() = default;
  std::unique_ptr<Informer> nodes_, pods_, datasets_;
  std::vector<std::pair<std::string, std::unique_ptr<Informer>>> runtimes_;  // by kind
};

// Every runtime kind the CRDs in k8s/manifests/crds define.
std::vector<std::string> all_runtime_kinds();

}  // namespace aqueduct::k8s
