// NodeResourcesBalancedAllocation (kube-scheduler): prefer nodes whose cpu,
// memory (and GPU) utilizations after placement are close to each other:
// score = (1 - standard deviation of the fractions) * 100.
#pragma once
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class BalancedAllocation final : public Plugin {
 public:
  std::string_view name() const override { return "NodeResourcesBalancedAllocation"; }
  std::uint32_t points() const override { return kScore; }
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
};

}  // namespace aqueduct::scheduler
