#include "aqueduct/sim/experiment.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/temp_dir.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

// Every diagnostic as the CLI prints it.
std::vector<std::string> lines_of(const core::Diagnostics& d) {
  std::vector<std::string> lines;
  for (const auto& x : d.all()) lines.push_back(x.to_string());
  return lines;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

TEST(Experiment, QuickstartScenarios) {
  core::Diagnostics d;
  auto plan = load_experiment_file(source_path("examples/quickstart/experiment.yaml"), d);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  for (const auto& x : d.all()) ADD_FAILURE() << x.to_string();
  EXPECT_EQ(plan->name, "quickstart");
  ASSERT_EQ(plan->scenarios.size(), 3u);
  const ExperimentSpec& nc = plan->scenarios[0];
  const ExperimentSpec& c = plan->scenarios[1];
  EXPECT_EQ(nc.scenario, "no-cache");
  EXPECT_FALSE(nc.cache.enabled);
  EXPECT_TRUE(c.cache.enabled);  // the override must not leak into the base spec
  EXPECT_EQ(c.seed, 42u);
  ASSERT_EQ(c.node_pools.size(), 1u);
  EXPECT_EQ(c.node_pools[0].count, 16);
  EXPECT_EQ(c.node_pools[0].allocatable.gpu_milli, 4000);
  EXPECT_EQ(c.node_pools[0].cache_capacity[1], 500LL << 30);
  EXPECT_DOUBLE_EQ(c.node_pools[0].nic_bandwidth, 25e9 / 8);
  EXPECT_DOUBLE_EQ(c.object_store.aggregate_bandwidth, 400.0 * 1048576);
  EXPECT_EQ(plan->scenarios[2].policies.scheduler.name, "data-aware");
  EXPECT_EQ(c.object_store.request_latency, core::from_seconds(0.02));
  EXPECT_EQ(c.fluid.datasets.size(), 6u);
  EXPECT_EQ(c.fluid.datasets[0].size_bytes, 140LL << 30);
  EXPECT_EQ(c.workload.applications.size(), 6u);
  EXPECT_EQ(c.workload.trace->reader, "pollux");
  EXPECT_EQ(c.sample_interval, core::from_seconds(300));
}

TEST(Experiment, InlineFluidAndGenerator) {
  core::Diagnostics d;
  auto plan = load_experiment_file(source_path("tests/data/experiments/generator.yaml"), d);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  for (const auto& x : d.all()) ADD_FAILURE() << x.to_string();
  const auto& s = plan->scenarios[0];
  EXPECT_EQ(s.scenario, "default");
  EXPECT_EQ(s.fluid.datasets.size(), 2u);
  EXPECT_EQ(s.fluid.runtimes.size(), 1u);
  EXPECT_EQ(s.workload.generator->count, 30);
  EXPECT_EQ(s.workload.generator->gpu_choices.size(), 3u);
}

TEST(Experiment, ErrorsNameFileLineAndField) {
  TempDir dir;
  std::string f = dir.write("e.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: bad}
spec:
  seed: -3
  cluster:
    nodePools:
      - {name: a, count: 1, cpu: "8", memory: lots}
  objectStore: {aggregateBandwidth: 10 GB}
  workload:
    trace: {file: missing.csv, reader: pollux}
    applications:
      x: {dataset: nope, epochs: 1, computePerGpu: 1MiB/s}
  policy: {scheduler: fifo}
)");
  core::Diagnostics d;
  auto plan = load_experiment_file(f, d);
  EXPECT_FALSE(plan.ok());
  const std::vector<std::string> lines = lines_of(d);
  auto has = [&](const std::string& needle) { return any_contains(lines, needle); };
  EXPECT_TRUE(has(f + ":5:9: error: spec.seed: expected an integer in [0,"))
      << ::testing::PrintToString(lines);
  EXPECT_TRUE(
      has(f + ":8:47: error: spec.cluster.nodePools[0].memory: expected a Kubernetes quantity"));
  EXPECT_TRUE(has("spec.objectStore.aggregateBandwidth: expected a bandwidth"));
  EXPECT_TRUE(has("spec.workload.trace.file: trace file not found: " + dir.file("missing.csv")));
  EXPECT_TRUE(has("spec.workload.applications.x.dataset: no Dataset named default/nope"));
  EXPECT_TRUE(has("error: spec.policy: unknown field"));
}

// Regression (found by fuzzing): a dataset size or application entry with no
// value, or a key that is not a name, was dereferenced as if present.
TEST(Experiment, MappingEntriesWithoutValuesAreErrorsNotCrashes) {
  TempDir dir;
  std::string f = dir.write("e.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: bad}
spec:
  cluster:
    nodePools:
      - {name: a, count: 1, cpu: "8", memory: 8Gi, gpu: 1}
  fluid:
    inline: |
      apiVersion: data.fluid.io/v1alpha1
      kind: Dataset
      metadata: {name: d}
      spec: {mounts: [{mountPoint: "oss://b/d"}]}
    datasets:
      d: {size: 1Gi}
      empty:
      [a, list]: {size: 1Gi}
  workload:
    trace: {file: t.csv, reader: pollux}
    applications:
      x: {dataset: d, epochs: 1, computePerGpu: 1MiB/s}
      y:
)");
  core::Diagnostics d;
  auto plan = load_experiment_file(f, d);
  EXPECT_FALSE(plan.ok());
  const std::vector<std::string> lines = lines_of(d);
  auto has = [&](const std::string& needle) { return any_contains(lines, needle); };
  EXPECT_TRUE(
      has(f + ":16:7: error: spec.fluid.datasets.empty: expected {size, files}, got nothing"))
      << ::testing::PrintToString(lines);
  EXPECT_TRUE(has("error: spec.fluid.datasets: expected names as keys, got a list"));
  EXPECT_TRUE(has(
      "error: spec.workload.applications.y: expected the application's parameters, got nothing"));
}

TEST(Experiment, ImpossibleDataPathValuesNameTheField) {
  TempDir dir;
  dir.write("t.csv", "job_id,arrival_s,gpus,application\nj,0,1,x\n");
  std::string f = dir.write("e.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: bad}
spec:
  cluster:
    nodePools:
      - {name: a, count: 1, cpu: "8", memory: 8Gi, nicBandwidth: 0Gbps}
  objectStore: {aggregateBandwidth: -1GiB/s, perConnectionBandwidth: 0MiB/s}
  cache: {mediumBandwidth: {MEM: 0GiB/s}}
  workload:
    trace: {file: t.csv, reader: generic-csv}
    inputPipeline: {workersPerGpu: 0, prefetchFactor: 2}
    applications:
      x: {computePerGpu: 1MiB/s, inputPipeline: {prefetchFactor: 0}}
)");
  core::Diagnostics d;
  EXPECT_FALSE(load_experiment_file(f, d).ok());
  std::string all;
  for (const auto& x : d.all()) all += x.to_string() + "\n";
  for (const char* field :
       {"spec.cluster.nodePools[0].nicBandwidth: expected a positive bandwidth",
        "spec.objectStore.aggregateBandwidth: expected a bandwidth",
        "spec.objectStore.perConnectionBandwidth: expected a positive bandwidth",
        "spec.cache.mediumBandwidth.MEM: expected a positive bandwidth",
        "spec.workload.inputPipeline.workersPerGpu: expected an integer in [1,",
        "spec.workload.applications.x.inputPipeline.prefetchFactor: expected an integer in [1,"}) {
    EXPECT_NE(all.find(field), std::string::npos) << field << "\n" << all;
  }
}

// Aqueduct's own files are strict: a misspelled key is an error naming the
// field, its line and the key it was probably meant to be; --lenient makes it
// a warning. Fluid files the experiment names stay lenient.
TEST(Experiment, UnknownFieldsAreErrorsWithASuggestionUnlessLenient) {
  TempDir dir;
  dir.write("t.csv", "job_id,arrival_s,gpus,application\nj,0,1,x\n");
  dir.write("fluid.yaml", R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: d}
spec:
  mounts: [{mountPoint: "s3://b/d", name: d}]
  someFieldFluidAddsLater: 1
)");
  std::string f = dir.write("e.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: typo}
spec:
  cluster:
    nodePools:
      - {name: a, count: 1, cpu: "8", memory: 8Gi, gpu: 1}
  fluid: {files: [fluid.yaml]}
  polcies: {eviction: lru}
  workload:
    trace: {file: t.csv, reader: generic-csv}
    applications:
      x: {computePerGpu: 1MiB/s, datset: d}
  scenarios:
    - {name: one, set: {seeed: 3}}
)");
  core::Diagnostics strict;
  EXPECT_FALSE(load_experiment_file(f, strict).ok());
  std::string all;
  for (const auto& x : strict.all()) all += x.to_string() + "\n";
  EXPECT_NE(all.find("e.yaml:9:3: error: spec.polcies: unknown field (not part of the experiment "
                     "spec) (did you mean \"policies\"?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("error: spec.workload.applications.x.datset: unknown field"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("(did you mean \"dataset\"?)"), std::string::npos) << all;
  EXPECT_NE(all.find("error: spec.seeed: unknown field"), std::string::npos) << all;
  EXPECT_NE(all.find("(did you mean \"seed\"?)"), std::string::npos) << all;
  // The Fluid file's unknown field is a warning in both modes.
  EXPECT_NE(all.find("warning: spec.someFieldFluidAddsLater: unknown field, ignored"),
            std::string::npos)
      << all;

  core::Diagnostics lenient;
  auto plan = load_experiment_file(f, lenient, core::LoadOptions{.lenient = true});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(lenient.error_count(), 0);
  std::string warned;
  for (const auto& x : lenient.all()) warned += x.to_string() + "\n";
  EXPECT_NE(warned.find("warning: spec.polcies: unknown field, ignored"), std::string::npos)
      << warned;
}

TEST(Experiment, RejectsWrongKindAndEmpty) {
  TempDir dir;
  core::Diagnostics d1, d2;
  EXPECT_FALSE(load_experiment_file(dir.write("a.yaml", "apiVersion: v1\nkind: Pod\n"), d1).ok());
  EXPECT_GE(d1.error_count(), 2);
  EXPECT_FALSE(load_experiment_file(dir.write("b.yaml", "\n# nothing\n"), d2).ok());
  EXPECT_NE(d2.all()[0].message.find("no YAML documents"), std::string::npos);
  core::Diagnostics d3;
  EXPECT_FALSE(load_experiment_file(dir.file("none.yaml"), d3).ok());
  EXPECT_NE(d3.all()[0].message.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::sim
