#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "aqueduct/core/elasticity/autoscaler.h"
#include "aqueduct/core/policy_args.h"
#include "aqueduct/core/quantity.h"

namespace aqueduct::core {
namespace {

Result<std::int32_t> int_arg(const AutoscalerArgs& a, const std::string& k, std::int32_t def,
                             std::int32_t lo, std::int32_t hi) {
  auto it = a.find(k);
  if (it == a.end()) return def;
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || v < lo || v > hi) {
    return invalid_argument(k + ": expected an integer in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "], got \"" + it->second + "\"");
  }
  return static_cast<std::int32_t>(v);
}

Result<Duration> dur_arg(const AutoscalerArgs& a, const std::string& k, Duration def) {
  auto it = a.find(k);
  if (it == a.end()) return def;
  auto d = parse_duration(it->second);
  if (!d.ok()) return d.status().with_context(k);
  return *d;
}

}  // namespace

Result<std::unique_ptr<Autoscaler>> FluidHpaAutoscaler::create(const AutoscalerArgs& a) {
  AQ_RETURN_IF_ERROR(check_known_args(a, {"target", "minReplicas", "maxReplicas", "scaleUpPods",
                                          "scaleUpPeriod", "scaleDown", "scaleDownStabilization"}));
  auto p = std::make_unique<FluidHpaAutoscaler>();
  AQ_ASSIGN_OR_RETURN(p->target_, number_arg(a, "target", 90, 1, 100));
  AQ_ASSIGN_OR_RETURN(p->min_, int_arg(a, "minReplicas", 1, 0, 10000));
  AQ_ASSIGN_OR_RETURN(p->max_, int_arg(a, "maxReplicas", 4, 1, 10000));
  AQ_ASSIGN_OR_RETURN(p->up_pods_, int_arg(a, "scaleUpPods", 2, 1, 10000));
  AQ_ASSIGN_OR_RETURN(p->up_period_, dur_arg(a, "scaleUpPeriod", from_seconds(600)));
  AQ_ASSIGN_OR_RETURN(p->down_window_, dur_arg(a, "scaleDownStabilization", from_seconds(300)));
  if (auto it = a.find("scaleDown"); it != a.end()) {
    if (it->second != "true" && it->second != "false")
      return invalid_argument("scaleDown: expected true or false");
    p->scale_down_ = it->second == "true";
  }
  if (p->min_ > p->max_) return invalid_argument("minReplicas must not exceed maxReplicas");
  return std::unique_ptr<Autoscaler>(std::move(p));
}

ScaleDecision FluidHpaAutoscaler::decide(const RuntimeMetrics& m) {
  double rate =
      m.capacity_bytes > 0 ? 100.0 * static_cast<double>(m.used_bytes) / m.capacity_bytes : 0;
  std::int32_t current = std::max(m.replicas, 1);
  // HPA: within 10% of the target, no change.
  std::int32_t desired = current;
  if (std::fabs(rate / target_ - 1.0) > 0.1)
    desired = static_cast<std::int32_t>(std::ceil(current * rate / target_));
  desired = std::clamp(desired, min_, max_);
  char why[160];
  std::snprintf(why, sizeof why, "capacity_used_rate %.0f%% (target %.0f%%)", rate, target_);
  // Scale-down stabilization: the highest recommendation in the window.
  recommendations_.push_back({m.now, desired});
  while (!recommendations_.empty() && m.now - recommendations_.front().first > down_window_)
    recommendations_.pop_front();
  if (desired < m.replicas) {
    if (!scale_down_) return {m.replicas, std::string(why) + "; scale-down disabled"};
    std::int32_t hi = desired;
    for (const auto& [t, r] : recommendations_) hi = std::max(hi, r);
    return {std::min(hi, m.replicas), std::string(why) + "; scale down (stabilized)"};
  }
  if (desired > m.replicas) {
    // Behavior: at most scaleUpPods added per scaleUpPeriod.
    while (!ups_.empty() && m.now - ups_.front().first >= up_period_) ups_.pop_front();
    std::int32_t added = 0;
    for (const auto& [t, n] : ups_) added += n;
    std::int32_t allowed = std::max(0, up_pods_ - added);
    std::int32_t step = std::min(desired - m.replicas, allowed);
    if (step <= 0) return {m.replicas, std::string(why) + "; scale-up limited by the period"};
    ups_.push_back({m.now, step});
    return {m.replicas + step, std::string(why) + "; scale up"};
  }
  return {m.replicas, why};
}

Result<std::unique_ptr<Autoscaler>> DemandAutoscaler::create(const AutoscalerArgs& a) {
  AQ_RETURN_IF_ERROR(
      check_known_args(a, {"minReplicas", "maxReplicas", "valuePerGBps", "idleAfter"}));
  auto p = std::make_unique<DemandAutoscaler>();
  AQ_ASSIGN_OR_RETURN(p->min_, int_arg(a, "minReplicas", 1, 0, 10000));
  AQ_ASSIGN_OR_RETURN(p->max_, int_arg(a, "maxReplicas", 8, 1, 10000));
  AQ_ASSIGN_OR_RETURN(p->value_per_gbps_, number_arg(a, "valuePerGBps", 50, 0, 1e9));
  AQ_ASSIGN_OR_RETURN(p->idle_after_, dur_arg(a, "idleAfter", from_seconds(600)));
  if (p->min_ > p->max_) return invalid_argument("minReplicas must not exceed maxReplicas");
  return std::unique_ptr<Autoscaler>(std::move(p));
}

