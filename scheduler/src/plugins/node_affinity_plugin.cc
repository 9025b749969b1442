#include "node_affinity_plugin.h"

#include "aqueduct/core/scheduling/node_matching.h"

namespace aqueduct::scheduler {

std::string_view NodeAffinityPlugin::filter(const CycleContext& ctx, const PodInfo& pod,
                                            std::size_t node) {
  if (core::pod_node_selection_matches(*pod.pod, *ctx.node(node).node)) return {};
  return "node(s) didn't match Pod's node affinity/selector";
}

std::int64_t NodeAffinityPlugin::score(const CycleContext& ctx, const PodInfo& pod,
                                       std::size_t node) {
  if (pod.pod->node_affinity.preferred.empty()) return 0;
  return core::preferred_affinity_score(pod.pod->node_affinity, *ctx.node(node).node);
}

}  // namespace aqueduct::scheduler
