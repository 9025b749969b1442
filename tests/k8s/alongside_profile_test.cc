// The "alongside Fluid" install: the controllers take only AqueductRuntime
// and its datasets, and write nothing an installed Fluid owns: not its
// Datasets' status, its runtimes, their workloads, its DataLoads, its PVs and
// PVCs, not even an Event about them, also when its Dataset is deleted.
#include <gtest/gtest.h>

#include "aqueduct/k8s/dataload_controller.h"
#include "aqueduct/k8s/dataset_controller.h"
#include "aqueduct/k8s/runtime_controller.h"
#include "support/fake_apiserver.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using aqueduct::testing::status_phase;
using namespace aqueduct::testing::collections;
using namespace std::chrono_literals;

constexpr const char* kAqueduct = "data.fluid.io/v1alpha1/aqueductruntimes";

Json fluid_runtime() {
  return {{"apiVersion", "data.fluid.io/v1alpha1"},
          {"kind", "JuiceFSRuntime"},
          {"metadata", {{"name", "images"}, {"namespace", "default"}, {"uid", "fluid-rt"}}},
          {"spec", {{"replicas", 2}}},
          {"status", {{"workerPhase", "Ready"}}}};
}

Json fluid_pv() {  // what Fluid's own dataset controller made
  return {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolume"},
      {"metadata",
       {{"name", "default-images"}, {"labels", {{"fluid.io/dataset-id", "default-images"}}}}},
      {"spec", {{"csi", {{"driver", "fuse.csi.fluid.io"}, {"volumeHandle", "default-images"}}}}}};
}

Json aqueduct_dataset() {
  return {{"apiVersion", "data.fluid.io/v1alpha1"},
          {"kind", "Dataset"},
          {"metadata", {{"name", "shards"}, {"namespace", "default"}, {"uid", "aq-ds"}}},
          {"spec", {{"mounts", Json::array({{{"mountPoint", "local:///data"}, {"name", "s"}}})}}}};
}

Json aqueduct_runtime() {
  return {{"apiVersion", "data.fluid.io/v1alpha1"},
          {"kind", "AqueductRuntime"},
          {"metadata", {{"name", "shards"}, {"namespace", "default"}, {"uid", "aq-rt"}}},
          {"spec",
           {{"replicas", 1},
            {"tieredstore",
             {{"levels",
               Json::array({{{"mediumtype", "MEM"}, {"path", "/dev/shm"}, {"quota", "1Gi"}}})}}}}}};
}

Json fluid_dataload() {
  return {{"apiVersion", "data.fluid.io/v1alpha1"},
          {"kind", "DataLoad"},
          {"metadata", {{"name", "warm"}, {"namespace", "default"}}},
          {"spec", {{"dataset", {{"name", "images"}, {"namespace", "default"}}}}}};
}

TEST(AlongsideFluid, OnlyAqueductsOwnObjectsAreWritten) {
  FakeApiServer api;
  auto client = client_for(api);
  // Fluid's world: a bound JuiceFS dataset, its runtime, its PV, a DataLoad.
  Json images = aqueduct::testing::fluid_dataset("images");
  images["status"] = {{"phase", "Bound"}};
  api.put(kDatasets, images);
  api.put(kJuiceFs, fluid_runtime());
  api.put("v1/persistentvolumes", fluid_pv());
  api.put(kLoads, fluid_dataload());
  // Aqueduct's own.
  api.put(kDatasets, aqueduct_dataset());
  api.put(kAqueduct, aqueduct_runtime());
  const Json before_ds = api.get(kDatasets, "default", "images");
  const Json before_rt = api.get(kJuiceFs, "default", "images");
  const Json before_pv = api.get("v1/persistentvolumes", "", "default-images");
  const Json before_dl = api.get(kLoads, "default", "warm");

  const std::vector<std::string> kinds = {"AqueductRuntime"};
  DatasetController datasets(*client, kinds, 2, /*only_own=*/true);
  RuntimeController runtimes(*client, kinds);
  DataLoadController loads(*client, kinds, 2, /*only_own=*/true);
  datasets.start_informers();
  runtimes.start_informers();
  loads.start_informers();
  ASSERT_TRUE(datasets.wait_synced(5s) && runtimes.wait_synced(5s) && loads.wait_synced(5s));
  datasets.start();
  runtimes.start();
  loads.start();

  // Aqueduct's dataset is served: bound, its volume marked as ours, workers made.
  ASSERT_TRUE(
      eventually([&] { return status_phase(api.get(kDatasets, "default", "shards")) == "Bound"; }));
  Json pv = api.get("v1/persistentvolumes", "", "default-shards");
  ASSERT_FALSE(pv.is_null());
  EXPECT_EQ(pv["metadata"]["annotations"]["aqueduct.io/managed-by"], "aqueduct");
  ASSERT_TRUE(eventually([&] { return !api.get(kSts, "default", "shards-worker").is_null(); }));
  ASSERT_TRUE(eventually([&] { return datasets.stats().reconciles >= 2; }));
  ASSERT_TRUE(eventually([&] {
    const auto s = loads.loop().stats();
    return s.successes + s.errors >= 1;
  }));
  std::this_thread::sleep_for(300ms);  // time for any stray write to land

  // Fluid's objects are exactly as they were.
  EXPECT_EQ(api.get(kDatasets, "default", "images"), before_ds);
  EXPECT_EQ(api.get(kJuiceFs, "default", "images"), before_rt);
  EXPECT_EQ(api.get("v1/persistentvolumes", "", "default-images"), before_pv);
  EXPECT_EQ(api.get(kLoads, "default", "warm"), before_dl);
  EXPECT_TRUE(api.get("v1/persistentvolumeclaims", "default", "images").is_null());
  EXPECT_TRUE(api.get(kSts, "default", "images-worker").is_null());
  EXPECT_TRUE(api.get(kDs, "default", "images-fuse").is_null());
  EXPECT_TRUE(api.list(kJobs).empty());
  for (const auto& ev : api.list("v1/events"))
    EXPECT_NE(ev["involvedObject"].value("name", ""), "images") << ev.dump();

  // Fluid's dataset deleted: its PV is Fluid's to remove, not ours.
  api.remove(kDatasets, "default", "images");
  ASSERT_TRUE(eventually([&] { return datasets.stats().reconciles >= 3; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(api.get("v1/persistentvolumes", "", "default-images").is_null());
  // Ours deleted: its PV goes.
  api.remove(kDatasets, "default", "shards");
  ASSERT_TRUE(
      eventually([&] { return api.get("v1/persistentvolumes", "", "default-shards").is_null(); }));

  datasets.stop();
  runtimes.stop();
  loads.stop();
}

}  // namespace
}  // namespace aqueduct::k8s
