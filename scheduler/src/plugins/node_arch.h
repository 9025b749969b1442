// NodeArch: a pod lands only on nodes whose CPU arch its images support
// (Pod::image_arches; empty means any). The reason names the node's arch.
#pragma once
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class NodeArch final : public Plugin {
 public:
  std::string_view name() const override { return "NodeArch"; }
  std::uint32_t points() const override { return kFilter; }
  std::string_view filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
};

}  // namespace aqueduct::scheduler
