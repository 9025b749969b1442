// Job policies that size dataset caches (JobDecision::cache_bytes) in the
// simulated cluster: SiloD's plan applied to the workers' stores, fixed plans,
// and the errors for plans the cluster cannot carry out.
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

constexpr std::int64_t kGi = 1LL << 30;

// Two datasets, each with a one-worker runtime caching 1Gi in memory (a 2Gi
// budget): "hot" (1Gi, read 3 times by job h) and "big" (4Gi, read twice by
// job b), each at 64MiB/s. The store serves 64MiB/s in all.
std::string experiment(const std::string& jobs, const std::string& fidelity = "block") {
  std::string runtimes;
  for (const char* name : {"hot", "big"}) {
    runtimes += std::string("      ---\n") +
                "      apiVersion: data.fluid.io/v1alpha1\n"
                "      kind: Dataset\n"
                "      metadata: {name: " +
                name +
                "}\n"
                "      spec: {mounts: [{mountPoint: \"s3://b/" +
                name + "\", name: " + name +
                "}]}\n"
                "      ---\n"
                "      apiVersion: data.fluid.io/v1alpha1\n"
                "      kind: AlluxioRuntime\n"
                "      metadata: {name: " +
                name +
                "}\n"
                "      spec:\n"
                "        replicas: 1\n"
                "        tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi}]}\n";
  }
  return "apiVersion: aqueduct.io/v1alpha1\n"
         "kind: Experiment\n"
         "metadata: {name: shares}\n"
         "spec:\n"
         "  sampleInterval: 10s\n"
         "  cluster:\n"
         "    nodePools: [{name: g, count: 2, cpu: \"32\", memory: 256Gi, gpu: 4, cache: {MEM: "
         "8Gi}}]\n"
         "  objectStore: {aggregateBandwidth: 64MiB/s, perConnectionBandwidth: 64MiB/s}\n"
         "  fluid:\n"
         "    inline: |\n" +
         runtimes +
         "    datasets: {hot: {size: 1Gi}, big: {size: 4Gi}}\n"
         "  cache: {fidelity: " +
         fidelity +
         "}\n"
         "  workload:\n"
         "    trace: {file: TRACE, reader: generic-csv}\n"
         "    applications:\n"
         "      h: {dataset: hot, epochs: 3, computePerGpu: 64MiB/s}\n"
         "      b: {dataset: big, epochs: 2, computePerGpu: 64MiB/s}\n"
         "  policies:\n"
         "    eviction: " +
         std::string(fidelity == "block" ? "keep" : "lru") +
         "\n"
         "    jobs: " +
         jobs + "\n";
}

core::Result<RunResult> run(TempDir& dir, std::string text, const RunOptions& options = {}) {
  text.replace(text.find("TRACE"), 5,
               dir.write("t.csv",
                         "job_id,arrival_s,gpus,duration_s,application\n"
                         "h,0,1,,h\n"
                         "b,0,1,,b\n"));
  return aqueduct::testing::run_first_scenario(dir, text, options);
}

// Gives the datasets fixed capacities at every decision.
struct FixedShares final : core::JobPolicy {
  std::map<std::string, std::int64_t, std::less<>> shares;
  std::string_view name() const override { return "fixed"; }
  core::Result<core::JobDecision> decide(const core::JobSnapshot& s) override {
    core::JobDecision d;
    for (const auto& j : s.jobs) d.run_order.push_back(j.id);
    d.cache_bytes = shares;
    return d;
  }
};

core::JobPolicyRegistry with_fixed(std::map<std::string, std::int64_t, std::less<>> shares) {
  core::JobPolicyRegistry reg = core::builtin_job_policies();
  reg.add("fixed", "", [shares](const core::JobPolicyArgs&) {
    auto p = std::make_unique<FixedShares>();
    p->shares = shares;
    return core::Result<std::unique_ptr<core::JobPolicy>>(std::move(p));
  });
  return reg;
}

