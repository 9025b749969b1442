// NodeResourcesFit (kube-scheduler): Filter on cpu, memory, GPU and pod slots
// against what is reserved on the node; Score by the LeastAllocated (spread,
// default) or MostAllocated (bin packing) strategy over cpu and memory, and GPU
// on GPU nodes: the mean share left free (or used) after placing the pod, 0..100.
#pragma once
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class NodeResourcesFit final : public Plugin {
 public:
  static core::Result<std::unique_ptr<Plugin>> create(const PluginArgs& args);
  std::string_view name() const override { return "NodeResourcesFit"; }
  std::uint32_t points() const override { return kFilter | kScore; }
  std::string_view filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;

 private:
  bool most_allocated_ = false;
};

}  // namespace aqueduct::scheduler
