// The node affinity Fluid's webhook plugins inject into application pods, as
// pure Pod -> Pod functions (the webhook serializes the result as a JSON
// patch; the simulator applies it to its pod model):
//  - NodeAffinityWithCache: tiered locality. For each dataset the pod mounts
//    that has a runtime: datasets labelled `fluid.io/dataset.<name>.sched=required`
//    get required terms, the others preferred terms. The locality name
//    `fluid.io/node` becomes `fluid.io/s-<ns>-<dataset> In [true]`, `fluid.io/fuse`
//    becomes `fluid.io/f-<ns>-<dataset> In [true]`, any other name (zone, region)
//    is taken from the runtime's cache affinity (where its workers run). Pods
//    that already name a locality key are left alone.
//  - PreferNodesWithoutCache: pods without datasets prefer (weight 100) nodes
//    without `fluid.io/dataset-num`.
//  - RequireNodeWithFuse: the runtime's fuse nodeSelector becomes a required term.
//  - The merge of new required terms into existing ones: when the pod has
//    non-empty terms, the result is every non-empty existing term AND every
//    non-empty new term (ORed); otherwise the non-empty new terms.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

struct TieredLocality {
  // Fluid's defaults (charts/fluid webhook-plugins tieredLocality).
  std::vector<std::pair<std::string, std::int32_t>> preferred = {
      {"fluid.io/node", 100},
      {"topology.kubernetes.io/zone", 50},
      {"topology.kubernetes.io/region", 20}};
  std::vector<std::string> required = {"fluid.io/node"};

  std::set<std::string> names() const;
};

// A dataset mounted by the pod, with what injection needs to know of its runtime.
struct MountedDataset {
  std::string ns;
  std::string name;
  bool has_runtime = false;
  // Where the runtime's workers run, as required node-selector terms
  // (Fluid's status.cacheAffinity), e.g. {topology.kubernetes.io/zone In [z1, z2]}.
  std::vector<NodeSelectorTerm> cache_affinity;
  std::map<std::string, std::string> fuse_node_selector;
};

// Dataset names the pod marks `fluid.io/dataset.<name>.sched=required`.
std::set<std::string> required_dataset_names(const Pod& pod);
bool has_locality_affinity(const Pod& pod, const TieredLocality& tl);

void inject_required_terms(const std::vector<NodeSelectorTerm>& terms, Pod& pod);
void inject_preferred_terms(const std::vector<PreferredSchedulingTerm>& terms, Pod& pod);

// The three plugins. Each returns whether it changed the pod.
bool node_affinity_with_cache(Pod& pod, std::span<const MountedDataset> datasets,
                              const TieredLocality& tl);
bool prefer_nodes_without_cache(Pod& pod);
bool require_node_with_fuse(Pod& pod, std::span<const MountedDataset> datasets);

// The cache affinity of a runtime whose workers run on `worker_nodes`: one
// term per locality key, In the sorted distinct label values of those nodes.
std::vector<NodeSelectorTerm> cache_affinity_from_nodes(std::span<const Node* const> worker_nodes,
                                                        const std::vector<std::string>& keys);

}  // namespace aqueduct::core