TEST(CacheShareRun, SiloDCachesTheDatasetThatSavesMostAndItsJobReadsItOnce) {
  // hot saves 64MiB/s per 1Gi, big 64MiB/s per 4Gi: SiloD gives hot all it
  // needs to hold the whole dataset, so h fetches it once and hits twice; as
  // configured (1Gi under a 0.95 watermark) h cannot hold all of it.
  TempDir d1, d2;
  auto silod = run(d1, experiment("{policy: silod}"));
  auto sjf = run(d2, experiment("{policy: sjf}"));
  ASSERT_TRUE(silod.ok()) << silod.status().message();
  ASSERT_TRUE(sjf.ok()) << sjf.status().message();
  auto a = by_id(*silod);
  auto b = by_id(*sjf);
  EXPECT_EQ(a["h"].bytes_from_store, kGi);
  EXPECT_EQ(a["h"].bytes_from_cache, 2 * kGi);
  EXPECT_GT(b["h"].bytes_from_store, kGi);
  // The capacities SiloD set, as sampled: hot above its size while h runs
  // (then big takes the budget), both together within the 2Gi budget.
  bool seen = false;
  std::map<double, std::int64_t> total;
  for (const auto& c : silod->cache_status) {
    total[c.time_s] += c.capacity_bytes;
    if (c.dataset == "default/hot" && c.time_s > 0 && c.time_s < a["h"].end_s) {
      EXPECT_GT(c.capacity_bytes, kGi);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  for (const auto& [t, bytes] : total) EXPECT_LE(bytes, 2 * kGi) << "t=" << t;
}

TEST(CacheShareRun, AFixedPlanShrinksOneCacheToNothingAndItsJobReadsEverythingRemotely) {
  auto reg = with_fixed({{"default/hot", 0}, {"default/big", 2 * kGi}});
  RunOptions opts;
  opts.job_policies = &reg;
  TempDir dir;
  auto r = run(dir, experiment("{policy: fixed}"), opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto j = by_id(*r);
  EXPECT_EQ(j["h"].bytes_from_cache, 0);
  EXPECT_EQ(j["h"].bytes_from_store, 3 * kGi);
  for (const auto& c : r->cache_status) {
    if (c.time_s == 0) continue;
    EXPECT_EQ(c.capacity_bytes, c.dataset == "default/hot" ? 0 : 2 * kGi) << c.dataset;
  }
}

TEST(CacheShareRun, ImpossiblePlansStopTheRunNamingThePolicyAndTheDataset) {
  {
    auto reg = with_fixed({{"default/nope", kGi}});
    RunOptions opts;
    opts.job_policies = &reg;
    TempDir dir;
    auto r = run(dir, experiment("{policy: fixed}"), opts);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(
                  "job policy \"fixed\": dataset \"default/nope\" in cache_bytes has no cache "
                  "(datasets with one: default/big, default/hot)"),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("at t=0s"), std::string::npos) << r.status().message();
  }
  {
    auto reg = with_fixed({{"default/hot", 3 * kGi}});
    RunOptions opts;
    opts.job_policies = &reg;
    TempDir dir;
    auto r = run(dir, experiment("{policy: fixed}"), opts);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("the cluster's cache budget is 2147483648"),
              std::string::npos)
        << r.status().message();
  }
  {
    TempDir dir;
    auto r = run(dir, experiment("{policy: silod}", "analytical"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("cache.fidelity analytical"), std::string::npos)
        << r.status().message();
  }
}

TEST(CacheShareRun, SiloDRunsAreDeterministic) {
  TempDir d1, d2;
  auto a = run(d1, experiment("{policy: silod}"));
  auto b = run(d2, experiment("{policy: silod}"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->jobs.size(), b->jobs.size());
  for (std::size_t i = 0; i < a->jobs.size(); ++i) {
    EXPECT_EQ(a->jobs[i].end_s, b->jobs[i].end_s);
    EXPECT_EQ(a->jobs[i].bytes_from_cache, b->jobs[i].bytes_from_cache);
  }
  ASSERT_EQ(a->cache_status.size(), b->cache_status.size());
  for (std::size_t i = 0; i < a->cache_status.size(); ++i) {
    EXPECT_EQ(a->cache_status[i].capacity_bytes, b->cache_status[i].capacity_bytes);
  }
}

}  // namespace
}  // namespace aqueduct::sim
