// InterPodAffinity (kube-scheduler 1.20): pods placed by the labels of the pods
// already running in each topology domain.
//  Filter: the pod's required affinity terms must all find a matching pod in
//    the node's domain (or, when no pod anywhere matches, the pod matches its
//    own terms: the first pod of a group); no pod matching one of its
//    required anti-affinity terms may run in the node's domain; and no pod in
//    the node's domains may hold a required anti-affinity term the pod
//    matches.
//  Score: per domain, + the weights of the pod's preferred affinity terms that
//    running pods match, - those of its preferred anti-affinity terms, and the
//    same for the running pods' terms that the pod matches (their required
//    affinity terms with hardPodAffinityWeight, default 1); normalized over
//    the feasible nodes from the lowest (0, or below) to the highest score.
// Arguments: hardPodAffinityWeight (0..100, default 1).
#pragma once

#include <map>
#include <string>

#include "aqueduct/scheduler/plugin.h"
#include "topology_pairs.h"

namespace aqueduct::scheduler {

class InterPodAffinity final : public Plugin {
 public:
  static core::Result<std::unique_ptr<Plugin>> create(const PluginArgs& args);
  std::string_view name() const override { return "InterPodAffinity"; }
  std::uint32_t points() const override { return kPreFilter | kFilter | kScore; }
  std::string pre_filter(const CycleContext& ctx, const PodInfo& pod,
                         std::vector<std::size_t>& hint) override;
  std::string_view filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void pre_score(const CycleContext& ctx, const PodInfo& pod,
                 std::span<const std::size_t> feasible) override;
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void normalize(std::span<std::int64_t> scores) override;

 private:
  std::int64_t hard_weight_ = 1;
  // PreFilter state: domains of running pods whose required anti-affinity the
  // pod matches; domains holding pods that match all of the pod's required
  // affinity terms; domains holding pods its required anti-affinity matches.
  TopologyCounts existing_anti_, affinity_, anti_;
  // PreScore state: topology key -> value -> score.
  std::map<std::string, std::map<std::string, std::int64_t>> topology_score_;
};

}  // namespace aqueduct::scheduler
