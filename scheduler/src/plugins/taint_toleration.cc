#include "taint_toleration.h"

#include "aqueduct/core/scheduling/node_matching.h"

namespace aqueduct::scheduler {

std::string_view TaintToleration::filter(const CycleContext& ctx, const PodInfo& pod,
                                         std::size_t node) {
  const auto& taints = ctx.node(node).node->taints;
  if (taints.empty()) return {};
  const core::Taint* t = core::first_untolerated_taint(taints, pod.pod->tolerations, false);
  if (!t) return {};
  reason_ = "node(s) had untolerated taint {" + t->key + ": " + t->value + "}";
  return reason_;
}

std::int64_t TaintToleration::score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) {
  const auto& taints = ctx.node(node).node->taints;
  if (taints.empty()) return 0;
  return core::untolerated_prefer_no_schedule(taints, pod.pod->tolerations);
}

}  // namespace aqueduct::scheduler
