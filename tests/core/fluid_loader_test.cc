#include "aqueduct/core/fluid/fluid_loader.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace aqueduct::core {
namespace {

using aqueduct::testing::source_path;

FluidObjects load(const std::string& text, Diagnostics& d) {
  return load_fluid_yaml(text, "t.yaml", d);
}

TEST(FluidLoader, QuickstartFilesLoadWithoutDiagnostics) {
  Diagnostics d;
  FluidObjects o = load_fluid_file(source_path("examples/quickstart/fluid.yaml"), d);
  for (const auto& x : d.all()) ADD_FAILURE() << x.to_string();
  EXPECT_EQ(o.datasets.size(), 6u);
  EXPECT_EQ(o.runtimes.size(), 6u);
  EXPECT_EQ(o.skipped_objects, 1);  // the Secret
  const Dataset& ds = o.datasets[0];
  EXPECT_EQ(ds.meta.name, "imagenet");
  EXPECT_EQ(ds.meta.namespace_, "default");
  ASSERT_EQ(ds.mounts.size(), 1u);
  EXPECT_EQ(ds.mounts[0].mount_point, "oss://datasets/imagenet/");
  EXPECT_EQ(ds.mounts[0].path, "/imagenet");
  ASSERT_EQ(ds.mounts[0].encrypt_options.size(), 2u);
  EXPECT_EQ(ds.mounts[0].encrypt_options[1].secret_key_ref.name, "oss-credentials");
  EXPECT_EQ(ds.mounts[0].encrypt_options[1].secret_key_ref.key, "fs.oss.accessKeySecret");
  const Runtime* rt = o.runtime_for(ds);
  ASSERT_NE(rt, nullptr);
  EXPECT_EQ(rt->engine, RuntimeEngine::kAlluxio);
  EXPECT_EQ(rt->replicas, 4);
  ASSERT_EQ(rt->tiers.size(), 2u);
  EXPECT_EQ(rt->tiers[0].medium, MediumType::kMem);
  EXPECT_EQ(rt->tiers[0].quota_bytes, 16LL << 30);
  EXPECT_DOUBLE_EQ(rt->tiers[0].high, 0.95);
  EXPECT_DOUBLE_EQ(rt->tiers[0].low, 0.7);
  EXPECT_EQ(rt->tiers[1].paths, std::vector<std::string>{"/mnt/ssd0/cache"});
  EXPECT_EQ(rt->worker_quota_bytes(), 46LL << 30);
  EXPECT_EQ(o.runtimes[2].engine, RuntimeEngine::kJuiceFs);
}

TEST(FluidLoader, SecretValuesAreNeverKept) {
  Diagnostics d;
  FluidObjects o = load_fluid_file(source_path("examples/quickstart/fluid.yaml"), d);
  // The Secret object is skipped whole; the Dataset keeps only the reference.
  for (const auto& ds : o.datasets) {
    for (const auto& m : ds.mounts) {
      for (const auto& [k, v] : m.options) EXPECT_EQ(v.find("EXAMPLE-KEY"), std::string::npos);
    }
  }
}

TEST(FluidLoader, AllRuntimeKindsAndDataLoad) {
  const char* text = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: d, namespace: ns}
spec:
  mounts: [{mountPoint: "s3://b/p", name: p}]
  placement: Shared
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: zone, operator: In, values: [a]}]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: d, namespace: ns}
spec: {replicas: 3, tieredstore: {levels: [{mediumtype: SSD, path: "/a,/b", quotaList: "1Gi,2Gi", high: "0.9", low: "0.2"}]}}
---
apiVersion: data.fluid.io/v1alpha1
kind: GooseFSRuntime
metadata: {name: g}
---
apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntime
metadata: {name: t}
spec: {profileName: p}
---
apiVersion: data.fluid.io/v1alpha1
kind: EFCRuntime
metadata: {name: e}
---
apiVersion: data.fluid.io/v1alpha1
kind: VineyardRuntime
metadata: {name: v}
---
apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: warm, namespace: ns}
spec:
  dataset: {name: d, namespace: ns}
  loadMetadata: true
  target: [{path: /p/train, replicas: 2}]
  policy: Cron
  schedule: "0 * * * *"
)";
  Diagnostics d;
  FluidObjects o = load(text, d);
  for (const auto& x : d.all()) ADD_FAILURE() << x.to_string();
  ASSERT_EQ(o.runtimes.size(), 5u);
  EXPECT_EQ(o.datasets[0].placement, PlacementMode::kShared);
  EXPECT_TRUE(o.datasets[0].node_affinity.has_required);
  const Runtime& j = o.runtimes[0];
  EXPECT_EQ(j.engine, RuntimeEngine::kJindo);
  EXPECT_EQ(j.tiers[0].quota_bytes, 3LL << 30);
  EXPECT_EQ(j.tiers[0].paths.size(), 2u);
  EXPECT_EQ(o.runtimes[1].engine, RuntimeEngine::kGooseFs);
  EXPECT_EQ(o.runtimes[2].engine, RuntimeEngine::kThin);
  EXPECT_EQ(o.runtimes[3].engine, RuntimeEngine::kEfc);
  EXPECT_EQ(o.runtimes[4].engine, RuntimeEngine::kVineyard);
  ASSERT_EQ(o.dataloads.size(), 1u);
  EXPECT_EQ(o.dataloads[0].policy, DataLoadPolicy::kCron);
  EXPECT_EQ(o.dataloads[0].targets[0].replicas, 2);
}

