// The DataLoad controller against the fake API server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "aqueduct/k8s/controller_support.h"
#include "aqueduct/k8s/dataload_controller.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace aqueduct::testing::collections;
using namespace std::chrono_literals;

std::string phase(const FakeApiServer& api, const std::string& name) {
  return aqueduct::testing::status_phase(api.get(kLoads, "default", name));
}

Json dataset(const std::string& phase) {
  Json d = aqueduct::testing::fluid_dataset("images");
  if (!phase.empty()) d["status"] = {{"phase", phase}};
  return d;
}

Json load(const std::string& name) {
  return Json{{"apiVersion", "data.fluid.io/v1alpha1"},
              {"kind", "DataLoad"},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "dl-" + name}}},
              {"spec",
               {{"dataset", {{"name", "images"}, {"namespace", "default"}}},
                {"target", Json::array({{{"path", "/train"}, {"replicas", 1}}})}}}};
}

TEST(DataLoadController, PendingUntilBoundThenAJobThenItsOutcome) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("NotBound"));
  api.put(kJuiceFs, Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                         {"kind", "JuiceFSRuntime"},
                         {"metadata", {{"name", "images"}, {"namespace", "default"}}},
                         {"spec", {{"replicas", 1}}}});
  api.put(kLoads, load("warm"));
  api.put(kLoads, load("warm2"));
  DataLoadController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return phase(api, "warm") == "Pending"; }));
  EXPECT_TRUE(api.list(kJobs).empty());

  api.put(kDatasets, dataset("Bound"));
  ASSERT_TRUE(eventually(
      [&] { return phase(api, "warm") == "Executing" && phase(api, "warm2") == "Executing"; }));
  Json job = api.get(kJobs, "default", "warm-loader-job");
  ASSERT_FALSE(job.is_null());
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "DataLoad");
  EXPECT_EQ(job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
            "images");
  const std::string cmd = job["spec"]["template"]["spec"]["containers"][0]["command"][2];
  EXPECT_NE(cmd.find("juicefs warmup '/data/train'"), std::string::npos) << cmd;

  job["status"] = {{"succeeded", 1},
                   {"startTime", "2026-01-01T00:00:00Z"},
                   {"completionTime", "2026-01-01T00:01:00Z"}};
  api.put(kJobs, job);
  Json job2 = api.get(kJobs, "default", "warm2-loader-job");
  job2["status"] = {
      {"failed", 4},
      {"conditions",
       Json::array(
           {{{"type", "Failed"}, {"status", "True"}, {"message", "BackoffLimitExceeded"}}})}};
  api.put(kJobs, job2);
  ASSERT_TRUE(eventually(
      [&] { return phase(api, "warm") == "Complete" && phase(api, "warm2") == "Failed"; }));
  EXPECT_NE(api.get(kLoads, "default", "warm2")["status"]["conditions"][0]["message"]
                .get<std::string>()
                .find("BackoffLimitExceeded"),
            std::string::npos);
  ctl.stop();
  EXPECT_EQ(ctl.jobs_created(), 2u);

  // A finished DataLoad is not run again, also not by a new controller
  // after its Job is gone.
  api.remove(kJobs, "default", "warm-loader-job");
  DataLoadController again(*client, {"JuiceFSRuntime"});
  again.start_informers();
  ASSERT_TRUE(again.wait_synced(5s));
  again.start();
  std::this_thread::sleep_for(300ms);
  again.stop();
  EXPECT_EQ(again.jobs_created(), 0u);
  EXPECT_EQ(phase(api, "warm"), "Complete");
}

