// NodeAffinity (kube-scheduler): Filter on nodeSelector and required node
// affinity (terms ORed, expressions ANDed); Score the summed weights of the
// matching preferred terms, normalized by the best node.
#pragma once
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class NodeAffinityPlugin final : public Plugin {
 public:
  std::string_view name() const override { return "NodeAffinity"; }
  std::uint32_t points() const override { return kFilter | kScore; }
  std::string_view filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void normalize(std::span<std::int64_t> scores) override { normalize_by_max(scores, false); }
};

}  // namespace aqueduct::scheduler
