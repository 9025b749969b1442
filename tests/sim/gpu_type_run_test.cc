// GPU types in the simulated cluster: pools' gpuType, per-type job speeds from
// Gavel's throughput table, placements pinned by a job policy, and the errors
// for types that do not exist.
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

// A 1-GPU v100 node and a 1-GPU k80 node; two jobs from a philly-gavel trace.
// "Fast" does 4 steps/s on a v100 and 1 on a k80; "Flat" 1 on both.
std::string experiment(TempDir& dir, const std::string& jobs, const std::string& pools = "") {
  const std::string table = dir.write("tp.csv",
                                      "worker_type,job_type,scale_factor,steps_per_s\n"
                                      "v100,Fast (batch size 1),1,4\n"
                                      "k80,Fast (batch size 1),1,1\n"
                                      "v100,Flat (batch size 1),1,1\n"
                                      "k80,Flat (batch size 1),1,1\n");
  const std::string trace = dir.write("t.csv",
                                      "job_type,num_steps_arg,needs_data_dir,total_steps,"
                                      "arrival_time_s,num_gpus\n"
                                      "Fast (batch size 1),-n,0,400,0,1\n"
                                      "Flat (batch size 1),-n,0,100,0,1\n");
  return "apiVersion: aqueduct.io/v1alpha1\n"
         "kind: Experiment\n"
         "metadata: {name: types}\n"
         "spec:\n"
         "  cluster:\n"
         "    nodePools:\n" +
         (pools.empty()
              ? "      - {name: v, count: 1, cpu: \"8\", memory: 64Gi, gpu: 1, gpuType: v100}\n"
                "      - {name: k, count: 1, cpu: \"8\", memory: 64Gi, gpu: 1, gpuType: k80}\n"
              : pools) +
         "  cache: {enabled: false}\n"
         "  workload:\n"
         "    trace: {file: " +
         trace + ", reader: philly-gavel, throughputs: " + table +
         ", workerType: v100}\n"
         "    applications: {Fast: {cpuPerGpu: \"1\"}, Flat: {cpuPerGpu: \"1\"}}\n"
         "  policies:\n    jobs: " +
         jobs + "\n";
}

core::Result<RunResult> run(TempDir& dir, const std::string& text, const RunOptions& o = {}) {
  return aqueduct::testing::run_first_scenario(dir, text, o);
}

TEST(GpuTypeRun, GavelPutsEachJobOnTheTypeItGainsFromAndItRunsAtThatSpeed) {
  // Fast's run time is 400 steps / 4 = 100 s on the reference v100 and 400 s
  // on a k80; Flat's 100 s on either. Gavel gives the v100 to Fast.
  TempDir dir;
  auto r = run(dir, experiment(dir, "{policy: gavel, round: 6m}"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  ASSERT_EQ(j.size(), 2u);
  for (auto& [id, rec] : j) {
    SCOPED_TRACE(id);
    EXPECT_DOUBLE_EQ(rec.start_s, 0);
    EXPECT_DOUBLE_EQ(rec.end_s, 100);
  }
  for (auto& [id, rec] : j) {
    EXPECT_EQ(rec.nodes, rec.application == "Fast" ? "v-0000" : "k-0000") << id;
  }
  EXPECT_EQ(r->summary.preemptions, 0);
}

TEST(GpuTypeRun, AJobPinnedToTheSlowTypeRunsAtItsSpeedThere) {
  // A policy that sends every job to the k80: Fast takes 400 s there, and
  // Flat waits for the one k80 although the v100 is free.
  struct Slow final : core::JobPolicy {
    std::string_view name() const override { return "slow"; }
    core::Result<core::JobDecision> decide(const core::JobSnapshot& s) override {
      core::JobDecision d;
      for (const auto& j : s.jobs) {
        d.run_order.push_back(j.id);
        if (j.status == core::JobStatus::kQueued) d.gpu_type[j.id] = "k80";
      }
      return d;
    }
  };
  core::JobPolicyRegistry reg = core::builtin_job_policies();
  reg.add("slow", "", [](const core::JobPolicyArgs&) {
    return core::Result<std::unique_ptr<core::JobPolicy>>(std::make_unique<Slow>());
  });
  RunOptions opts;
  opts.job_policies = &reg;
  TempDir dir;
  auto r = run(dir, experiment(dir, "{policy: slow}"), opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  ASSERT_EQ(j.size(), 2u);
  const JobRecord* fast = nullptr;
  const JobRecord* flat = nullptr;
  for (auto& [id, rec] : j) (rec.application == "Fast" ? fast : flat) = &rec;
  ASSERT_TRUE(fast && flat);
  EXPECT_NE(fast->nodes.find("k-0000"), std::string::npos) << fast->nodes;
  EXPECT_NE(flat->nodes.find("k-0000"), std::string::npos) << flat->nodes;
  // Trace order: Fast first (0-400 s), then Flat (400-500 s).
  EXPECT_DOUBLE_EQ(fast->end_s, 400);
  EXPECT_DOUBLE_EQ(flat->start_s, 400);
  EXPECT_DOUBLE_EQ(flat->end_s, 500);
}

TEST(GpuTypeRun, ATypeNoNodeHasStopsTheRunNamingTheJobAndThePolicy) {
  struct Ghost final : core::JobPolicy {
    std::string_view name() const override { return "ghost"; }
    core::Result<core::JobDecision> decide(const core::JobSnapshot& s) override {
      core::JobDecision d;
      for (const auto& j : s.jobs) {
        d.run_order.push_back(j.id);
        d.gpu_type[j.id] = "a100";
      }
      return d;
    }
  };
  core::JobPolicyRegistry reg = core::builtin_job_policies();
  reg.add("ghost", "", [](const core::JobPolicyArgs&) {
    return core::Result<std::unique_ptr<core::JobPolicy>>(std::make_unique<Ghost>());
  });
  RunOptions opts;
  opts.job_policies = &reg;
  TempDir dir;
  auto r = run(dir, experiment(dir, "{policy: ghost}"), opts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("job policy \"ghost\": job \""), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("\"a100\", which no node has (the cluster has: k80, v100)"),
            std::string::npos)
      << r.status().message();
}

TEST(GpuTypeRun, ConfigurationErrorsNameTheirField) {
  TempDir d1;
  auto r = run(d1, experiment(d1, "{policy: gavel}"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("policies.jobs.round"), std::string::npos)
      << r.status().message();
  TempDir d2;
  r = run(d2, experiment(d2, "{policy: fifo}",
                         "      - {name: v, count: 1, cpu: \"8\", memory: 64Gi, gpu: 1, gpuType: "
                         "v100, labels: {aqueduct.io/gpu-type: k80}}\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gpuType"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("differs from label"), std::string::npos)
      << r.status().message();
}

TEST(GpuTypeRun, GavelRunsAreDeterministic) {
  TempDir d1, d2;
  auto a = run(d1, experiment(d1, "{policy: gavel, round: 1m, args: {aware: \"false\"}}"));
  auto b = run(d2, experiment(d2, "{policy: gavel, round: 1m, args: {aware: \"false\"}}"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->jobs.size(), b->jobs.size());
  for (std::size_t i = 0; i < a->jobs.size(); ++i) {
    EXPECT_EQ(a->jobs[i].nodes, b->jobs[i].nodes);
    EXPECT_EQ(a->jobs[i].end_s, b->jobs[i].end_s);
  }
}

}  // namespace
}  // namespace aqueduct::sim
