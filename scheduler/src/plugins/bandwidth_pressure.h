// BandwidthPressure: steer pods away from nodes whose data paths (NIC, cache
// serving) are already busy: score = 100 x (1 - io_utilization), as reported
// in the ClusterView. Reserve counts the pods of the gang being placed, so the
// pods of one job do not pile onto one idle node before their load shows up.
#pragma once
#include <algorithm>
#include <vector>

#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::scheduler {

class BandwidthPressure final : public Plugin {
 public:
  std::string_view name() const override { return "BandwidthPressure"; }
  std::uint32_t points() const override { return kScore | kReserve; }
  std::int64_t score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void reserve(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void unreserve(const CycleContext& ctx, const PodInfo& pod, std::size_t node) override;
  void begin_round() override { std::fill(placed_.begin(), placed_.end(), 0); }

 private:
  std::vector<int> placed_;  // data-reading pods reserved per node, this round
};

}  // namespace aqueduct::scheduler
