// Cache elasticity: policies that turn observed demand on a cache runtime into
// a replica count (a decision value with its reason). A driver in sim/ (or
// k8s/) calls decide() every period with fresh metrics and applies the result
// through the ActionSink; policies hold only their own history (no threads,
// no clocks of their own: time comes in the metrics).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aqueduct/core/dataops/cron.h"
#include "aqueduct/core/registry.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

struct RuntimeMetrics {
  Time now{0};
  std::int32_t replicas = 0;               // desired replicas currently set
  std::int32_t ready_replicas = 0;         // workers serving
  std::int64_t capacity_bytes = 0;         // of ready workers
  std::int64_t used_bytes = 0;             // cached bytes held by ready workers
  std::int64_t dataset_bytes = 0;          // size of the dataset(s) behind the runtime
  std::int64_t worker_capacity_bytes = 0;  // what one more worker adds
  double hit_ratio = -1;     // bytes from cache / bytes read over the last period; -1: no reads
  double demand_bps = 0;     // input rate running readers want (bytes/s at full speed)
  double shortfall_bps = 0;  // demand not met because reads miss the cache (bytes/s)
  std::int32_t active_readers = 0;
  double worker_cost_per_hour = 0;
};

struct ScaleDecision {
  std::int32_t replicas = 0;
  std::string reason;
};

class Autoscaler {
 public:
  virtual ~Autoscaler() = default;
  virtual std::string_view name() const = 0;
  virtual ScaleDecision decide(const RuntimeMetrics& m) = 0;
};

using AutoscalerArgs = std::map<std::string, std::string>;
using AutoscalerRegistry = Registry<Autoscaler, const AutoscalerArgs&>;

// "fluid-hpa", "demand", "schedule", "static".
AutoscalerRegistry builtin_autoscalers();

// Fluid's documented autoscaling (a Kubernetes HPA on the runtime's
// capacity_used_rate = used / capacity x 100): desired = ceil(replicas x
// rate / target), clamped to [minReplicas, maxReplicas]; scale-up at most
// `scaleUpPods` workers per `scaleUpPeriod`, scale-down disabled by default;
// HPA stabilization: the highest recommendation of the last
// `scaleDownStabilization` when scaling down.
// Args: target (90), minReplicas (1), maxReplicas (4), scaleUpPods (2),
// scaleUpPeriod (600s), scaleDown (false), scaleDownStabilization (300s).
class FluidHpaAutoscaler final : public Autoscaler {
 public:
  static Result<std::unique_ptr<Autoscaler>> create(const AutoscalerArgs& args);
  std::string_view name() const override { return "fluid-hpa"; }
  ScaleDecision decide(const RuntimeMetrics& m) override;

 private:
  double target_ = 90;
  std::int32_t min_ = 1, max_ = 4, up_pods_ = 2;
  Duration up_period_ = from_seconds(600), down_window_ = from_seconds(300);
  bool scale_down_ = false;
  std::deque<std::pair<Time, std::int32_t>> ups_;              // scale-up events (time, added)
  std::deque<std::pair<Time, std::int32_t>> recommendations_;  // for the down stabilization
};

// Demand-driven: while running readers miss (shortfall > 0), add enough
// workers to hold the data being read (dataset / worker capacity), as long as
// the shortfall is worth the workers' cost (`valuePerGBps`: currency per hour
// one GB/s of met demand is worth); shrink after `idleAfter` without readers.
// Args: minReplicas (1), maxReplicas (8), valuePerGBps (50), idleAfter (600s).
class DemandAutoscaler final : public Autoscaler {
 public:
  static Result<std::unique_ptr<Autoscaler>> create(const AutoscalerArgs& args);
  std::string_view name() const override { return "demand"; }
  ScaleDecision decide(const RuntimeMetrics& m) override;

 private:
  std::int32_t min_ = 1, max_ = 8;
  double value_per_gbps_ = 50;
  Duration idle_after_ = from_seconds(600);
  Time last_active_{0};
};

// A schedule: `replicas` entries fire at cron times ("0 8 * * 1-5": 4,
// "0 20 * * *": 1); the latest fired entry holds. Args: `cron.<n>` and
// `replicas.<n>` pairs, and `initial`.
class ScheduleAutoscaler final : public Autoscaler {
 public:
  static Result<std::unique_ptr<Autoscaler>> create(const AutoscalerArgs& args);
  std::string_view name() const override { return "schedule"; }
  ScaleDecision decide(const RuntimeMetrics& m) override;

 private:
  struct Entry {
    CronSchedule cron;
    std::string text;
    std::int32_t replicas;
  };
  std::vector<Entry> entries_;
  std::int32_t initial_ = 1;
};

}  // namespace aqueduct::core
