// The live ActionSink against the fake API server: each action becomes the
// API call a live cluster needs, and shows in the next view.
#include <gtest/gtest.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/api_action_sink.h"
#include "aqueduct/k8s/cluster_snapshot.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::FakeApiServer;

TEST(ApiActionSink, BindScaleAndDataLoadBecomeApiCallsThatTheNextViewShows) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put("v1/nodes",
          Json{{"metadata", {{"name", "n1"}}},
               {"status", {{"allocatable", {{"cpu", "8"}, {"memory", "8Gi"}, {"pods", "10"}}}}}});
  api.put("v1/pods",
          Json{{"metadata", {{"name", "p"}, {"namespace", "default"}}},
               {"spec",
                {{"containers", Json::array({{{"name", "c"},
                                              {"image", "x"},
                                              {"resources", {{"requests", {{"cpu", "2"}}}}}}})}}}});
  api.put("data.fluid.io/v1alpha1/juicefsruntimes",
          Json{{"metadata", {{"name", "images"}, {"namespace", "default"}}},
               {"spec", {{"replicas", 1}}}});
  ApiActionSink sink(*client, {"AlluxioRuntime", "JuiceFSRuntime"});

  auto view = [&] {
    SnapshotInput in;
    in.nodes = api.list("v1/nodes");
    in.pods = api.list("v1/pods");
    return ClusterSnapshot::build(in);
  };
  ASSERT_EQ(view()->pending_pods().size(), 1u);
  ASSERT_TRUE(sink.bind("default/p", "n1").is_ok());
  EXPECT_EQ(api.get("v1/pods", "default", "p")["spec"]["nodeName"], "n1");
  auto after = view();
  EXPECT_TRUE(after->pending_pods().empty());
  EXPECT_EQ(after->nodes()[0].requested.cpu_milli, 2000);
  EXPECT_FALSE(sink.bind("default/p", "n1").is_ok()) << "a bound pod cannot be bound again";
  EXPECT_EQ(sink.bind("default/ghost", "n1").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(sink.bind("no-namespace", "n1").code(), core::StatusCode::kInvalidArgument);

  ASSERT_TRUE(sink.scale_runtime("default/images", 4).is_ok());
  EXPECT_EQ(
      api.get("data.fluid.io/v1alpha1/juicefsruntimes", "default", "images")["spec"]["replicas"],
      4);
  EXPECT_EQ(sink.scale_runtime("default/none", 2).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(sink.scale_runtime("default/images", -1).code(), core::StatusCode::kInvalidArgument);

  core::DataLoad load;
  load.meta.name = "warm";
  load.meta.namespace_ = "default";
  load.dataset_name = "images";
  load.targets.push_back({"/train", 2});
  ASSERT_TRUE(sink.start_data_load(load).is_ok());
  Json made = api.get("data.fluid.io/v1alpha1/dataloads", "default", "warm");
  ASSERT_FALSE(made.is_null());
  // What was written reads back as the same DataLoad.
  core::Diagnostics diags;
  made["apiVersion"] = "data.fluid.io/v1alpha1";
  made["kind"] = "DataLoad";
  auto objs = core::load_fluid_yaml(core::json_to_yaml_text(made), "dataload", diags);
  ASSERT_FALSE(diags.has_errors()) << diags.to_status().message();
  ASSERT_EQ(objs.dataloads.size(), 1u);
  EXPECT_EQ(objs.dataloads[0].dataset_name, "images");
  ASSERT_EQ(objs.dataloads[0].targets.size(), 1u);
  EXPECT_EQ(objs.dataloads[0].targets[0].path, "/train");
  EXPECT_EQ(objs.dataloads[0].targets[0].replicas, 2);
  EXPECT_EQ(sink.start_data_load(load).code(), core::StatusCode::kAlreadyExists);

  core::Pod pod;
  EXPECT_EQ(sink.patch_pod("default/p", pod).code(), core::StatusCode::kFailedPrecondition);
  auto place = sink.place_cache_worker("default/images", "n1");
  EXPECT_EQ(place.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(place.message().find("scale the runtime"), std::string::npos);
  EXPECT_EQ(sink.remove_cache_worker("default/images", "n1").code(),
            core::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace aqueduct::k8s
