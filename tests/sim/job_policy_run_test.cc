// Job-level policies in the simulated cluster: decisions, preemption costs and
// their accounting, checked against timelines worked out by hand.
#include <gtest/gtest.h>

#include <map>

#include "aqueduct/core/jobs/job_policies.h"
#include "aqueduct/sim/cluster_run.h"
#include "support/experiment_run.h"
#include "support/temp_dir.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::TempDir;
constexpr auto by_id = aqueduct::testing::jobs_by_id;

// One node with 4 GPUs; jobs without input data, run for their duration_s.
// JOBS is the policies.jobs mapping.
std::string experiment(const std::string& jobs, const std::string& extra = "") {
  return "apiVersion: aqueduct.io/v1alpha1\n"
         "kind: Experiment\n"
         "metadata: {name: jobs}\n"
         "spec:\n"
         "  cluster:\n"
         "    nodePools: [{name: g, count: 1, cpu: \"32\", memory: 256Gi, gpu: 4}]\n"
         "  workload:\n"
         "    trace: {file: TRACE, reader: generic-csv}\n"
         "    applications: {train: {computePerGpu: 100MiB/s}}\n" +
         extra + "  policies:\n    jobs: " + jobs + "\n";
}

const char* kLongThenShort =
    "job_id,arrival_s,gpus,duration_s,application\n"
    "long,0,4,1000,train\n"
    "short,100,4,100,train\n";

core::Result<RunResult> run(TempDir& dir, std::string text, const std::string& trace,
                            const RunOptions& options = {}) {
  text.replace(text.find("TRACE"), 5, dir.write("t.csv", trace));
  return aqueduct::testing::run_first_scenario(dir, text, options);
}

TEST(JobPolicyRun, FifoRunsTheLongJobFirst) {
  TempDir dir;
  auto r = run(dir, experiment("{policy: fifo}"), kLongThenShort);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  EXPECT_DOUBLE_EQ(j["long"].end_s, 1000);
  EXPECT_DOUBLE_EQ(j["short"].start_s, 1000);
  EXPECT_DOUBLE_EQ(j["short"].end_s, 1100);
  EXPECT_EQ(r->summary.preemptions, 0);
  EXPECT_EQ(r->summary.job_policy, "fifo");
}

TEST(JobPolicyRun, FifoWithoutBackfillLetsTheHeadOfTheQueueBlock) {
  // 4 GPUs: "a" (2 GPUs, 0-100) runs; "big" (4 GPUs) waits for it; "small"
  // (2 GPUs) fits beside "a" but may only start after "big" without backfill.
  const char* trace =
      "job_id,arrival_s,gpus,duration_s,application\n"
      "a,0,2,100,train\n"
      "big,10,4,100,train\n"
      "small,20,2,10,train\n";
  TempDir d1, d2;
  auto backfill = run(d1, experiment("{policy: fifo}"), trace);
  auto strict = run(d2, experiment("{policy: fifo, args: {backfill: \"false\"}}"), trace);
  ASSERT_TRUE(backfill.ok() && strict.ok());
  EXPECT_DOUBLE_EQ(by_id(*backfill)["small"].start_s, 20);
  EXPECT_DOUBLE_EQ(by_id(*strict)["big"].start_s, 100);
  EXPECT_DOUBLE_EQ(by_id(*strict)["small"].start_s, 200);
}

TEST(JobPolicyRun, AJobLargerThanTheClusterIsNeverPlacedAndSaysWhy) {
  for (const char* policy : {"fifo", "sjf", "srtf", "las", "themis"}) {
    TempDir dir;
    auto r = run(dir, experiment(std::string("{policy: ") + policy + ", round: 60s}"),
                 "job_id,arrival_s,gpus,duration_s,application\n"
                 "ok,0,4,100,train\n"
                 "huge,10,16,100,train\n");
    ASSERT_TRUE(r.ok()) << policy << ": " << r.status().message();
    auto j = by_id(*r);
    EXPECT_DOUBLE_EQ(j["ok"].end_s, 100) << policy;
    EXPECT_LT(j["huge"].start_s, 0) << policy;
    EXPECT_EQ(j["huge"].last_unschedulable_reason, "asks for 16 GPUs; the cluster has 4") << policy;
    EXPECT_EQ(r->summary.never_placed, 1) << policy;
  }
}

TEST(JobPolicyRun, SrtfPreemptsAndTheLongJobResumesWhereItStopped) {
  TempDir dir;
  auto r = run(dir, experiment("{policy: srtf}"), kLongThenShort);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  EXPECT_DOUBLE_EQ(j["short"].start_s, 100);
  EXPECT_DOUBLE_EQ(j["short"].end_s, 200);
  EXPECT_DOUBLE_EQ(j["long"].start_s, 0);   // its first start
  EXPECT_DOUBLE_EQ(j["long"].end_s, 1100);  // 100 s done, 900 s after the short job
  EXPECT_EQ(j["long"].preemptions, 1);
  EXPECT_EQ(j["short"].preemptions, 0);
  EXPECT_EQ(r->summary.preemptions, 1);
}

