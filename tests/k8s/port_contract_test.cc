// The port contract: one world, written once for the simulator (a Cluster
// file and Fluid YAML: the sim's StaticCluster port) and once as the API
// objects a live cluster holds (Nodes, a bound Pod, Datasets, runtimes: the
// live ClusterSnapshot port), must look the same to every policy: the same
// nodes, capacity and free resources, the same datasets and cache locations,
// and the same scheduling verdicts.
#include <gtest/gtest.h>

#include <set>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/injection/pod_json.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/api_action_sink.h"
#include "aqueduct/k8s/cluster_snapshot.h"
#include "aqueduct/scheduler/framework.h"
#include "aqueduct/sim/cluster_file.h"
#include "support/k8s_testing.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

constexpr const char* kFluid = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: images}
spec:
  mounts: [{mountPoint: "oss://bucket/images", name: images}]
---
apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: images}
spec:
  replicas: 1
  tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 4Gi}]}
)";

constexpr const char* kCluster = R"(apiVersion: aqueduct.io/v1alpha1
kind: Cluster
metadata: {name: contract}
spec:
  nodes:
    - {name: a, cpu: "8", memory: 32Gi, zone: z1, region: r1, allocated: {cpu: "6", memory: 8Gi, pods: 1}}
    - {name: b, cpu: "8", memory: 32Gi, zone: z1, region: r1}
    - {name: c, cpu: "16", memory: 64Gi, arch: arm64, zone: z2, region: r1,
       taints: [{key: dedicated, value: x, effect: NoSchedule}]}
  caches:
    - dataset: default/images
      engine: juicefs
      workers:
        - {node: b, cached: 4Gi, memory: 4Gi}
  scheduler: data-aware
)";

// The same world as a live cluster's API objects.
SnapshotInput api_objects() {
  auto node = [](const std::string& name, const std::string& cpu, const std::string& mem,
                 const std::string& arch, const std::string& zone, Json taints, bool cached) {
    Json labels = {{"kubernetes.io/hostname", name},
                   {"kubernetes.io/arch", arch},
                   {"topology.kubernetes.io/zone", zone},
                   {"topology.kubernetes.io/region", "r1"}};
    if (cached) labels["fluid.io/s-default-images"] = "true";
    Json n = {{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", name}, {"labels", labels}}},
              {"status", {{"allocatable", {{"cpu", cpu}, {"memory", mem}, {"pods", "110"}}}}}};
    if (!taints.empty()) n["spec"] = {{"taints", taints}};
    return n;
  };
  SnapshotInput in;
  in.nodes = {
      node("c", "16", "64Gi", "arm64", "z2",
           Json::array({{{"key", "dedicated"}, {"value", "x"}, {"effect", "NoSchedule"}}}), false),
      node("a", "8", "32Gi", "amd64", "z1", Json::array(), false),
      node("b", "8", "32Gi", "amd64", "z1", Json::array(), true)};
  in.pods.push_back(
      Json{{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata", {{"name", "busy"}, {"namespace", "default"}}},
           {"spec",
            {{"nodeName", "a"},
             {"containers",
              Json::array({{{"name", "c"},
                            {"image", "x"},
                            {"resources", {{"requests", {{"cpu", "6"}, {"memory", "8Gi"}}}}}}})}}},
           {"status", {{"phase", "Running"}}}});
  auto docs = core::parse_yaml_documents_as_json(kFluid, "fluid.yaml");
  EXPECT_TRUE(docs.ok());
  for (auto& d : *docs) (d["kind"] == "Dataset" ? in.datasets : in.runtimes).push_back(d);
  return in;
}

core::Pod pending_pod() {
  auto p = core::pod_model_from_json(
      Json::parse(
          R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "train", "namespace": "default"},
        "spec": {"containers": [{"name": "t", "image": "x", "resources": {"requests": {"cpu": "4", "memory": "8Gi"}}}],
                 "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "images"}}]}})"),
      "train");
  EXPECT_TRUE(p.ok());
  return *p;
}

class PortContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sim") {
      aqueduct::testing::TempDir dir;
      core::Diagnostics diags;
      auto file = sim::load_cluster_file(dir.write("cluster.yaml", kCluster), diags);
      ASSERT_TRUE(file.ok() && !diags.has_errors()) << diags.to_status().message();
      core::FluidObjects objs = core::load_fluid_yaml(kFluid, "fluid.yaml", diags);
      sim_ = std::make_unique<sim::StaticCluster>(std::move(*file), objs);
      view_ = sim_.get();
    } else {
      std::vector<std::string> warnings;
      live_ = ClusterSnapshot::build(api_objects(), &warnings);
      ASSERT_TRUE(warnings.empty()) << warnings.front();
      view_ = live_.get();
    }
  }
  const core::ClusterView* view_ = nullptr;
  std::unique_ptr<sim::StaticCluster> sim_;
  std::unique_ptr<ClusterSnapshot> live_;
};

