#include "aqueduct/sim/calibration.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

const char* kExperiment = R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: tiny}
spec:
  cluster:
    nodePools: [{name: n, count: 1, cpu: "8", memory: 32Gi, gpu: 1}]
  cache: {enabled: false}
  workload:
    trace: {file: t.csv, reader: generic-csv}
    applications:
      a: {}
  scenarios:
    - name: slow
    - name: fast
      set: {cluster: {nodePools: [{name: n, count: 1, cpu: "8", memory: 32Gi, gpu: 1, speedFactor: 2}]}}
)";

std::string calibration(const std::string& targets) {
  return "apiVersion: aqueduct.io/v1alpha1\nkind: Calibration\nmetadata: {name: tiny}\n"
         "spec:\n  experiment: e.yaml\n"
         "  source: {citation: c, result: r, setup: s}\n"
         "  targets:\n" +
         targets;
}

TEST(Calibration, MeasuresTargetsAndRatios) {
  TempDir dir;
  dir.write("t.csv", "job_id,arrival_s,gpus,application,duration_s\nj,0,1,a,100\n");
  dir.write("e.yaml", kExperiment);
  std::string f = dir.write(
      "calibration.yaml",
      calibration("    - {name: jct, scenario: slow, metric: job-jct, job: j, published: 100s,\n"
                  "       tolerance: {relative: 0.01}, why: exact}\n"
                  "    - {name: speedup, scenario: slow, ratioTo: fast, metric: mean-jct,\n"
                  "       published: 2, tolerance: {absolute: 0.001}, why: exact}\n"
                  "    - {name: wrong, scenario: slow, metric: mean-jct, published: 1m,\n"
                  "       tolerance: {relative: 0.05}, why: a miss}\n"));
  core::Diagnostics d;
  auto c = load_calibration_file(f, d);
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto rows = run_calibration(*c);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_TRUE((*rows)[0].pass);
  EXPECT_DOUBLE_EQ((*rows)[0].measured, 100);
  EXPECT_TRUE((*rows)[1].pass);
  EXPECT_DOUBLE_EQ((*rows)[1].measured, 2);
  EXPECT_FALSE((*rows)[2].pass);
  EXPECT_NEAR((*rows)[2].error, 40.0 / 60.0, 1e-9);
}

TEST(Calibration, BadFilesNameTheFieldAndLine) {
  TempDir dir;
  dir.write("e.yaml", kExperiment);
  dir.write("t.csv", "job_id,arrival_s,gpus,application,duration_s\nj,0,1,a,100\n");
  struct Case {
    std::string targets, expect;
  };
  std::vector<Case> cases = {
      {"    - {name: x, scenario: nope, metric: mean-jct, published: 1, tolerance: {relative: "
       "0.1}, why: w}\n",
       "no scenario \"nope\""},
      {"    - {name: x, scenario: slow, metric: speed, published: 1, tolerance: {relative: 0.1}, "
       "why: w}\n",
       "expected one of job-throughput"},
      {"    - {name: x, scenario: slow, metric: job-jct, published: 1, tolerance: {relative: "
       "0.1}, why: w}\n",
       "needs the id of the job"},
      {"    - {name: x, scenario: slow, metric: mean-jct, published: fast, tolerance: "
       "{relative: 0.1}, why: w}\n",
       "expected a number, a bandwidth"},
      {"    - {name: x, scenario: slow, metric: mean-jct, published: 1, tolerance: {relative: "
       "0.1, absolute: 2}, why: w}\n",
       "exactly one of relative or absolute"},
      {"    - {name: x, scenario: slow, metric: mean-jct, published: 1, tolerance: {relative: "
       "0.1}}\n",
       "why"},
  };
  for (const auto& c : cases) {
    std::string f = dir.write("calibration.yaml", calibration(c.targets));
    core::Diagnostics d;
    auto r = load_calibration_file(f, d);
    ASSERT_FALSE(r.ok()) << c.targets;
    std::string all;
    for (const auto& x : d.all()) all += x.to_string() + "\n";
    EXPECT_NE(all.find(c.expect), std::string::npos) << all;
    EXPECT_NE(all.find("calibration.yaml:"), std::string::npos) << all;
  }
  core::Diagnostics d;
  EXPECT_FALSE(load_calibration_file(dir.file("missing.yaml"), d).ok());
}

TEST(Calibration, BundledCasesLoad) {
  for (const char* c : {"silod-bound", "shuffled-epoch-hits", "gavel-fifo"}) {
    core::Diagnostics d;
    auto r = load_calibration_file(
        source_path(std::string("examples/calibration/") + c + "/calibration.yaml"), d);
    ASSERT_TRUE(r.ok()) << c << ": " << r.status().message();
    EXPECT_FALSE(r->citation.empty());
    for (const auto& t : r->targets) EXPECT_FALSE(t.why.empty()) << c << " " << t.name;
  }
}

}  // namespace
}  // namespace aqueduct::sim
