// Scheduler plugins, modeled on the kube-scheduler framework: one Plugin type
// with an entry per extension point it implements (points()):
//   PreFilter  once per pod: prepare state, reject the pod outright, or hint
//              nodes to evaluate first (e.g. the nodes caching its data);
//   Filter     per node: "" when the pod fits, else a Kubernetes-style reason
//              ("Insufficient cpu"); "does not fit" is a result, not an error;
//              several reasons are separated by '\n' (each is counted, as a
//              kube-scheduler Status with several reasons);
//   PreScore   once per pod, with the feasible nodes, before Score;
//   Score      per feasible node: a raw score; NormalizeScore maps the raw
//              scores of all feasible nodes into 0..100 (default: clamp);
//   Reserve / Unreserve  when a node is chosen / the choice is rolled back.
// Plugins read the cycle's ClusterView snapshot and never act on the cluster;
// the framework binds through the ActionSink.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/core/registry.h"

namespace aqueduct::scheduler {

enum ExtensionPoint : std::uint32_t {
  kPreFilter = 1,
  kFilter = 2,
  kScore = 4,
  kReserve = 8,
};

// What the framework knows about the pod being scheduled, computed once per cycle.
struct PodInfo {
  const core::Pod* pod = nullptr;
  core::Resources requests;
  // Indexes into view.datasets() of the datasets the pod mounts (PVC claim name
  // equal to a Dataset in the pod's namespace), in volume order.
  std::vector<std::size_t> datasets;
};

// A pod placed earlier in the same round (an earlier pod of the same gang):
// not bound yet, so not in NodeInfo::pods, but counted as if it were.
struct ReservedPod {
  std::size_t node = 0;
  const core::Pod* pod = nullptr;
};

// The state of one scheduling cycle: the snapshot and what is reserved on each
// node so far (bound pods plus earlier pods of the same gang).
struct CycleContext {
  const core::ClusterView* view = nullptr;
  std::span<const core::Resources> reserved;
  std::span<const ReservedPod> reserved_pods;
  const core::NodeInfo& node(std::size_t i) const { return view->nodes()[i]; }
  // Calls fn(pod) for each pod on node i: bound ones, then reserved ones.
  template <typename Fn>
  void for_each_pod(std::size_t i, Fn&& fn) const {
    for (const core::Pod* p : view->nodes()[i].pods) fn(*p);
    for (const auto& r : reserved_pods) {
      if (r.node == i) fn(*r.pod);
    }
  }
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view name() const = 0;
  // Bitwise OR of the ExtensionPoints implemented.
  virtual std::uint32_t points() const = 0;

  // Returns a reason to reject the pod on every node, or "". May append node
  // indexes to `hint` that are worth evaluating before the others.
  virtual std::string pre_filter(const CycleContext&, const PodInfo&,
                                 std::vector<std::size_t>& hint) {
    (void)hint;
    return "";
  }
  // "" when the pod fits the node; else the reason. The view is valid until the next call.
  virtual std::string_view filter(const CycleContext&, const PodInfo&, std::size_t node) {
    (void)node;
    return {};
  }
  // Called with the feasible nodes before the first score() of a pod.
  virtual void pre_score(const CycleContext&, const PodInfo&,
                         std::span<const std::size_t> feasible) {
    (void)feasible;
  }
  virtual std::int64_t score(const CycleContext&, const PodInfo&, std::size_t node) {
    (void)node;
    return 0;
  }
  // Maps raw scores into [0, 100] in place. The default clamps.
  virtual void normalize(std::span<std::int64_t> scores);
  // Called once at the start of each Framework::place (a pod or a gang): state
  // kept for "this round" (e.g. reservations not yet visible in the view) resets here.
  virtual void begin_round() {}
  virtual void reserve(const CycleContext&, const PodInfo&, std::size_t node) { (void)node; }
  virtual void unreserve(const CycleContext&, const PodInfo&, std::size_t node) { (void)node; }
};

// Plugin arguments as written in the profile (`args: {strategy: MostAllocated}`);
// each factory parses and validates its own and refuses bad ones with a Status.
using PluginArgs = std::map<std::string, std::string>;
using PluginRegistry = core::Registry<Plugin, const PluginArgs&>;

// Every built-in plugin, by its kube-scheduler-style name.
PluginRegistry builtin_plugins();

// Normalizations shared by plugins: score * 100 / max (kube's DefaultNormalizeScore),
// optionally reversed (100 - that).
void normalize_by_max(std::span<std::int64_t> scores, bool reverse);

}  // namespace aqueduct::scheduler