TEST(JobPolicyRun, CheckpointAndRestartCostsDelayTheTimeline) {
  TempDir dir;
  auto r = run(dir, experiment("{policy: srtf, checkpoint: 10s, restart: 20s}"), kLongThenShort);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  // The long job holds its GPUs until 110 while it saves; the short job then
  // runs 110-210; the long one restores for 20 s and has 900 s left.
  EXPECT_DOUBLE_EQ(j["short"].start_s, 110);
  EXPECT_DOUBLE_EQ(j["short"].end_s, 210);
  EXPECT_DOUBLE_EQ(j["long"].end_s, 1130);
  EXPECT_DOUBLE_EQ(j["long"].preemption_overhead_s, 30);
}

TEST(JobPolicyRun, LasPreemptsWhenTheRunningJobIsDemoted) {
  TempDir dir;
  // Both start in the first queue (below 3,600 GPU-s); the long job, first
  // by arrival, keeps running until it reaches 3,600 GPU-s at t=900 and drops
  // a queue: the policy's wake-up then runs the short job.
  auto r = run(dir, experiment("{policy: las}"), kLongThenShort);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  EXPECT_NEAR(j["short"].start_s, 900, 1e-3);
  EXPECT_NEAR(j["short"].end_s, 1000, 1e-3);
  EXPECT_NEAR(j["long"].end_s, 1100, 1e-3);
  EXPECT_EQ(j["long"].preemptions, 1);
  // 1D LAS with a 50 s threshold: the long job is demoted at 50, so the short
  // one preempts it at 100; at 150 the short one is demoted too, and within
  // the last queue the earlier arrival runs first: the long job resumes
  // (900 s left) and the short one finishes its last 50 s after it.
  TempDir dir2;
  auto r1 =
      run(dir2, experiment("{policy: las, args: {by: time, thresholds: \"50\"}}"), kLongThenShort);
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  auto j1 = by_id(*r1);
  EXPECT_NEAR(j1["short"].start_s, 100, 1e-3);
  EXPECT_NEAR(j1["long"].end_s, 1050, 1e-3);
  EXPECT_NEAR(j1["short"].end_s, 1100, 1e-3);
  EXPECT_EQ(j1["long"].preemptions, 1);
  EXPECT_EQ(j1["short"].preemptions, 1);
}

TEST(JobPolicyRun, RoundsCallThePolicyPeriodically) {
  // A policy that only counts its calls: rounds every 100 s over a 1,000 s job.
  struct Counting final : core::JobPolicy {
    int* calls;
    explicit Counting(int* c) : calls(c) {}
    std::string_view name() const override { return "counting"; }
    core::Result<core::JobDecision> decide(const core::JobSnapshot& s) override {
      ++*calls;
      core::JobDecision d;
      for (const auto& j : s.jobs) d.run_order.push_back(j.id);
      return d;
    }
  };
  int calls = 0;
  core::JobPolicyRegistry reg = core::builtin_job_policies();
  reg.add("counting", "", [&calls](const core::JobPolicyArgs&) {
    return core::Result<std::unique_ptr<core::JobPolicy>>(std::make_unique<Counting>(&calls));
  });
  RunOptions opts;
  opts.job_policies = &reg;
  TempDir dir;
  // A name the built-ins do not have is resolved against the run's registry.
  auto counted = run(dir, experiment("{policy: counting, round: 100s}"),
                     "job_id,arrival_s,gpus,duration_s,application\nj,0,4,1000,train\n", opts);
  ASSERT_TRUE(counted.ok()) << counted.status().message();
  // The arrival, rounds at 100..900 (the one at 1,000 meets the completion's
  // pass at the same instant or comes after the last job), the completion.
  EXPECT_GE(calls, 11);
  EXPECT_LE(calls, 12);
}

