// PodTopologySpread (kube-scheduler 1.20): the pod's topologySpreadConstraints.
//  Filter (DoNotSchedule constraints): among the nodes that match the pod's
//    nodeSelector and required node affinity and carry every constraint's
//    topology key, count the pods in the pod's namespace matching each
//    constraint's selector per domain; a node passes when its domain's count,
//    plus one if the pod matches the selector itself, exceeds the smallest
//    domain's count by at most maxSkew. Nodes without a key fail.
//  Score (ScheduleAnyway constraints): fewer matching pods in the node's
//    domains is better; each constraint's count is weighted by log(number of
//    domains + 2) and offset by maxSkew - 1; nodes without every key score 0,
//    the others are mapped to 100 * (max + min - score) / max.
// Constraints that kube-scheduler derives for pods without any (its system
// defaults from Services and ReplicaSets) are not derived: this model has no
// Services.
#pragma once

#include <set>
#include <vector>

#include "aqueduct/scheduler/plugin.h"
#include "topology_pairs.h"

namespace aqueduct::scheduler {

class PodTopologySpread final : public Plugin {
 public:
  std::string_view name() const override { return "PodTopologySpread"; }
  std::uint32_t points() const override { return kPreFilter | kFilter | kScore; }
  std::string pre_filter(const CycleContext& ctx, const PodInfo& pod,
                         std::vector<std::size_t>& hint) override;
  std::string_view filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void pre_score(const CycleContext& ctx, const PodInfo& pod,
                 std::span<const std::size_t> feasible) override;
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void normalize(std::span<std::int64_t> scores) override;

 private:
  // PreFilter state.
  std::vector<const core::TopologySpreadConstraint*> hard_;
  TopologyCounts hard_counts_;
  std::map<std::string, std::int64_t> min_count_;  // per topology key
  // PreScore state.
  std::vector<const core::TopologySpreadConstraint*> soft_;
  TopologyCounts soft_counts_;
  std::vector<double> soft_weight_;
  std::set<std::size_t> ignored_;
};

}  // namespace aqueduct::scheduler