TEST_P(PortContract, NodesInNameOrderWithCapacityAndWhatIsUsed) {
  auto nodes = view_->nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].node->meta.name, "a");
  EXPECT_EQ(nodes[1].node->meta.name, "b");
  EXPECT_EQ(nodes[2].node->meta.name, "c");
  EXPECT_EQ(view_->node_index("c"), 2u);
  EXPECT_EQ(view_->node_index("nope"), core::kNoNode);
  EXPECT_EQ(nodes[0].node->allocatable.cpu_milli, 8000);
  EXPECT_EQ(nodes[0].free().cpu_milli, 2000) << "6 cpus are taken on a";
  EXPECT_EQ(nodes[0].free().memory_bytes, 24LL << 30);
  EXPECT_EQ(nodes[1].free().cpu_milli, 8000);
  EXPECT_EQ(nodes[2].node->arch, core::Arch::kArm64);
  EXPECT_EQ(nodes[2].node->zone, "z2");
  ASSERT_EQ(nodes[2].node->taints.size(), 1u);
  EXPECT_EQ(nodes[2].node->taints[0].key, "dedicated");
}

TEST_P(PortContract, DatasetsRuntimesAndWhereTheyAreCached) {
  ASSERT_EQ(view_->datasets().size(), 1u);
  EXPECT_EQ(core::object_key(view_->datasets()[0].meta), "default/images");
  ASSERT_GE(view_->runtimes().size(), 1u);
  EXPECT_EQ(view_->runtimes()[0].engine, core::RuntimeEngine::kJuiceFs);
  ASSERT_EQ(view_->cache_states().size(), 1u);
  const core::CacheState& cs = view_->cache_states()[0];
  EXPECT_EQ(cs.dataset, "default/images");
  ASSERT_EQ(cs.workers.size(), 1u);
  EXPECT_EQ(cs.workers[0].node_name, "b");
  EXPECT_GT(cs.workers[0].cached_bytes, 0);
}

TEST_P(PortContract, TheSameSchedulingVerdicts) {
  auto profile = scheduler::preset_profile("data-aware");
  ASSERT_TRUE(profile.ok());
  auto fw = scheduler::Framework::create(*profile, scheduler::builtin_plugins());
  ASSERT_TRUE(fw.ok());
  core::Pod pod = pending_pod();
  auto v = (*fw)->evaluate(*view_, pod);
  EXPECT_NE(v.reasons[0].find("cpu"), std::string::npos) << v.reasons[0];
  EXPECT_EQ(v.reasons[1], "") << "b fits and holds the cache";
  EXPECT_NE(v.reasons[2], "") << "c is tainted (and arm64)";
  core::Pod copy = pod;
  std::vector<const core::Pod*> gang = {&copy};
  auto d = (*fw)->place(*view_, gang);
  ASSERT_TRUE(d.placed) << d.reason;
  EXPECT_EQ(d.nodes[0], 1u);
}

// The ActionSink side: a bind shows in the next view of the same port (the
// simulator's accounting; on a live cluster the binding subresource, read
// back through the API), and an unknown pod is an error on both.
TEST_P(PortContract, ABindShowsInTheNextView) {
  core::Pod pod = pending_pod();
  const core::ClusterView* next = nullptr;
  core::Status unknown;
  std::unique_ptr<aqueduct::testing::FakeApiServer> api;
  std::unique_ptr<ApiClient> client;
  std::unique_ptr<ClusterSnapshot> after;
  if (GetParam() == "sim") {
    sim_->expect(pod);
    ASSERT_TRUE(sim_->bind("default/train", "b").is_ok());
    unknown = sim_->bind("default/ghost", "b");
    next = sim_.get();
  } else {
    api = std::make_unique<aqueduct::testing::FakeApiServer>();
    client = aqueduct::testing::client_for(*api);
    SnapshotInput in = api_objects();
    for (const auto& n : in.nodes) api->put("v1/nodes", n);
    for (const auto& p : in.pods) api->put("v1/pods", p);
    api->put("v1/pods", core::pod_to_json(pod));
    ApiActionSink sink(*client, {"JuiceFSRuntime"});
    ASSERT_TRUE(sink.bind("default/train", "b").is_ok());
    unknown = sink.bind("default/ghost", "b");
    in.pods = api->list("v1/pods");
    after = ClusterSnapshot::build(in);
    next = after.get();
  }
  EXPECT_EQ(unknown.code(), core::StatusCode::kNotFound) << unknown.to_string();
  const auto nodes = next->nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[1].free().cpu_milli, 4000) << "train's 4 cpus now count on b";
  EXPECT_EQ(nodes[1].free().memory_bytes, 24LL << 30);
  EXPECT_EQ(nodes[1].pod_count, 1);
  EXPECT_EQ(nodes[0].free().cpu_milli, 2000) << "a is unchanged";
  for (const core::Pod* p : next->pending_pods()) EXPECT_NE(p->meta.name, "train");
}

INSTANTIATE_TEST_SUITE_P(SimAndLive, PortContract, ::testing::Values("sim", "live"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace aqueduct::k8s