// Policy Cron: one Job per firing on a clock the test moves; never two at once;
// the last three Jobs kept; the state survives in the status.
TEST(DataLoadController, CronRunsAJobPerFiringAndKeepsTheLastThree) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("Bound"));
  api.put(kJuiceFs, Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                         {"kind", "JuiceFSRuntime"},
                         {"metadata", {{"name", "images"}, {"namespace", "default"}}},
                         {"spec", {{"replicas", 1}}}});
  Json dl = load("nightly");
  dl["spec"]["policy"] = "Cron";
  dl["spec"]["schedule"] = "*/10 * * * *";
  dl["metadata"]["creationTimestamp"] = "2026-11-29T08:03:00Z";
  api.put(kLoads, dl);
  std::atomic<std::int64_t> now_s{*policy_time_from_rfc3339("2026-11-29T08:05:00Z") / 1s};
  DataLoadController ctl(*client, {"JuiceFSRuntime"});
  ctl.set_clock([&] { return core::Time(std::chrono::seconds(now_s.load())); });
  ctl.set_cron_tick(20ms);
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  auto status = [&] {
    Json o = api.get(kLoads, "default", "nightly");
    return o.contains("status") ? o["status"] : Json::object();
  };
  ASSERT_TRUE(eventually([&] { return status().value("phase", "") == "Pending"; }));
  EXPECT_NE(status()["conditions"][0]["message"].get<std::string>().find(
                "next run at 2026-11-29T08:10:00Z"),
            std::string::npos);
  auto finish = [&](const std::string& job, bool ok) {
    Json j = api.get(kJobs, "default", job);
    ASSERT_FALSE(j.is_null()) << job;
    j["status"] = ok ? Json{{"succeeded", 1}, {"completionTime", "2026-11-29T09:00:00Z"}}
                     : Json{{"failed", 1},
                            {"conditions", Json::array({{{"type", "Failed"},
                                                         {"status", "True"},
                                                         {"message", "BackoffLimitExceeded"}}})}};
    api.put(kJobs, j);
  };
  const std::int64_t minute = 60;
  now_s += 5 * minute;
  auto scheduled = [&](const char* when) {
    return eventually([&] { return status().value("lastScheduleTime", "") == when; });
  };
  ASSERT_TRUE(scheduled("2026-11-29T08:10:00Z"));
  ASSERT_EQ(api.list(kJobs).size(), 1u);
  const std::string run1 = api.list(kJobs)[0]["metadata"]["name"];
  EXPECT_EQ(run1, "nightly-loader-job-" + std::to_string(29932330));  // 08:10 in Unix minutes
  EXPECT_EQ(status().value("phase", ""), "Executing");
  finish(run1, true);
  ASSERT_TRUE(eventually([&] { return status().value("phase", "") == "Complete"; }));
  EXPECT_EQ(status().value("lastSuccessfulTime", ""), "2026-11-29T09:00:00Z");

  // 08:20 and 08:30 missed while down: only 08:30 runs.
  now_s += 25 * minute;  // 08:35
  ASSERT_TRUE(scheduled("2026-11-29T08:30:00Z"));
  ASSERT_EQ(api.list(kJobs).size(), 2u);
  const std::string run2 = api.list(kJobs)[1]["metadata"]["name"];
  // Still running at 08:40: the next firing waits.
  now_s += 5 * minute;
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(api.list(kJobs).size(), 2u);
  finish(run2, false);
  ASSERT_TRUE(scheduled("2026-11-29T08:40:00Z"));
  ASSERT_EQ(api.list(kJobs).size(), 3u);
  for (int i = 0; i < 2; ++i) {
    finish(api.list(kJobs).back()["metadata"]["name"], true);
    now_s += 10 * minute;
    const std::size_t want_runs = 5 + i;
    ASSERT_TRUE(eventually([&] { return ctl.jobs_created() == want_runs - 1; }));
  }
  ASSERT_TRUE(eventually([&] { return api.list(kJobs).size() == 3u; }));  // the oldest went
  for (const auto& j : api.list(kJobs)) EXPECT_NE(j["metadata"]["name"], run1);
  EXPECT_EQ(ctl.jobs_created(), 5u);
  ctl.stop();
}

TEST(DataLoadController, OnEventAndBadSchedulesAreReported) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("Bound"));
  Json ev = load("events");
  ev["spec"]["policy"] = "OnEvent";
  api.put(kLoads, ev);
  Json bad = load("badcron");
  bad["spec"]["policy"] = "Cron";
  bad["spec"]["schedule"] = "every hour";
  api.put(kLoads, bad);
  DataLoadController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually(
      [&] { return phase(api, "events") == "Failed" && phase(api, "badcron") == "Failed"; }));
  EXPECT_EQ(api.get(kLoads, "default", "events")["status"]["conditions"][0]["reason"],
            "UnsupportedPolicy");
  const std::string why =
      api.get(kLoads, "default", "badcron")["status"]["conditions"][0]["message"];
  EXPECT_NE(why.find("spec.schedule: cron schedule \"every hour\""), std::string::npos) << why;
  EXPECT_TRUE(api.list(kJobs).empty());
  ctl.stop();
}

TEST(DataLoadController, AnUnreadableDataLoadFails) {
  FakeApiServer api;
  auto client = client_for(api);
  Json bad = load("bad");
  bad["spec"]["target"] = "everything";
  api.put(kLoads, bad);
  DataLoadController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return phase(api, "bad") == "Failed"; }));
  EXPECT_NE(api.get(kLoads, "default", "bad")["status"]["conditions"][0]["message"]
                .get<std::string>()
                .find("target"),
            std::string::npos);
  ctl.stop();
}

}  // namespace
}  // namespace aqueduct::k8s
