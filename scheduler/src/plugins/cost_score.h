// Cost: prefer cheaper nodes (ECS vs ECI, spot vs on-demand): the node's
// price per hour, lower is better, normalized by the dearest feasible node.
#pragma once
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class CostScore final : public Plugin {
 public:
  std::string_view name() const override { return "Cost"; }
  std::uint32_t points() const override { return kScore; }
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void normalize(std::span<std::int64_t> scores) override { normalize_by_max(scores, true); }
};

}  // namespace aqueduct::scheduler
