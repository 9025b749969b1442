// Core's autoscalers acting on live runtimes through the scale subresource
// (fake API server; the test drives the ticks with policy times).
#include "aqueduct/k8s/elasticity_controller.h"

#include <gtest/gtest.h>

#include <httplib.h>

#include "aqueduct/k8s/worker_metrics.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace aqueduct::testing::collections;
using namespace std::chrono_literals;

Json runtime(const std::string& name, int replicas, Json annotations, Json status = nullptr) {
  Json rt = {{"apiVersion", "data.fluid.io/v1alpha1"},
             {"kind", "JuiceFSRuntime"},
             {"metadata", {{"name", name}, {"namespace", "default"}, {"annotations", annotations}}},
             {"spec", {{"replicas", replicas}}}};
  if (!status.is_null()) rt["status"] = status;
  return rt;
}

int replicas(const FakeApiServer& api, const std::string& name) {
  return api.get(kJuiceFs, "default", name)["spec"].value("replicas", -1);
}

std::vector<std::string> events(const FakeApiServer& api, const std::string& reason) {
  std::vector<std::string> out;
  for (const auto& e : api.list("v1/events"))
    if (e.value("reason", "") == reason) out.push_back(e.value("message", ""));
  return out;
}

core::Time at(double seconds) { return core::from_seconds(seconds); }

TEST(ElasticityController, ArgsAndMetricsAreReadFromAnnotationsAndStatus) {
  auto a = parse_autoscaler_args("target=80, maxReplicas=6");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->at("target"), "80");
  EXPECT_EQ(a->at("maxReplicas"), "6");
  auto s = parse_autoscaler_args("cron.0=0 8 * * 1-5;replicas.0=4");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->at("cron.0"), "0 8 * * 1-5");
  auto bad = parse_autoscaler_args("target");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"target\": expected key=value"), std::string::npos);

  Json rt =
      runtime("x", 3, Json::object(),
              {{"workerNumberReady", 2},
               {"cacheStates",
                {{"cacheCapacity", "8.00GiB"}, {"cached", "7GiB"}, {"cacheHitRatio", "85.0%"}}}});
  core::RuntimeMetrics m = runtime_metrics_from(rt, at(5));
  EXPECT_EQ(m.replicas, 3);
  EXPECT_EQ(m.ready_replicas, 2);
  EXPECT_EQ(m.capacity_bytes, 8LL << 30);
  EXPECT_EQ(m.used_bytes, 7LL << 30);
  EXPECT_DOUBLE_EQ(m.hit_ratio, 0.85);
  EXPECT_EQ(m.worker_capacity_bytes, 4LL << 30);
}

TEST(ElasticityController, FluidHpaScalesAFullCacheThroughTheScaleSubresource) {
  FakeApiServer api;
  auto client = client_for(api);
  // 95% used of the target 80%: ceil(2 x 95 / 80) = 3 workers.
  api.put(kJuiceFs, runtime("full", 2,
                            {{"aqueduct.io/autoscaler", "fluid-hpa"},
                             {"aqueduct.io/autoscaler-args", "target=80,maxReplicas=6"}},
                            {{"workerNumberReady", 2},
                             {"cacheStates", {{"cacheCapacity", "10Gi"}, {"cached", "9.5Gi"}}}}));
  api.put(kJuiceFs, runtime("idle", 2, {{"aqueduct.io/autoscaler", "fluid-hpa"}},
                            {{"workerNumberReady", 2},
                             {"cacheStates", {{"cacheCapacity", "10Gi"}, {"cached", "1Gi"}}}}));
  api.put(kJuiceFs, runtime("manual", 2, Json::object()));
  ElasticityController ctl(*client, {"JuiceFSRuntime"}, 1h);
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.tick(at(1000));
  EXPECT_EQ(replicas(api, "full"), 3);
  EXPECT_EQ(replicas(api, "idle"), 2);  // scale-down is off in Fluid's default
  EXPECT_EQ(replicas(api, "manual"), 2);
  EXPECT_EQ(ctl.scalings(), 1u);
  auto scaled = events(api, "Scaled");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_NE(scaled[0].find("fluid-hpa: 2 -> 3 workers"), std::string::npos) << scaled[0];
  EXPECT_GE(api.requests("PATCH"), 1);
}

TEST(ElasticityController, ScheduleFollowsTheClockAndBadPoliciesAreReportedOnce) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kJuiceFs,
          runtime("daily", 1,
                  {{"aqueduct.io/autoscaler", "schedule"},
                   {"aqueduct.io/autoscaler-args",
                    "cron.0=0 8 * * *;replicas.0=4;cron.1=0 20 * * *;replicas.1=1;initial=1"}}));
  api.put(kJuiceFs, runtime("typo", 1, {{"aqueduct.io/autoscaler", "hpa"}}));
  ElasticityController ctl(*client, {"JuiceFSRuntime"}, 1h);
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.tick(at(9 * 3600));  // Monday 09:00: the 08:00 entry holds
  EXPECT_EQ(replicas(api, "daily"), 4);
  // 21:00: the 20:00 entry. (Ticks read the informer's copy, which follows
  // the morning's change shortly; a tick at the same time is idempotent.)
  EXPECT_TRUE(eventually([&] {
    ctl.tick(at(21 * 3600));
    return replicas(api, "daily") == 1;
  }));
  ctl.tick(at(22 * 3600));
  auto warnings = events(api, "InvalidAutoscaler");
  ASSERT_EQ(warnings.size(), 1u);  // once, not every tick
  EXPECT_NE(warnings[0].find("unknown"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("\"hpa\""), std::string::npos) << warnings[0];
  EXPECT_EQ(replicas(api, "typo"), 1);
}

