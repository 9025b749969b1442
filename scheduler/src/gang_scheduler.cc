#include "aqueduct/scheduler/gang_scheduler.h"

#include <algorithm>

namespace aqueduct::scheduler {
namespace {

bool tolerates(const core::Pod& pod, const core::Taint& t) {
  for (const auto& tol : pod.tolerations) {
    if (!tol.effect.empty() && tol.effect != core::taint_effect_name(t.effect)) continue;
    if (tol.op == "Exists" && (tol.key.empty() || tol.key == t.key)) return true;
    if (tol.op == "Equal" && tol.key == t.key && tol.value == t.value) return true;
  }
  return false;
}

// Share of a resource left free after placing `req`, in [0, 1].
double free_share(std::int64_t cap, std::int64_t used, std::int64_t req) {
  if (cap <= 0) return 0;
  return static_cast<double>(cap - used - req) / static_cast<double>(cap);
}

// kube's NodeResourcesLeastAllocated/MostAllocated score (0..100) over cpu,
// memory and, on GPU nodes, GPU.
double allocation_score(const core::Node& n, const core::Resources& used,
                        const core::Resources& req, bool least) {
  double s = free_share(n.allocatable.cpu_milli, used.cpu_milli, req.cpu_milli) +
             free_share(n.allocatable.memory_bytes, used.memory_bytes, req.memory_bytes);
  int k = 2;
  if (n.allocatable.gpu_milli > 0) {
    s += free_share(n.allocatable.gpu_milli, used.gpu_milli, req.gpu_milli);
    ++k;
  }
  double free = s / k;
  return 100.0 * (least ? free : 1.0 - free);
}

class AllocationScheduler final : public GangScheduler {
 public:
  explicit AllocationScheduler(bool least) : least_(least) {}
  std::string_view name() const override { return least_ ? "least-allocated" : "most-allocated"; }

  GangDecision place(const core::ClusterView& view,
                     std::span<const core::Pod* const> pods) override {
    GangDecision d;
    auto nodes = view.nodes();
    std::vector<core::Resources> reserved(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) reserved[i] = nodes[i].requested;
    for (const core::Pod* pod : pods) {
      core::Resources req = pod->requests();
      std::map<std::string, int> reasons;
      double best = -1;
      std::size_t best_i = nodes.size();
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        std::string why = filter_node(*nodes[i].node, reserved[i], *pod);
        if (!why.empty()) {
          ++reasons[why];
          continue;
        }
        double s = allocation_score(*nodes[i].node, reserved[i], req, least_);
        if (s > best) {  // ties keep the first node in name order: deterministic
          best = s;
          best_i = i;
        }
      }
      if (best_i == nodes.size()) {
        d.placed = false;
        d.node_indexes.clear();
        d.reason = "0/" + std::to_string(nodes.size()) + " nodes are available";
        std::string sep = ": ";
        for (const auto& [why, count] : reasons) {
          d.reason += sep + std::to_string(count) + " " + why;
          sep = ", ";
        }
        d.reason += ".";
        if (pods.size() > 1) d.reason += " (gang of " + std::to_string(pods.size()) + " pods)";
        return d;
      }
      reserved[best_i] += req;
      d.node_indexes.push_back(best_i);
    }
    d.placed = true;
    return d;
  }

 private:
  bool least_;
};

}  // namespace

std::string filter_node(const core::Node& node, const core::Resources& requested,
                        const core::Pod& pod) {
  core::Resources req = pod.requests();
  core::Resources free = node.allocatable - requested;
  if (req.pods > free.pods) return "Too many pods";
  if (req.cpu_milli > free.cpu_milli) return "Insufficient cpu";
  if (req.memory_bytes > free.memory_bytes) return "Insufficient memory";
  if (req.gpu_milli > free.gpu_milli) return "Insufficient nvidia.com/gpu";
  for (const auto& [k, v] : pod.node_selector) {
    auto it = node.meta.labels.find(k);
    if (it == node.meta.labels.end() || it->second != v) {
      return "node(s) didn't match Pod's node affinity/selector";
    }
  }
  for (const auto& t : node.taints) {
    if (t.effect == core::TaintEffect::kPreferNoSchedule) continue;
    if (!tolerates(pod, t)) return "node(s) had untolerated taint {" + t.key + ": " + t.value + "}";
  }
  if (!pod.image_arches.empty() && std::find(pod.image_arches.begin(), pod.image_arches.end(),
                                             node.arch) == pod.image_arches.end()) {
    return std::string("node(s) had arch ") + core::arch_name(node.arch) +
           " that the pod's images do not support";
  }
  return "";
}

SchedulerRegistry builtin_schedulers() {
  SchedulerRegistry r("scheduler");
  r.add("least-allocated", "spread: prefer nodes with the most free cpu/memory/GPU share",
        []() -> core::Result<std::unique_ptr<GangScheduler>> {
          return std::unique_ptr<GangScheduler>(new AllocationScheduler(true));
        });
  r.add("most-allocated", "bin packing: prefer the fullest node that fits",
        []() -> core::Result<std::unique_ptr<GangScheduler>> {
          return std::unique_ptr<GangScheduler>(new AllocationScheduler(false));
        });
  return r;
}

}  // namespace aqueduct::scheduler
