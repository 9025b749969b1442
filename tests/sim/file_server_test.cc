// File servers (NFS, node-local disks) and the nodes' page caches in the
// simulated data path, with timings computed by hand.
#include <gtest/gtest.h>

#include <string>

#include "aqueduct/sim/cluster_run.h"
#include "support/temp_dir.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::TempDir;

// Two nodes of 8 GPUs; a 1,000 MB dataset (ten 100 MB blocks) on a file
// server of 100 MB/s; jobs of 8 GPUs consume 1 GB/s with 8 loaders.
std::string experiment(const std::string& scope, bool page_cache, const std::string& mem_per_gpu,
                       int epochs) {
  return R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: nfs}
spec:
  seed: 1
  cluster:
    nodePools:
      - {name: n, count: 2, cpu: "32", memory: 64Gi, gpu: 8, nicBandwidth: 100Gbps, zone: z, region: r}
    pageCache: {enabled: )" +
         std::string(page_cache ? "true" : "false") + R"(}
  fileServers:
    - {name: nas, mounts: ["nfs://nas/"], bandwidth: 100MB/s, latency: 0s, scope: )" +
         scope + R"(}
  fluid:
    inline: |
      apiVersion: data.fluid.io/v1alpha1
      kind: Dataset
      metadata: {name: ds}
      spec: {mounts: [{mountPoint: "nfs://nas/export/ds", name: ds}]}
    datasets:
      ds: {size: 1000M}
  cache: {enabled: false, blockSize: 100M}
  workload:
    trace: {file: TRACE, reader: generic-csv}
    inputPipeline: {workersPerGpu: 1, prefetchFactor: 2}
    applications:
      train: {dataset: ds, epochs: )" +
         std::to_string(epochs) + R"(, computePerGpu: 125MB/s, cpuPerGpu: "1", memoryPerGpu: )" +
         mem_per_gpu + R"(}
)";
}

