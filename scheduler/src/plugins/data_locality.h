// DataLocality: score nodes by how much of the pod's data is cached on or near
// them, from the runtimes' reported cache state (bytes of each mounted dataset
// held by each worker), in tiers as Fluid's tiered locality: bytes on the node
// count fully, bytes elsewhere in the node's zone count `zoneWeight` (0.5) and
// elsewhere in its region `regionWeight` (0.2). Normalized by the best node.
// PreFilter hints the nodes holding the data, so they are always evaluated.
// Unlike label affinity, it follows what is actually cached, not where workers run.
#pragma once
#include <string>
#include <vector>

#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class DataLocality final : public Plugin {
 public:
  static core::Result<std::unique_ptr<Plugin>> create(const PluginArgs& args);
  std::string_view name() const override { return "DataLocality"; }
  std::uint32_t points() const override { return kPreFilter | kScore; }
  std::string pre_filter(const CycleContext& ctx, const PodInfo& pod,
                         std::vector<std::size_t>& hint) override;
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void normalize(std::span<std::int64_t> scores) override { normalize_by_max(scores, false); }

 private:
  double zone_weight_ = 0.5;
  double region_weight_ = 0.2;
  // Per cycle: bytes on each node holding data, and totals per zone and region.
  std::vector<std::pair<std::size_t, std::int64_t>> on_node_;  // sorted by node
  std::vector<std::pair<std::string, std::int64_t>> by_zone_, by_region_;
};

}  // namespace aqueduct::scheduler
