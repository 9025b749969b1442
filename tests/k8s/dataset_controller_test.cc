// The Dataset controller against the fake API server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "aqueduct/k8s/dataset_controller.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace aqueduct::testing::collections;
using namespace std::chrono_literals;

Json dataset(const std::string& name) { return aqueduct::testing::fluid_dataset(name); }

Json runtime(const std::string& name) {
  return Json{
      {"apiVersion", "data.fluid.io/v1alpha1"},
      {"kind", "JuiceFSRuntime"},
      {"metadata", {{"name", name}, {"namespace", "default"}}},
      {"spec",
       {{"replicas", 2},
        {"tieredstore",
         {{"levels",
           Json::array({{{"mediumtype", "MEM"}, {"path", "/dev/shm"}, {"quota", "4Gi"}}})}}}}}};
}

std::string phase(const FakeApiServer& api, const std::string& name) {
  return aqueduct::testing::status_phase(api.get(kDatasets, "default", name));
}

TEST(DatasetController, BindsADatasetWhenItsRuntimeAppearsAndCleansUpAfterIt) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("images"));
  DatasetController ctl(*client, {"JuiceFSRuntime", "AlluxioRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return phase(api, "images") == "NotBound"; }));
  EXPECT_TRUE(api.list("v1/persistentvolumes").empty());

  api.put(kJuiceFs, runtime("images"));
  ASSERT_TRUE(eventually([&] { return phase(api, "images") == "Bound"; }));
  Json st = api.get(kDatasets, "default", "images")["status"];
  EXPECT_EQ(st["runtimes"][0]["type"], "juicefs");
  EXPECT_EQ(st["conditions"][0]["type"], "Ready");
  EXPECT_EQ(st["conditions"][0]["status"], "True");
  Json pv = api.get("v1/persistentvolumes", "", "default-images");
  ASSERT_FALSE(pv.is_null());
  EXPECT_EQ(pv["spec"]["csi"]["driver"], "fuse.csi.fluid.io");
  EXPECT_EQ(pv["spec"]["csi"]["volumeAttributes"]["fluid_path"],
            "/runtime-mnt/juicefs/default/images/juicefs-fuse");
  EXPECT_EQ(pv["spec"]["csi"]["volumeAttributes"]["mount_pod_node_selector_key"],
            "fluid.io/f-default-images");
  // The lazy FUSE label is set by NodeStage after placement: never required.
  EXPECT_FALSE(pv["spec"].contains("nodeAffinity"));
  Json pvc = api.get("v1/persistentvolumeclaims", "default", "images");
  ASSERT_FALSE(pvc.is_null());
  // The claim names no volume; the volume is pre-bound to the claim by UID,
  // so the PV controller binds the pair when the volume appears.
  EXPECT_FALSE(pvc["spec"].contains("volumeName"));
  EXPECT_EQ(pvc["spec"]["storageClassName"], "fluid");
  EXPECT_EQ(pv["spec"]["claimRef"]["name"], "images");
  EXPECT_EQ(pv["spec"]["claimRef"]["uid"], pvc["metadata"]["uid"]);
  EXPECT_FALSE(pvc["metadata"]["uid"].get<std::string>().empty());
  EXPECT_EQ(pvc["metadata"]["ownerReferences"][0]["kind"], "Dataset");
  EXPECT_GE(api.list("v1/events").size(), 2u) << "an Event per object created";

  // The runtime's cacheStates show on the Dataset too.
  Json rt = api.get(kJuiceFs, "default", "images");
  rt["status"] = {{"cacheStates", {{"cacheCapacity", "8.00GiB"}, {"cached", "2.00GiB"}}}};
  api.put(kJuiceFs, rt);
  ASSERT_TRUE(eventually([&] {
    Json d = api.get(kDatasets, "default", "images");
    return d["status"].contains("cacheStates") &&
           d["status"]["cacheStates"].value("cached", "") == "2.00GiB";
  }));

  api.remove(kDatasets, "default", "images");
  ASSERT_TRUE(eventually([&] { return api.list("v1/persistentvolumes").empty(); }));
  EXPECT_TRUE(api.get("v1/persistentvolumeclaims", "default", "images").is_null());
  ctl.stop();
}

TEST(DatasetController, ARestartResumesFromAFreshListWithoutRepeatingWork) {
  FakeApiServer api;
  auto client = client_for(api);
  for (const char* n : {"a", "b", "c"}) {
    api.put(kDatasets, dataset(n));
    api.put(kJuiceFs, runtime(n));
  }
  {
    DatasetController first(*client, {"JuiceFSRuntime"});
    first.start_informers();
    ASSERT_TRUE(first.wait_synced(5s));
    first.start();
    ASSERT_TRUE(eventually([&] {
      for (const char* n : {"a", "b", "c"}) {
        if (phase(api, n) != "Bound") return false;
      }
      return true;
    }));
    EXPECT_EQ(first.stats().created, 6u);
    first.stop();
  }
  const int posts = api.requests("POST"), puts = api.requests("PUT"),
            patches = api.requests("PATCH");
  // While no controller ran, one more dataset arrived.
  api.put(kDatasets, dataset("d"));
  api.put(kJuiceFs, runtime("d"));
  DatasetController second(*client, {"JuiceFSRuntime"});
  second.start_informers();
  ASSERT_TRUE(second.wait_synced(5s));
  second.start();
  ASSERT_TRUE(eventually([&] { return phase(api, "d") == "Bound"; }));
  ASSERT_TRUE(eventually([&] { return second.stats().reconciles >= 4; }));
  second.stop();
  EXPECT_EQ(second.stats().created, 2u) << "only d's volume and claim";
  EXPECT_EQ(api.requests("POST") - posts, 4)
      << "d's PV, PVC and their two Events; nothing for a, b, c";
  EXPECT_EQ(api.requests("PUT") - puts, 0);
  EXPECT_EQ(api.requests("PATCH") - patches, 1) << "d's status only";
  EXPECT_EQ(api.list("v1/persistentvolumes").size(), 4u);
}

TEST(DatasetController, AMalformedDatasetIsReportedInItsStatusNotRetriedForever) {
  FakeApiServer api;
  auto client = client_for(api);
  Json bad = dataset("bad");
  bad["spec"]["mounts"] = "s3://not-a-list";
  api.put(kDatasets, bad);
  api.put(kJuiceFs, runtime("bad"));
  api.put(kDatasets, dataset("good"));
  api.put(kJuiceFs, runtime("good"));
  DatasetController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return phase(api, "bad") == "Failed"; }));
  ASSERT_TRUE(eventually([&] { return phase(api, "good") == "Bound"; }));
  Json cond = api.get(kDatasets, "default", "bad")["status"]["conditions"][0];
  EXPECT_EQ(cond["reason"], "InvalidSpec");
  EXPECT_NE(cond["message"].get<std::string>().find("mounts"), std::string::npos) << cond.dump();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(ctl.stats().errors, 0u) << "reported, not failed and retried";
  EXPECT_TRUE(api.get("v1/persistentvolumes", "", "default-bad").is_null());
  ctl.stop();
}

TEST(DatasetController, TransientApiErrorsAreRetriedWithBackoff) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("x"));
  api.put(kJuiceFs, runtime("x"));
  DatasetController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  api.fail_next(3, 500);
  ctl.start();
  ASSERT_TRUE(eventually([&] { return phase(api, "x") == "Bound"; }));
  EXPECT_GE(ctl.stats().errors, 1u);
  ctl.stop();
}

}  // namespace
}  // namespace aqueduct::k8s
