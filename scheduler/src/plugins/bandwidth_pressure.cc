#include "bandwidth_pressure.h"

#include <algorithm>

namespace aqueduct::scheduler {

std::int64_t BandwidthPressure::score(const CycleContext& ctx, const PodInfo& pod,
                                      std::size_t node) {
  if (pod.datasets.empty()) return 100;
  double u = ctx.node(node).io_utilization;
  if (node < placed_.size()) u += 0.1 * placed_[node];  // each pending reader adds an assumed 10%
  return static_cast<std::int64_t>(100.0 * (1.0 - std::clamp(u, 0.0, 1.0)));
}

void BandwidthPressure::reserve(const CycleContext& ctx, const PodInfo& pod, std::size_t node) {
  if (pod.datasets.empty()) return;
  if (placed_.size() != ctx.view->nodes().size()) placed_.assign(ctx.view->nodes().size(), 0);
  ++placed_[node];
}

void BandwidthPressure::unreserve(const CycleContext&, const PodInfo& pod, std::size_t node) {
  if (pod.datasets.empty() || node >= placed_.size()) return;
  placed_[node] = std::max(0, placed_[node] - 1);
}

}  // namespace aqueduct::scheduler
