// The scheduling framework: runs a profile's plugins over a ClusterView for a
// pod or a gang (all pods of a job or none), records per-plugin rejections and
// (with a stopwatch) time, and binds through the ActionSink. As kube-scheduler
// does, it stops filtering once it has found enough feasible nodes
// (percentageOfNodesToScore; adaptive by default: 50% - nodes/125, at least 5%
// and 100 nodes), starting where the previous cycle stopped; nodes hinted by
// PreFilter plugins are evaluated first. Ties between best nodes are broken
// at random, as kube-scheduler's selectHost does, from a generator seeded at
// creation, so results are deterministic for a seed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/core/status.h"
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

struct PluginConfig {
  std::string name;
  std::int64_t weight = 1;  // score weight (ignored for plugins without Score)
  PluginArgs args;
};

struct Profile {
  std::string name = "default";
  std::vector<PluginConfig> plugins;
  // 0: adaptive (kube's default); 1..100: that share of the nodes.
  int percentage_of_nodes_to_score = 0;
};

// kube-scheduler's default plugin set (weights of 1.23 onwards) in our terms:
// NodeResourcesFit (LeastAllocated) 1, NodeAffinity 2, TaintToleration 3,
// NodeResourcesBalancedAllocation 1, InterPodAffinity 2, PodTopologySpread 2,
// NodeArch.
Profile default_profile();
// Named presets: "default" (= "least-allocated"), "most-allocated", "data-aware"
// (default + DataLocality 5 + BandwidthPressure 1 + Cost 1), "kube-1.20" (the
// default plugins with kube-scheduler 1.20's weights: PodTopologySpread 2,
// every other 1).
core::Result<Profile> preset_profile(std::string_view name);
std::vector<std::string> preset_names();

struct PluginStats {
  std::string name;
  std::uint64_t rejections = 0;  // nodes this plugin filtered out
  std::uint64_t calls = 0;
  std::uint64_t nanos = 0;  // with a stopwatch only
};

struct NodeScore {
  std::size_t node = 0;
  std::int64_t total = 0;
  std::vector<std::int64_t> by_plugin;  // normalized, before weights; profile score-plugin order
};

struct PodDecision {
  bool placed = false;
  std::size_t node = core::kNoNode;
  // When not placed: "0/50 nodes are available: 30 Insufficient cpu, 20 node(s) ...".
  std::string reason;
  // With explain: every scored node, best first.
  std::vector<NodeScore> scores;
};

struct GangDecision {
  bool placed = false;
  std::vector<std::size_t> nodes;  // one per pod
  std::string reason;
  std::vector<PodDecision> pods;  // per pod (explain data)
};

class Framework {
 public:
  // Returns nanoseconds from any monotonic source; only used for statistics.
  using Stopwatch = std::function<std::uint64_t()>;

  static core::Result<std::unique_ptr<Framework>> create(const Profile& profile,
                                                         const PluginRegistry& registry,
                                                         Stopwatch stopwatch = nullptr,
                                                         std::uint64_t tie_seed = 0);

  // Places a gang: all pods or none. Nothing is bound; reservations made
  // during the attempt are rolled back (Unreserve) when it fails.
  GangDecision place(const core::ClusterView& view, std::span<const core::Pod* const> pods,
                     bool explain = false);
  // Binds each pod of a placed gang through the sink (pod keys "ns/name");
  // on a failed bind, unreserves and returns the error.
  core::Status bind(core::ActionSink& sink, const core::ClusterView& view,
                    std::span<const core::Pod* const> pods, const GangDecision& d);

  // Nodes that pass PreFilter and every Filter for `pod`, given what is
  // reserved on each node; no sampling (for batch placement).
  std::vector<std::size_t> feasible_nodes(const core::ClusterView& view,
                                          std::span<const core::Resources> reserved,
                                          const core::Pod& pod);

  // For every node: why `pod` cannot run there ("" when it can) and, for
  // those where it can, the weighted total of the normalized scores (0
  // elsewhere). No sampling, nothing reserved: what a kube-scheduler
  // extender answers to filter and prioritize.
  struct NodeVerdicts {
    std::vector<std::string> reasons;
    std::vector<std::int64_t> scores;
  };
  NodeVerdicts evaluate(const core::ClusterView& view, const core::Pod& pod);

  const Profile& profile() const { return profile_; }
  std::span<const PluginStats> stats() const { return stats_; }
  std::vector<std::string> score_plugin_names() const;

 private:
  Framework() = default;
  PodDecision place_one(const CycleContext& ctx, const PodInfo& info, bool explain);
  PodInfo pod_info(const core::ClusterView& view, const core::Pod& pod) const;
  std::size_t nodes_to_find(std::size_t all) const;

  Profile profile_;
  Stopwatch stopwatch_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::vector<PluginStats> stats_;
  std::vector<std::size_t> pre_filter_, filter_, score_, reserve_;  // indexes into plugins_
  std::vector<std::int64_t> weights_;                               // per plugin
  std::size_t next_start_ = 0;
  std::uint64_t tie_state_ = 0;  // splitmix64 state for tie breaking
  std::uint64_t next_random();
  // Scratch reused across cycles (no allocation per node).
  std::vector<std::uint32_t> visited_;
  std::uint32_t epoch_ = 0;
  std::vector<std::size_t> feasible_;
  std::vector<std::int64_t> raw_;
};

}  // namespace aqueduct::scheduler