TEST(ElasticityController, RunsOnItsOwnPeriodWhileStarted) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kJuiceFs, runtime("fixed", 1,
                            {{"aqueduct.io/autoscaler", "schedule"},
                             {"aqueduct.io/autoscaler-args", "cron.0=* * * * *;replicas.0=3"}}));
  ElasticityController ctl(*client, {"JuiceFSRuntime"}, 50ms);
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  EXPECT_TRUE(eventually([&] { return replicas(api, "fixed") == 3; }));
  ctl.stop();
}

// AqueductRuntime: the workers' own /metrics feed cacheStates and the policy.
TEST(ElasticityController, AqueductWorkersMetricsFeedCacheStatesAndThePolicy) {
  const char* kText =
      "# HELP aqueduct_worker_hits_total Block reads served from the cache.\n"
      "# TYPE aqueduct_worker_hits_total counter\n"
      "aqueduct_worker_hits_total 900\n"
      "aqueduct_worker_misses_total 100\n"
      "aqueduct_worker_tier_used_bytes{tier=\"0\",medium=\"MEM\"} 4294967296\n"
      "aqueduct_worker_tier_used_bytes{tier=\"1\",medium=\"SSD\"} 536870912\n"
      "aqueduct_worker_tier_capacity_bytes{tier=\"0\",medium=\"MEM\"} 4294967296\n"
      "aqueduct_worker_tier_capacity_bytes{tier=\"1\",medium=\"SSD\"} 1073741824\n";
  auto parsed = parse_worker_metrics(kText);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->used_bytes, 4831838208);
  EXPECT_EQ(parsed->capacity_bytes, 5368709120);
  EXPECT_EQ(parsed->hits, 900u);
  EXPECT_FALSE(parse_worker_metrics("aqueduct_worker_hits_total lots\n").ok());

  httplib::Server metrics;
  metrics.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(kText, "text/plain");
  });
  const int port = metrics.bind_to_any_port("127.0.0.1");
  std::thread serve([&] { metrics.listen_after_bind(); });

  FakeApiServer api;
  auto client = client_for(api);
  const char* kAqueduct = "data.fluid.io/v1alpha1/aqueductruntimes";
  Json rt = runtime("shards", 2,
                    {{"aqueduct.io/autoscaler", "fluid-hpa"},
                     {"aqueduct.io/autoscaler-args", "target=80,maxReplicas=6"}},
                    {{"selector", "app=aqueduct,release=shards"}, {"workerNumberReady", 2}});
  rt["kind"] = "AqueductRuntime";
  api.put(kAqueduct, rt);
  auto worker = [&](const std::string& name, int metrics_port, bool ready) {
    return Json{{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", name},
                  {"namespace", "default"},
                  {"labels", {{"app", "aqueduct"}, {"release", "shards"}}}}},
                {"spec",
                 {{"containers",
                   Json::array({{{"name", "aqueduct-worker"},
                                 {"ports", Json::array({{{"name", "metrics"},
                                                         {"containerPort", metrics_port}}})}}})}}},
                {"status",
                 {{"podIP", "127.0.0.1"},
                  {"conditions",
                   Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}}}};
  };
  api.put("v1/pods", worker("shards-worker-0", port, true));
  api.put("v1/pods", worker("shards-worker-1", port, true));
  api.put("v1/pods", worker("shards-worker-2", 1, true));      // does not answer
  api.put("v1/pods", worker("shards-worker-3", port, false));  // not Ready: not asked
  ElasticityController ctl(*client, {"AqueductRuntime"}, 1h);
  ctl.set_scrape_timeout(500ms);
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.tick(at(1000));
  Json states = api.get(kAqueduct, "default", "shards")["status"]["cacheStates"];
  EXPECT_EQ(states["cacheCapacity"], "10.00GiB");
  EXPECT_EQ(states["cached"], "9.00GiB");
  EXPECT_EQ(states["cachedPercentage"], "90.0%");
  EXPECT_EQ(states["cacheHitRatio"], "90.0%");
  EXPECT_EQ(states["workersReporting"], "2/3");
  // 90% used against a target of 80%: ceil(2 x 90 / 80) = 3.
  EXPECT_EQ(api.get(kAqueduct, "default", "shards")["spec"]["replicas"], 3);
  metrics.stop();
  serve.join();
}

}  // namespace
}  // namespace aqueduct::k8s
