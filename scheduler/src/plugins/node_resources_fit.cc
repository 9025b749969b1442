#include "node_resources_fit.h"

namespace aqueduct::scheduler {
namespace {
double share_left(std::int64_t cap, std::int64_t used, std::int64_t req) {
  if (cap <= 0) return 0;
  double left = static_cast<double>(cap - used - req) / static_cast<double>(cap);
  return left < 0 ? 0 : left;
}
}  // namespace

core::Result<std::unique_ptr<Plugin>> NodeResourcesFit::create(const PluginArgs& args) {
  auto p = std::make_unique<NodeResourcesFit>();
  for (const auto& [k, v] : args) {
    if (k != "strategy")
      return core::invalid_argument("unknown argument \"" + k + "\" (expected strategy)");
    if (v == "MostAllocated") {
      p->most_allocated_ = true;
    } else if (v != "LeastAllocated") {
      return core::invalid_argument("strategy: expected LeastAllocated or MostAllocated, got \"" +
                                    v + "\"");
    }
  }
  return std::unique_ptr<Plugin>(std::move(p));
}

std::string_view NodeResourcesFit::filter(const CycleContext& ctx, const PodInfo& pod,
                                          std::size_t node) {
  const core::Resources& cap = ctx.node(node).node->allocatable;
  const core::Resources& used = ctx.reserved[node];
  const core::Resources& req = pod.requests;
  // pod_count lives in NodeInfo; gang members reserve through `requested.pods`.
  if (used.pods + req.pods > cap.pods) return "Too many pods";
  if (used.cpu_milli + req.cpu_milli > cap.cpu_milli) return "Insufficient cpu";
  if (used.memory_bytes + req.memory_bytes > cap.memory_bytes) return "Insufficient memory";
  if (req.gpu_milli > 0 && used.gpu_milli + req.gpu_milli > cap.gpu_milli)
    return "Insufficient nvidia.com/gpu";
  return {};
}

std::int64_t NodeResourcesFit::score(const CycleContext& ctx, const PodInfo& pod,
                                     std::size_t node) {
  const core::Resources& cap = ctx.node(node).node->allocatable;
  const core::Resources& used = ctx.reserved[node];
  const core::Resources& req = pod.requests;
  double s = share_left(cap.cpu_milli, used.cpu_milli, req.cpu_milli) +
             share_left(cap.memory_bytes, used.memory_bytes, req.memory_bytes);
  int k = 2;
  if (cap.gpu_milli > 0) {
    s += share_left(cap.gpu_milli, used.gpu_milli, req.gpu_milli);
    ++k;
  }
  double left = s / k;
  return static_cast<std::int64_t>(100.0 * (most_allocated_ ? 1.0 - left : left));
}

}  // namespace aqueduct::scheduler
