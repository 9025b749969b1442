#include "cost_score.h"

namespace aqueduct::scheduler {

std::int64_t CostScore::score(const CycleContext& ctx, const PodInfo&, std::size_t node) {
  return static_cast<std::int64_t>(ctx.node(node).node->price_per_hour * 1000.0);
}

}  // namespace aqueduct::scheduler
