// TaintToleration (kube-scheduler): Filter out nodes with a NoSchedule or
// NoExecute taint the pod does not tolerate; Score fewer untolerated
// PreferNoSchedule taints higher (normalized, reversed).
#pragma once
#include <string>

#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class TaintToleration final : public Plugin {
 public:
  std::string_view name() const override { return "TaintToleration"; }
  std::uint32_t points() const override { return kFilter | kScore; }
  std::string_view filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void normalize(std::span<std::int64_t> scores) override { normalize_by_max(scores, true); }

 private:
  std::string reason_;
};

}  // namespace aqueduct::scheduler