RunResult run(TempDir& dir, std::string text, const std::string& trace) {
  text.replace(text.find("TRACE"), 5, dir.write("t.csv", trace));
  core::Diagnostics d;
  auto plan = load_experiment_yaml(text, dir.file("e.yaml"), dir.path().string(), d);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  auto r = run_experiment(plan->scenarios[0]);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

const char* kOneJob = "job_id,arrival_s,gpus,application\nj,0,8,train\n";
const char* kTwoJobs = "job_id,arrival_s,gpus,application\na,0,8,train\nb,0,8,train\n";

TEST(FileServer, PageCacheServesLaterEpochsFromMemory) {
  TempDir dir;
  std::string text = experiment("shared", true, "1Gi", 3);
  text.replace(text.find("blockSize: 100M"), 15, "blockSize: 10M");  // 100 blocks
  RunResult r = run(dir, text, kOneJob);
  ASSERT_EQ(r.jobs.size(), 1u);
  const JobRecord& j = r.jobs[0];
  // The first epoch from the server; later ones from memory, except blocks
  // the loaders ask for again (next epoch, prefetched) while their first
  // read is still in flight: at most one loader round of 8.
  const std::int64_t block = 10'000'000;
  EXPECT_GE(j.bytes_from_store, 100 * block);
  EXPECT_LE(j.bytes_from_store, 108 * block);
  EXPECT_EQ(j.bytes_from_store + j.bytes_from_page_cache, 300 * block);
  EXPECT_EQ(j.bytes_from_cache, 0);
  // Epoch 1 takes the server's 10 s, with compute (0.01 s a block) keeping
  // up; epochs 2-3 come from memory (8 GiB/s), faster than compute: 200
  // blocks x 0.01 s, less what the loaders prefetched of epoch 2 before
  // epoch 1 ended (up to 16 buffered, and hits among the last round's
  // fetches), plus at most 8 blocks' extra server time.
  EXPECT_GE(j.jct_s(), 11.5);
  EXPECT_LE(j.jct_s(), 12.9);
  EXPECT_EQ(r.summary.bytes_from_page_cache, j.bytes_from_page_cache);
  EXPECT_DOUBLE_EQ(r.summary.hit_ratio, 0.0);  // no cache runtime served anything
}

TEST(FileServer, WithoutPageCacheEveryEpochReadsTheServer) {
  TempDir dir;
  RunResult off = run(dir, experiment("shared", false, "1Gi", 3), kOneJob);
  EXPECT_EQ(off.jobs[0].bytes_from_store, 3000'000'000);
  EXPECT_EQ(off.jobs[0].bytes_from_page_cache, 0);
  // Rounds of 8 blocks at 100 MB/s; the last six land together at 30 s and
  // compute takes them one by one (0.1 s each).
  EXPECT_NEAR(off.jobs[0].jct_s(), 30.6, 0.01);
  // Pods that request all of the node's memory leave no page cache.
  TempDir dir2;
  RunResult full = run(dir2, experiment("shared", true, "8Gi", 3), kOneJob);
  EXPECT_EQ(full.jobs[0].bytes_from_store, 3000'000'000);
  EXPECT_EQ(full.jobs[0].bytes_from_page_cache, 0);
}

TEST(FileServer, SharedServerSplitsNodeDisksDoNot) {
  TempDir a, b;
  RunResult shared = run(a, experiment("shared", false, "1Gi", 1), kTwoJobs);
  RunResult local = run(b, experiment("node", false, "1Gi", 1), kTwoJobs);
  ASSERT_EQ(shared.jobs.size(), 2u);
  ASSERT_EQ(local.jobs.size(), 2u);
  ASSERT_NE(shared.jobs[0].nodes, shared.jobs[1].nodes);
  for (int i = 0; i < 2; ++i) {
    // 20 blocks through one 100 MB/s server: the last two of each job land
    // at 20 s and take 0.1 s of compute each.
    EXPECT_NEAR(shared.jobs[i].jct_s(), 20.2, 0.01) << i;
    // Each node's own disk: 10 s each, as if alone.
    EXPECT_NEAR(local.jobs[i].jct_s(), 10.2, 0.01) << i;
  }
}

TEST(FileServer, BadServersAreErrorsNamingTheField) {
  const std::string base = experiment("shared", true, "1Gi", 1);
  struct Case {
    std::string from, to, expect;
    bool error = true;
  };
  const Case cases[] = {
      {"bandwidth: 100MB/s, ", "", "fileServers[0].bandwidth: missing required field"},
      {"bandwidth: 100MB/s", "bandwidth: -5MB/s", "fileServers[0].bandwidth"},
      {"scope: shared", "scope: cluster", "fileServers[0].scope"},
      {R"(mounts: ["nfs://nas/"])", "mounts: []", "fileServers[0].mounts"},
      {"latency: 0s", "latency: soon", "fileServers[0].latency"},
      {"pageCache: {enabled: true}", "pageCache: {enabled: true, size: 3}", "pageCache.size"},
      // A server no dataset reads from: a warning naming its mounts.
      {R"(mounts: ["nfs://nas/"])", R"(mounts: ["nfs://other/"])", "fileServers[0].mounts", false},
      {"  fileServers:\n",
       "  fileServers:\n    - {name: nas, mounts: [\"nfs://x/\"], bandwidth: 1MB/s}\n",
       "fileServers[1].name: duplicate file server name \"nas\""},
  };
  for (const auto& c : cases) {
    std::string text = base;
    auto at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    TempDir dir;
    text.replace(text.find("TRACE"), 5, dir.write("t.csv", kOneJob));
    core::Diagnostics d;
    auto plan = load_experiment_yaml(text, dir.file("e.yaml"), dir.path().string(), d);
    EXPECT_EQ(plan.ok(), !c.error) << c.to;
    std::string all;
    for (const auto& item : d.all()) all += item.to_string() + "\n";
    EXPECT_NE(all.find(c.expect), std::string::npos) << c.to << ":\n" << all;
  }
}

}  // namespace
}  // namespace aqueduct::sim