ScaleDecision DemandAutoscaler::decide(const RuntimeMetrics& m) {
  if (m.active_readers > 0) last_active_ = m.now;
  char why[200];
  if (m.active_readers == 0) {
    if (m.now - last_active_ >= idle_after_ && m.replicas > min_) {
      std::snprintf(why, sizeof why, "no readers for %.0fs: shrink",
                    to_seconds(m.now - last_active_));
      return {min_, why};
    }
    return {m.replicas, "no readers"};
  }
  // Workers needed to hold what is being read.
  std::int32_t need =
      m.worker_capacity_bytes > 0
          ? static_cast<std::int32_t>(std::ceil(static_cast<double>(m.dataset_bytes) /
                                                static_cast<double>(m.worker_capacity_bytes)))
          : m.replicas;
  need = std::clamp(need, min_, max_);
  if (need <= m.replicas || m.shortfall_bps <= 0) {
    std::snprintf(why, sizeof why, "shortfall %.0f MB/s, %d workers hold the data",
                  m.shortfall_bps / 1e6, need);
    return {m.replicas, why};
  }
  // Worth it? Value of the shortfall met vs the added workers' cost.
  double value = m.shortfall_bps / 1e9 * value_per_gbps_;
  double cost = (need - m.replicas) * m.worker_cost_per_hour;
  if (value < cost) {
    std::snprintf(why, sizeof why, "shortfall %.0f MB/s worth %.2f/h < %.2f/h for %d workers",
                  m.shortfall_bps / 1e6, value, cost, need - m.replicas);
    return {m.replicas, why};
  }
  std::snprintf(why, sizeof why, "shortfall %.0f MB/s worth %.2f/h >= %.2f/h: grow to %d",
                m.shortfall_bps / 1e6, value, cost, need);
  return {need, why};
}

Result<std::unique_ptr<Autoscaler>> ScheduleAutoscaler::create(const AutoscalerArgs& a) {
  AQ_RETURN_IF_ERROR(check_known_args(a, {"initial"}, {"cron.", "replicas."}));
  auto p = std::make_unique<ScheduleAutoscaler>();
  AQ_ASSIGN_OR_RETURN(p->initial_, int_arg(a, "initial", 1, 0, 10000));
  for (const auto& [k, v] : a) {
    if (k.rfind("cron.", 0) != 0) continue;
    std::string n = k.substr(5);
    auto r = a.find("replicas." + n);
    if (r == a.end()) return invalid_argument(k + ": no matching replicas." + n);
    auto cron = parse_cron(v);
    if (!cron.ok()) return cron.status().with_context(k);
    AQ_ASSIGN_OR_RETURN(std::int32_t reps, int_arg(a, "replicas." + n, 1, 0, 10000));
    p->entries_.push_back({*cron, v, reps});
  }
  if (p->entries_.empty())
    return invalid_argument("expected at least one cron.<n> / replicas.<n> pair");
  return std::unique_ptr<Autoscaler>(std::move(p));
}

ScaleDecision ScheduleAutoscaler::decide(const RuntimeMetrics& m) {
  // The entry that fired last at or before now (search back a week of minutes).
  Time best{-1};
  const Entry* pick = nullptr;
  for (const auto& e : entries_) {
    // Last firing <= now: step back from now in one-day windows.
    Time probe = m.now - from_seconds(7 * 86400.0);
    if (probe.count() < 0) probe = Time(-1);
    Time last{-1};
    for (Time t = e.cron.next_after(probe); t <= m.now && t != Time::max();
         t = e.cron.next_after(t))
      last = t;
    if (last.count() >= 0 && last > best) {
      best = last;
      pick = &e;
    }
  }
  if (!pick) return {initial_, "before the first scheduled entry"};
  return {pick->replicas, "schedule \"" + pick->text + "\""};
}

namespace {
class StaticAutoscaler final : public Autoscaler {
 public:
  std::string_view name() const override { return "static"; }
  ScaleDecision decide(const RuntimeMetrics& m) override { return {m.replicas, "static"}; }
};
}  // namespace

AutoscalerRegistry builtin_autoscalers() {
  AutoscalerRegistry r("autoscaler");
  r.add("static", "keep the runtime's replicas (no arguments)",
        [](const AutoscalerArgs& a) -> Result<std::unique_ptr<Autoscaler>> {
          if (!a.empty()) return invalid_argument("static takes no arguments");
          return std::unique_ptr<Autoscaler>(new StaticAutoscaler());
        });
  r.add("fluid-hpa",
        "Fluid's HPA on capacity_used_rate. Args: target (90), minReplicas (1), maxReplicas (4), "
        "scaleUpPods (2), scaleUpPeriod (600s), scaleDown (false), scaleDownStabilization (300s)",
        FluidHpaAutoscaler::create);
  r.add("demand",
        "size the cache from the I/O shortfall and worker cost. Args: minReplicas (1), "
        "maxReplicas (8), valuePerGBps (50), idleAfter (600s)",
        DemandAutoscaler::create);
  r.add("schedule", "replicas on a cron schedule. Args: cron.<n> and replicas.<n> pairs, initial",
        ScheduleAutoscaler::create);
  return r;
}

}  // namespace aqueduct::core
