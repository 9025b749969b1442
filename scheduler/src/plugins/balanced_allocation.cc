#include "balanced_allocation.h"

#include <algorithm>
#include <cmath>

namespace aqueduct::scheduler {

std::int64_t BalancedAllocation::score(const CycleContext& ctx, const PodInfo& pod,
                                       std::size_t node) {
  const core::Resources& cap = ctx.node(node).node->allocatable;
  const core::Resources& used = ctx.reserved[node];
  auto frac = [](std::int64_t c, std::int64_t u, std::int64_t r) {
    return c > 0 ? std::min(1.0, static_cast<double>(u + r) / static_cast<double>(c)) : 0.0;
  };
  double f[3];
  int k = 0;
  f[k++] = frac(cap.cpu_milli, used.cpu_milli, pod.requests.cpu_milli);
  f[k++] = frac(cap.memory_bytes, used.memory_bytes, pod.requests.memory_bytes);
  if (cap.gpu_milli > 0) f[k++] = frac(cap.gpu_milli, used.gpu_milli, pod.requests.gpu_milli);
  double mean = 0;
  for (int i = 0; i < k; ++i) mean += f[i];
  mean /= k;
  double var = 0;
  for (int i = 0; i < k; ++i) var += (f[i] - mean) * (f[i] - mean);
  double sd = std::sqrt(var / k);
  return static_cast<std::int64_t>((1.0 - sd) * 100.0);
}

}  // namespace aqueduct::scheduler
