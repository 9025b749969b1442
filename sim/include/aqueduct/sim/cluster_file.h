// A cluster state written down (docs/scheduling.md): nodes (listed or from
// pools), what is already allocated on them, where cache workers run and how
// much of each dataset they hold, and the scheduler profile to use. Loaded by
// `aqueduct schedule` and usable in tests. StaticCluster serves it as a
// ClusterView and takes binds as an ActionSink (placements accumulate).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_affinity.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/ports.h"
#include "aqueduct/scheduler/framework.h"

namespace aqueduct::sim {

struct CacheWorkerSpec {
  std::string node;
  std::int64_t cached_bytes = 0;  // of this dataset
  std::int64_t memory_bytes = 0;  // tier capacities (for Fluid's capacity labels)
  std::int64_t disk_bytes = 0;
};

struct DatasetCacheSpec {
  std::string ns = "default";
  std::string name;
  core::RuntimeEngine engine = core::RuntimeEngine::kAlluxio;
  core::PlacementMode placement = core::PlacementMode::kExclusive;
  std::vector<CacheWorkerSpec> workers;
};

struct ClusterFile {
  std::string name;
  std::vector<core::Node> nodes;           // sorted by name, Fluid labels applied
  std::vector<core::Resources> allocated;  // per node
  std::vector<DatasetCacheSpec> caches;
  scheduler::Profile profile = scheduler::default_profile();
  std::string injection = "none";
  core::TieredLocality tiered_locality;
};

// Unknown fields are errors unless options.lenient.
core::Result<ClusterFile> load_cluster_file(const std::string& path, core::Diagnostics& diags,
                                            const core::LoadOptions& options = {});
// The same from text already read; `path` names it in messages.
core::Result<ClusterFile> load_cluster_yaml(const std::string& text, const std::string& path,
                                            core::Diagnostics& diags,
                                            const core::LoadOptions& options = {});

class StaticCluster final : public core::ClusterView, public core::ActionSink {
 public:
  // `objects` supplies Datasets (pods' claims resolve against them); datasets
  // named only in the cluster's cache section are added.
  StaticCluster(ClusterFile file, const core::FluidObjects& objects);

  std::span<const core::NodeInfo> nodes() const override { return infos_; }
  std::span<const core::Pod* const> pending_pods() const override { return {}; }
  std::span<const core::Dataset> datasets() const override { return datasets_; }
  std::span<const core::Runtime> runtimes() const override { return runtimes_; }
  std::span<const core::CacheState> cache_states() const override { return cache_; }
  std::size_t pods_with_affinity() const override { return pods_with_affinity_; }

  core::Status bind(std::string_view pod_key, std::string_view node_name) override;
  core::Status patch_pod(std::string_view, const core::Pod&) override { return core::Status::ok(); }
  core::Status scale_runtime(std::string_view, std::int32_t) override;
  core::Status place_cache_worker(std::string_view, std::string_view) override;
  core::Status remove_cache_worker(std::string_view, std::string_view) override;
  core::Status start_data_load(const core::DataLoad&) override;

  // Registers a pod (its requests, labels and terms) for the next bind of that key.
  void expect(const core::Pod& pod) { pending_[core::object_key(pod.meta)] = pod; }
  // What Fluid's webhook would inject into `pod` given this cluster's caches.
  core::Pod inject(const core::Pod& pod) const;
  const ClusterFile& file() const { return file_; }

 private:
  ClusterFile file_;
  std::vector<core::NodeInfo> infos_;
  std::vector<core::Dataset> datasets_;
  std::vector<core::Runtime> runtimes_;
  std::vector<core::CacheState> cache_;
  std::map<std::string, core::Pod> pending_;
  std::deque<core::Pod> bound_;  // pods bound so far (stable addresses for NodeInfo::pods)
  std::size_t pods_with_affinity_ = 0;
};

}  // namespace aqueduct::sim