TEST(FluidLoader, Workloads) {
  Diagnostics d;
  FluidObjects o = load_fluid_file(source_path("tests/data/fluid/workloads.yaml"), d);
  for (const auto& x : d.all()) ADD_FAILURE() << x.to_string();
  ASSERT_EQ(o.workloads.size(), 4u);
  const Workload& pod = o.workloads[0];
  EXPECT_EQ(pod.kind, "Pod");
  const Pod& p = pod.pod_template;
  EXPECT_EQ(p.claim_names(), std::vector<std::string>{"hbase"});
  EXPECT_EQ(p.containers[0].requests.cpu_milli, 500);
  EXPECT_EQ(p.containers[0].requests.memory_bytes, 1LL << 30);
  EXPECT_EQ(p.containers[0].limits.gpu_milli, 1000);
  EXPECT_EQ(p.node_selector.at("kubernetes.io/arch"), "amd64");
  ASSERT_EQ(p.node_affinity.required.size(), 2u);
  EXPECT_EQ(p.node_affinity.required[0].match_expressions[0].op, SelectorOp::kIn);
  EXPECT_EQ(p.node_affinity.required[1].match_expressions[0].op, SelectorOp::kExists);
  ASSERT_EQ(p.node_affinity.preferred.size(), 1u);
  EXPECT_EQ(p.node_affinity.preferred[0].weight, 100);
  ASSERT_EQ(p.tolerations.size(), 1u);
  EXPECT_EQ(p.tolerations[0].op, "Exists");
  EXPECT_EQ(p.meta.labels.at("fluid.io/dataset.hbase.sched"), "required");

  const Workload& job = o.workloads[1];
  EXPECT_EQ(job.kind, "Job");
  EXPECT_EQ(job.replicas, 4);
  EXPECT_EQ(job.meta.namespace_, "research");
  EXPECT_EQ(job.pod_template.meta.namespace_, "research");
  EXPECT_EQ(job.pod_template.requests().cpu_milli, 100);
  EXPECT_EQ(job.pod_template.requests().gpu_milli, 2000);
  EXPECT_EQ(job.pod_template.owner_kind, "Job");
  EXPECT_EQ(o.workloads[2].replicas, 3);
  EXPECT_EQ(o.workloads[3].kind, "StatefulSet");
}

TEST(FluidLoader, UnknownFieldsAreWarningsWithPositions) {
  Diagnostics d;
  load_fluid_file(source_path("tests/data/fluid/unknown-field.yaml"), d);
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.error_count(), 0);
  EXPECT_EQ(d.all()[0].pos.line, 9);
  EXPECT_EQ(d.all()[0].pos.column, 3);
  EXPECT_EQ(d.all()[0].field, "spec.colour");
}

TEST(FluidLoader, ReportsEveryProblemNotJustTheFirst) {
  const char* text = R"(apiVersion: data.fluid.io/v1alpha1
kind: AlluxioRuntime
metadata: {name: x}
spec:
  replicas: -1
  tieredstore:
    levels:
      - {mediumtype: NVME, quota: 1Gi}
      - {mediumtype: MEM, quota: lots, high: "1.5"}
      - {mediumtype: SSD}
)";
  Diagnostics d;
  load(text, d);
  EXPECT_EQ(d.error_count(), 5) << [&] {
    std::string s;
    for (const auto& x : d.all()) s += x.to_string() + "\n";
    return s;
  }();
}

TEST(FluidLoader, WrongApiVersionAndBadSelector) {
  const char* text = R"(apiVersion: data.fluid.io/v1beta1
kind: Dataset
metadata: {name: x}
spec: {mounts: [{mountPoint: "s3://a"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions: [{key: k, operator: Exists, values: [v]}, {key: g, operator: Gt, values: [1, 2]}]
)";
  Diagnostics d;
  load(text, d);
  ASSERT_EQ(d.error_count(), 3);
  EXPECT_NE(d.all()[0].message.find("expected data.fluid.io/v1alpha1"), std::string::npos);
  EXPECT_NE(d.all()[1].message.find("takes no values"), std::string::npos);
  EXPECT_NE(d.all()[2].message.find("exactly one"), std::string::npos);
}

TEST(FluidLoader, ReferencesCheckedWhenComplete) {
  const char* text = R"(apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: l}
spec: {dataset: {name: missing}}
)";
  Diagnostics partial, complete;
  FluidObjects o = load(text, partial);
  check_references(o, partial, false);
  EXPECT_EQ(partial.error_count(), 0);
  check_references(o, complete, true);
  EXPECT_EQ(complete.error_count(), 1);
}

// Regression: a self-referencing alias in a Fluid object is an error at its
// line, not an endless walk.
TEST(FluidLoader, SelfReferencingAliasIsAnErrorAtItsLine) {
  Diagnostics d;
  load("apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: &m {name: x, labels: *m}\n",
       d);
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_EQ(d.all()[0].pos.line, 3);
  EXPECT_NE(d.all()[0].message.find("self-referencing alias"), std::string::npos)
      << d.all()[0].to_string();
}

}  // namespace
}  // namespace aqueduct::core
