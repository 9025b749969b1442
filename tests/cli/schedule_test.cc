#include <gtest/gtest.h>

#include "commands.h"
#include "support/capture.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

using aqueduct::testing::Outcome;

Outcome schedule(ScheduleArgs a) {
  return aqueduct::testing::capture([&] { return run_schedule(a); });
}

TEST(Schedule, ExamplePlacementsAndReasons) {
  ScheduleArgs a;
  a.cluster = source_path("examples/scheduling/cluster.yaml");
  a.objects = {source_path("examples/scheduling/pods.yaml")};
  Outcome r = schedule(a);
  EXPECT_EQ(r.rc, 1) << r.err;  // one pod is unschedulable
  EXPECT_EQ(
      r.out,
      "ml/train-0 -> ecs-a2\n"
      "ml/train-1 -> ecs-b1\n"
      "ml/etl -> arm-b2\n"
      "ml/llm-finetune unschedulable: 0/5 nodes are available: 1 Insufficient cpu, 1 Insufficient "
      "memory, 1 node(s) had untolerated taint {dedicated: llm}, 2 Insufficient nvidia.com/gpu.\n");
  EXPECT_NE(r.err.find("4 pod(s): 3 placed, 1 unschedulable (profile data-aware)"),
            std::string::npos);
}

TEST(Schedule, ExplainShowsInjectedAffinityAndScores) {
  ScheduleArgs a;
  a.cluster = source_path("examples/scheduling/cluster.yaml");
  a.objects = {source_path("examples/scheduling/pods.yaml")};
  a.explain = true;
  a.top = 2;
  Outcome r = schedule(a);
  EXPECT_NE(r.out.find("    preferred: 100 fluid.io/s-ml-imagenet In true\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    preferred: 100 fluid.io/dataset-num DoesNotExist\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("DataLocality"), std::string::npos);
  EXPECT_NE(r.out.find("  ecs-a2 "), std::string::npos);
}

TEST(Schedule, GangAllOrNothing) {
  TempDir dir;
  std::string cluster = dir.write("c.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Cluster
spec:
  nodes:
    - {name: a, cpu: "8", memory: 32Gi, gpu: 4}
    - {name: b, cpu: "8", memory: 32Gi, gpu: 2}
)");
  std::string pods = dir.write("p.yaml", R"(apiVersion: batch/v1
kind: Job
metadata: {name: big}
spec:
  parallelism: 2
  template:
    spec:
      containers:
        - name: c
          resources: {requests: {nvidia.com/gpu: 3}}
)");
  ScheduleArgs a;
  a.cluster = cluster;
  a.objects = {pods};
  Outcome one_by_one = schedule(a);
  EXPECT_NE(one_by_one.out.find("default/big-0 -> a"), std::string::npos) << one_by_one.out;
  a.gang = true;
  Outcome gang = schedule(a);
  EXPECT_NE(gang.out.find("default/big-0 unschedulable"), std::string::npos) << gang.out;
  EXPECT_NE(gang.out.find("default/big-1 unschedulable"), std::string::npos) << gang.out;
  EXPECT_NE(gang.out.find("(pod 2 of a gang of 2)"), std::string::npos) << gang.out;
  EXPECT_EQ(gang.rc, 1);
}

TEST(Schedule, BadClusterFileIsAnErrorWithPosition) {
  TempDir dir;
  std::string cluster = dir.write("c.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Cluster
spec:
  nodes:
    - {name: a, cpu: many, memory: 32Gi}
  caches:
    - dataset: x
      workers: [{node: nowhere, cached: 1Gi}]
  scheduler: fastest
)");
  ScheduleArgs a;
  a.cluster = cluster;
  a.objects = {source_path("examples/scheduling/pods.yaml")};
  Outcome r = schedule(a);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find(cluster + ":5:22: error: spec.nodes[0].cpu: expected a Kubernetes quantity"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("spec.caches[0].workers[0].node: no node named \"nowhere\""),
            std::string::npos);
  EXPECT_NE(r.err.find("unknown scheduler profile \"fastest\""), std::string::npos);
}

TEST(Schedule, PodsWithNodeNameAreBoundAsWrittenAndCount) {
  TempDir dir;
  std::string cluster = dir.write("c.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Cluster
spec:
  scheduler: kube-1.20
  nodes:
    - {name: a, cpu: "8", memory: 32Gi}
    - {name: b, cpu: "8", memory: 32Gi}
)");
  std::string pods = dir.write("p.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: running, labels: {app: web}}
spec:
  nodeName: a
  containers: [{name: c, resources: {requests: {cpu: "1"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: next, labels: {app: web}}
spec:
  containers: [{name: c, resources: {requests: {cpu: "1"}}}]
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
---
apiVersion: v1
kind: Pod
metadata: {name: lost}
spec:
  nodeName: nowhere
  containers: [{name: c}]
)");
  ScheduleArgs a;
  a.cluster = cluster;
  a.objects = {pods};
  Outcome r = schedule(a);
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_EQ(r.out,
            "default/running -> a\n"
            "default/next -> b\n"
            "default/lost unschedulable: spec.nodeName: no node nowhere\n")
      << r.err;
}

}  // namespace
}  // namespace aqueduct::cli
