// Each autoscaler's decisions on scripted demand.
#include "aqueduct/core/elasticity/autoscaler.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

std::unique_ptr<Autoscaler> make(const char* name, AutoscalerArgs args = {}) {
  auto a = builtin_autoscalers().create(name, args);
  EXPECT_TRUE(a.ok()) << a.status().message();
  return std::move(a).value();
}

RuntimeMetrics at(double t_s, std::int32_t replicas, double used_pct) {
  RuntimeMetrics m;
  m.now = from_seconds(t_s);
  m.replicas = m.ready_replicas = replicas;
  m.capacity_bytes = replicas * 100;
  m.used_bytes = static_cast<std::int64_t>(m.capacity_bytes * used_pct / 100);
  return m;
}

TEST(Autoscaler, FluidHpaScalesUpTwoPer600sAndNeverDown) {
  auto hpa = make("fluid-hpa");
  // 1 replica, 100% used: HPA wants ceil(1 x 100/90) = 2.
  EXPECT_EQ(hpa->decide(at(0, 1, 100)).replicas, 2);
  // Still full at 2: wants 3, but 1 was added in this 600 s period: 1 more allowed.
  EXPECT_EQ(hpa->decide(at(60, 2, 100)).replicas, 3);
  ScaleDecision held = hpa->decide(at(120, 3, 100));
  EXPECT_EQ(held.replicas, 3);
  EXPECT_NE(held.reason.find("limited by the period"), std::string::npos) << held.reason;
  EXPECT_EQ(hpa->decide(at(660, 3, 100)).replicas, 4) << "a new period, capped at maxReplicas 4";
  EXPECT_EQ(hpa->decide(at(2000, 4, 100)).replicas, 4);
  ScaleDecision down = hpa->decide(at(3000, 4, 10));
  EXPECT_EQ(down.replicas, 4);
  EXPECT_NE(down.reason.find("scale-down disabled"), std::string::npos);
  EXPECT_EQ(hpa->decide(at(4000, 2, 88)).replicas, 2) << "within 10% of the target: no change";
}

TEST(Autoscaler, FluidHpaScaleDownStabilization) {
  auto hpa = make("fluid-hpa", {{"scaleDown", "true"}, {"maxReplicas", "8"}, {"scaleUpPods", "8"}});
  EXPECT_EQ(hpa->decide(at(0, 4, 90)).replicas, 4);
  // Usage drops: the recommendation is 1, but 4 was recommended within 300 s.
  EXPECT_EQ(hpa->decide(at(100, 4, 10)).replicas, 4);
  EXPECT_EQ(hpa->decide(at(301, 4, 10)).replicas, 1);
  EXPECT_FALSE(builtin_autoscalers().create("fluid-hpa", {{"minReplicas", "5"}}).ok());
  EXPECT_FALSE(builtin_autoscalers().create("fluid-hpa", {{"colour", "red"}}).ok());
}

TEST(Autoscaler, DemandGrowsWhenWorthItAndShrinksWhenIdle) {
  auto d = make("demand", {{"valuePerGBps", "100"}, {"idleAfter", "300s"}});
  RuntimeMetrics m;
  m.now = from_seconds(0);
  m.replicas = 1;
  m.dataset_bytes = 350;
  m.worker_capacity_bytes = 100;
  m.active_readers = 3;
  m.shortfall_bps = 1e9;  // 1 GB/s not met: worth 100/h
  m.worker_cost_per_hour = 10;
  ScaleDecision grow = d->decide(m);
  EXPECT_EQ(grow.replicas, 4)
      << grow.reason;           // ceil(350 / 100) workers hold the data; 30/h < 100/h
  m.worker_cost_per_hour = 50;  // 150/h > 100/h: not worth it
  EXPECT_EQ(d->decide(m).replicas, 1);
  m.replicas = 4;
  m.active_readers = 0;
  m.now = from_seconds(100);
  EXPECT_EQ(d->decide(m).replicas, 4) << "idle for 100 s only";
  m.now = from_seconds(400);
  EXPECT_EQ(d->decide(m).replicas, 1);
}

TEST(Autoscaler, ScheduleFollowsTheLatestEntry) {
  // Weekdays at 08:00 -> 4 workers, every day at 20:00 -> 1. Time 0 is Monday 00:00.
  auto s = make("schedule", {{"cron.day", "0 8 * * 1-5"},
                             {"replicas.day", "4"},
                             {"cron.night", "0 20 * * *"},
                             {"replicas.night", "1"},
                             {"initial", "2"}});
  RuntimeMetrics m;
  m.replicas = 2;
  m.now = from_seconds(3600);
  EXPECT_EQ(s->decide(m).replicas, 2) << "before the first entry";
  m.now = from_seconds(9 * 3600);
  EXPECT_EQ(s->decide(m).replicas, 4);
  m.now = from_seconds(21 * 3600);
  EXPECT_EQ(s->decide(m).replicas, 1);
  m.now = from_seconds((5 * 24 + 10) * 3600);  // Saturday 10:00: Friday 20:00 holds
  EXPECT_EQ(s->decide(m).replicas, 1);
  EXPECT_FALSE(
      builtin_autoscalers().create("schedule", {{"cron.a", "bad"}, {"replicas.a", "1"}}).ok());
  EXPECT_FALSE(builtin_autoscalers().create("schedule", {{"cron.a", "0 * * * *"}}).ok());
}

}  // namespace
}  // namespace aqueduct::core
