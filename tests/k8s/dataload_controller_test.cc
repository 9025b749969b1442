// The DataLoad controller against the fake API server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "aqueduct/k8s/dataload_controller.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace std::chrono_literals;

constexpr const char* kDatasets = "data.fluid.io/v1alpha1/datasets";
constexpr const char* kJuiceFs = "data.fluid.io/v1alpha1/juicefsruntimes";
constexpr const char* kLoads = "data.fluid.io/v1alpha1/dataloads";
constexpr const char* kJobs = "batch/v1/jobs";

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