TEST(JobPolicyRun, AnImpossibleDecisionStopsTheRunNamingTheJobAndThePolicy) {
  struct Bad final : core::JobPolicy {
    std::string_view name() const override { return "bad"; }
    core::Result<core::JobDecision> decide(const core::JobSnapshot& s) override {
      core::JobDecision d;
      for (const auto& j : s.jobs) d.preempt.push_back(j.id);  // queued jobs: not running
      return d;
    }
  };
  core::JobPolicyRegistry reg = core::builtin_job_policies();
  reg.add("bad", "", [](const core::JobPolicyArgs&) {
    return core::Result<std::unique_ptr<core::JobPolicy>>(std::make_unique<Bad>());
  });
  RunOptions opts;
  opts.job_policies = &reg;
  TempDir dir;
  std::string y = experiment("{policy: fifo}");
  y.replace(y.find("TRACE"), 5, dir.write("t.csv", kLongThenShort));
  core::Diagnostics d;
  auto plan = load_experiment_yaml(y, dir.file("e.yaml"), dir.path().string(), d);
  ASSERT_TRUE(plan.ok());
  ExperimentSpec spec = plan->scenarios[0];
  spec.policies.jobs.policy = "bad";
  auto r = run_experiment(spec, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("job policy \"bad\": job \"long\" in preempt is queued"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("at t="), std::string::npos) << r.status().message();
}

TEST(JobPolicyRun, BadJobsSectionsAreErrorsWithTheirField) {
  TempDir dir;
  auto r = run(dir, experiment("{policy: lass}"), kLongThenShort);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("policies.jobs.policy"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("did you mean"), std::string::npos) << r.status().message();
  TempDir dir2;
  r = run(dir2, experiment("{policy: las, args: {thresholds: \"9,3\"}}"), kLongThenShort);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ascending"), std::string::npos) << r.status().message();
  TempDir dir3;
  r = run(dir3, experiment("{policy: las, checkpoint: -5s}"), kLongThenShort);
  ASSERT_FALSE(r.ok());
  TempDir dir4;
  r = run(dir4, experiment("{policy: las, roundd: 5s}"), kLongThenShort);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("roundd"), std::string::npos) << r.status().message();
}

// A job reading a dataset through the block-level pipeline is preempted
// mid-epoch and resumed on the same node: every byte of every epoch is read
// exactly once, and it ends later than it would alone.
const char* kDataExperiment =
    "apiVersion: aqueduct.io/v1alpha1\n"
    "kind: Experiment\n"
    "metadata: {name: data}\n"
    "spec:\n"
    "  cluster:\n"
    "    nodePools: [{name: g, count: 1, cpu: \"32\", memory: 256Gi, gpu: 4, nicBandwidth: "
    "10Gbps}]\n"
    "  objectStore: {aggregateBandwidth: 1GiB/s, perConnectionBandwidth: 256MiB/s}\n"
    "  fluid:\n"
    "    inline: |\n"
    "      apiVersion: data.fluid.io/v1alpha1\n"
    "      kind: Dataset\n"
    "      metadata: {name: ds}\n"
    "      spec: {mounts: [{mountPoint: \"s3://b/ds\", name: ds}]}\n"
    "    datasets:\n"
    "      ds: {size: 2Gi}\n"
    "  workload:\n"
    "    trace: {file: TRACE, reader: generic-csv}\n"
    "    applications:\n"
    "      read: {dataset: ds, epochs: 2, computePerGpu: 16MiB/s}\n"
    "      other: {computePerGpu: 1MiB/s}\n"
    "  policies:\n"
    "    jobs: {policy: srtf, checkpoint: 5s, restart: 5s}\n";

TEST(JobPolicyRun, APreemptedReaderResumesWithoutLosingOrRereadingBytes) {
  TempDir dir;
  // The reader needs 2 x 2 GiB at 64 MiB/s: 64 s of compute. The other job
  // (20 s) arrives at 10 s and is shorter: it preempts the reader.
  auto r = run(dir, kDataExperiment,
               "job_id,arrival_s,gpus,duration_s,application\n"
               "reader,0,4,,read\n"
               "other,10,4,20,other\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  const std::int64_t want = 2LL * 2 * (1LL << 30);
  EXPECT_EQ(j["reader"].bytes_from_store + j["reader"].bytes_from_cache, want);
  EXPECT_EQ(j["reader"].preemptions, 1);
  EXPECT_NEAR(j["other"].start_s, 15, 1e-6);  // after the reader's 5 s checkpoint
  EXPECT_NEAR(j["other"].end_s, 35, 1e-6);
  TempDir alone_dir;
  auto alone = run(alone_dir, kDataExperiment,
                   "job_id,arrival_s,gpus,duration_s,application\nreader,0,4,,read\n");
  ASSERT_TRUE(alone.ok());
  const double alone_end = by_id(*alone)["reader"].end_s;
  // It lost the checkpoint, the other job's 20 s and the restart: about 30 s.
  EXPECT_GT(j["reader"].end_s, alone_end + 25);
  EXPECT_LT(j["reader"].end_s, alone_end + 35);
  // Same inputs, same outputs.
  TempDir again_dir;
  auto again = run(again_dir, kDataExperiment,
                   "job_id,arrival_s,gpus,duration_s,application\n"
                   "reader,0,4,,read\n"
                   "other,10,4,20,other\n");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(by_id(*again)["reader"].end_s, j["reader"].end_s);
}

TEST(JobPolicyRun, AnalyticalFidelityRefusesToPauseAnEpoch) {
  TempDir dir;
  std::string y = kDataExperiment;
  y.replace(y.find("  policies:"), 0, "  cache: {fidelity: analytical}\n");
  auto r = run(dir, y,
               "job_id,arrival_s,gpus,duration_s,application\n"
               "reader,0,4,,read\n"
               "other,10,4,20,other\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot pause"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace aqueduct::sim
