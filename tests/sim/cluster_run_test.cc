#include "aqueduct/sim/cluster_run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "aqueduct/runtime_adapters/engine_profile.h"
#include "aqueduct/sim/cache_cluster.h"
#include "support/temp_dir.h"
#include "support/trace_spec.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::read_file;
using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;
using aqueduct::testing::trace_spec;

// The fluid section most of these experiments share: Dataset `ds` of `size` behind
// one runtime of `kind` with `spec` (a flow mapping).
std::string one_dataset_fluid(const std::string& kind, const std::string& spec,
                              const std::string& size = "4Gi") {
  return "  fluid:\n"
         "    inline: |\n"
         "      apiVersion: data.fluid.io/v1alpha1\n"
         "      kind: Dataset\n"
         "      metadata: {name: ds}\n"
         "      spec: {mounts: [{mountPoint: \"s3://b/ds\", name: ds}]}\n"
         "      ---\n"
         "      apiVersion: data.fluid.io/v1alpha1\n"
         "      kind: " +
         kind +
         "\n"
         "      metadata: {name: ds}\n"
         "      spec: " +
         spec +
         "\n"
         "    datasets:\n"
         "      ds: {size: " +
         size + "}\n";
}

// Loads an inline experiment whose workload trace is the file name TRACE,
// written into `dir` from `trace_csv`.
ExperimentSpec load_inline(TempDir& dir, std::string text, const std::string& trace_csv) {
  text.replace(text.find("TRACE"), 5, dir.write("t.csv", trace_csv));
  core::Diagnostics d;
  auto plan = load_experiment_yaml(text, dir.file("e.yaml"), dir.path().string(), d);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? plan->scenarios[0] : ExperimentSpec{};
}

ExperimentPlan load_plan(const std::string& rel) {
  core::Diagnostics d;
  auto plan = load_experiment_file(source_path(rel), d);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return std::move(plan).value();
}

RunResult run_ok(const ExperimentSpec& spec) {
  auto r = run_experiment(spec);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

// The quickstart's own parameters, one ImageNet job alone on the cluster,
// with one loader per GPU: the pipeline's timing is computed here by hand.
TEST(ClusterRun, CacheSpeedupMatchesTheModelByHand) {
  ExperimentPlan plan = load_plan("examples/quickstart/experiment.yaml");
  TempDir dir;
  std::string trace = dir.write("one.csv", "job_id,arrival_s,gpus,application\nj1,0,8,imagenet\n");
  const ExperimentSpec* by_name[2] = {&plan.scenarios[0], &plan.scenarios[1]};
  ASSERT_EQ(by_name[0]->scenario, "no-cache");
  double jct[2];
  for (int i = 0; i < 2; ++i) {
    ExperimentSpec s = *by_name[i];
    s.workload.trace = trace_spec(trace, "generic-csv", false, 1.0);
    s.workload.input_pipeline = InputPipelineSpec{1, 2};
    for (auto& app : s.workload.applications) app.input_pipeline.reset();
    RunResult r = run_ok(s);
    ASSERT_EQ(r.jobs.size(), 1u);
    ASSERT_TRUE(r.jobs[0].completed());
    EXPECT_EQ(r.jobs[0].pods, 2);  // 8 GPUs, at most 4 per pod
    EXPECT_EQ(r.jobs[0].startup_s, 0);
    jct[i] = r.jobs[0].jct_s();
  }
  const ExperimentSpec& s = *by_name[1];
  const ApplicationSpec* app = nullptr;
  for (const auto& a : s.workload.applications) {
    if (a.name == "imagenet") app = &a;
  }
  ASSERT_NE(app, nullptr);
  const double size = static_cast<double>(s.fluid.datasets[0].size_bytes);
  const auto& prof = runtime_adapters::engine_profile(core::RuntimeEngine::kAlluxio);
  const double block = static_cast<double>(prof.block_size);
  const double blocks = std::ceil(size / block);
  ASSERT_EQ(blocks * block, size);  // a whole number of 64Mi blocks
  const double loaders = 8;         // one per GPU
  ASSERT_EQ(std::fmod(blocks, loaders), 0.0);
  const double compute = app->compute_per_gpu * 8;
  const auto& os = s.object_store;
  // Each loader's flow from the store: its connection cap or its share of
  // the aggregate (the NICs have room to spare).
  const double flow = std::min(os.per_connection_bandwidth, os.aggregate_bandwidth / loaders);
  ASSERT_LT(flow * loaders, compute);  // I/O-bound without the cache
  ASSERT_LT(flow * loaders / 2, s.node_pools[0].nic_bandwidth);
  const double lat_store = core::to_seconds(os.request_latency);
  const double lat_engine = core::to_seconds(prof.metadata_latency);
  // All loaders fetch in lockstep rounds; compute keeps up with each round
  // and finishes the last round's blocks after it lands.
  const double rounds = app->epochs * blocks / loaders;
  const double expect_nocache = rounds * (lat_store + block / flow) + loaders * block / compute;
  // With the cache the first epoch's rounds also pay the engine's latency;
  // from then on hits arrive faster than compute takes them, so compute runs
  // without a gap through the last round of misses and every later block.
  const double rounds1 = blocks / loaders;
  const double expect_cache = rounds1 * (lat_store + lat_engine + block / flow) +
                              (loaders + (app->epochs - 1) * blocks) * block / compute;
  EXPECT_NEAR(jct[0], expect_nocache, 1e-3);
  EXPECT_NEAR(jct[1], expect_cache, 1e-3);
  EXPECT_GT(jct[0] / jct[1], 2.0);
}

// Regression: a job larger than the whole cluster kept the run sampling
// forever. The run now ends once nothing can change, the others complete,
// and the job is reported as never placed with the scheduler's reason.
TEST(ClusterRun, AJobThatCanNeverFitEndsTheRunAndIsReported) {
  TempDir dir;
  ExperimentSpec spec =
      load_inline(dir,
                  "apiVersion: aqueduct.io/v1alpha1\n"
                  "kind: Experiment\n"
                  "metadata: {name: toobig}\n"
                  "spec:\n"
                  "  cluster:\n"
                  "    nodePools: [{name: g, count: 2, cpu: \"16\", memory: 64Gi, gpu: 4}]\n"
                  "  workload:\n"
                  "    trace: {file: TRACE, reader: generic-csv}\n"
                  "    applications: {train: {computePerGpu: 100MiB/s}}\n",
                  "job_id,arrival_s,gpus,duration_s,application\n"
                  "small,0,1,100,train\n"
                  "huge,10,64,100,train\n"
                  "late,20,2,50,train\n");
  RunResult r = run_ok(spec);
  EXPECT_EQ(r.summary.completed, 2);
  EXPECT_EQ(r.summary.never_placed, 1);
  ASSERT_EQ(r.jobs.size(), 3u);
  for (const auto& j : r.jobs) {
    if (j.id != "huge") continue;
    EXPECT_LT(j.start_s, 0);
    EXPECT_NE(j.last_unschedulable_reason.find("0/2 nodes are available"), std::string::npos)
        << j.last_unschedulable_reason;
  }
  // Ends within two retry periods (10 minutes) plus a sample after the last job.
  EXPECT_LT(r.summary.simulated_s, 100 + 50 + 3 * 300 + 20);
}

TEST(ClusterRun, SameSeedByteIdenticalOutputs) {
  ExperimentPlan plan = load_plan("examples/quickstart/experiment.yaml");
  TempDir a, b;
  const ExperimentSpec& s = plan.scenarios[1];
  ASSERT_TRUE(write_results(run_ok(s), a.path().string()).is_ok());
  ASSERT_TRUE(write_results(run_ok(s), b.path().string()).is_ok());
  for (const char* f : {"jobs.csv", "timeseries.csv", "cache_status.csv", "dataloads.csv",
                        "scaling.csv", "summary.json", "experiment.yaml"}) {
    std::string x = read_file(a.file(f)), y = read_file(b.file(f));
    EXPECT_FALSE(x.empty()) << f;
    EXPECT_TRUE(x == y) << f << " differs between identical runs";
  }
}

TEST(ClusterRun, DifferentSeedChangesOutputs) {
  for (const char* rel :
       {"tests/data/experiments/generator.yaml", "examples/quickstart/experiment.yaml"}) {
    ExperimentPlan plan = load_plan(rel);
    ExperimentSpec s1 = plan.scenarios.back();
    ExperimentSpec s2 = s1;
    s2.seed = s1.seed + 1;
    TempDir a, b;
    ASSERT_TRUE(write_results(run_ok(s1), a.path().string()).is_ok());
    ASSERT_TRUE(write_results(run_ok(s2), b.path().string()).is_ok());
    EXPECT_NE(read_file(a.file("jobs.csv")), read_file(b.file("jobs.csv"))) << rel;
  }
}

TEST(ClusterRun, GeneratorWorkloadRunsAndAccountsBytes) {
  ExperimentPlan plan = load_plan("tests/data/experiments/generator.yaml");
  RunResult r = run_ok(plan.scenarios[0]);
  EXPECT_EQ(r.summary.jobs, 30);
  EXPECT_EQ(r.summary.completed, 30);
  std::int64_t expected_bytes = 0;
  for (const auto& j : r.jobs) {
    std::int64_t per_epoch = j.dataset == "default/hot" ? 2LL << 30 : 1LL << 30;
    int epochs = j.dataset == "default/hot" ? 3 : 2;
    EXPECT_EQ(j.bytes_from_cache + j.bytes_from_store, per_epoch * epochs) << j.id;
    if (j.dataset == "default/cold") {
      EXPECT_EQ(j.bytes_from_cache, 0) << "cold has no runtime";
    }
    expected_bytes += per_epoch * epochs;
    EXPECT_GE(j.start_s, j.arrival_s);
  }
  EXPECT_EQ(r.summary.bytes_from_cache + r.summary.bytes_from_store, expected_bytes);
  EXPECT_GT(r.summary.hit_ratio, 0.3);
  ASSERT_FALSE(r.samples.empty());
  EXPECT_EQ(r.samples[0].time_s, 0);
  for (std::size_t i = 1; i < r.samples.size(); ++i)
    EXPECT_NEAR(r.samples[i].time_s - r.samples[i - 1].time_s, 120, 1e-9);
}

TEST(ClusterRun, DataLoadWarmsTheCacheBeforeJobs) {
  ExperimentPlan plan = load_plan("tests/data/experiments/generator.yaml");
  ExperimentSpec s = plan.scenarios[0];
  core::DataLoad dl;
  dl.meta.name = "warm";
  dl.dataset_name = "hot";
  dl.dataset_namespace = "default";
  s.fluid.dataloads.push_back(dl);
  TempDir dir;
  // One job arriving long after the load finished: every read is a hit.
  s.workload.generator.reset();
  s.workload.trace =
      trace_spec(dir.write("t.csv", "job_id,arrival_s,gpus,application\nj,3600,1,hot-model\n"),
                 "generic-csv", false, 1.0);
  RunResult r = run_ok(s);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].bytes_from_store, 0);
  EXPECT_EQ(r.jobs[0].bytes_from_cache, 3 * (2LL << 30));
  EXPECT_EQ(r.summary.dataload_bytes, 2LL << 30);
}

TEST(ClusterRun, UnschedulableJobsReportTheReason) {
  ExperimentPlan plan = load_plan("tests/data/experiments/generator.yaml");
  ExperimentSpec s = plan.scenarios[0];
  s.horizon = core::from_seconds(7200);
  TempDir dir;
  s.workload.generator.reset();
  s.workload.trace =
      trace_spec(dir.write("t.csv", "job_id,arrival_s,gpus,application\nbig,0,3,hot-model\n"),
                 "generic-csv", false, 1.0);
  s.workload.max_gpus_per_pod = 4;  // one pod of 3 GPUs; nodes have 2
  RunResult r = run_ok(s);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_FALSE(r.jobs[0].completed());
  EXPECT_EQ(r.jobs[0].last_unschedulable_reason,
            "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.");
  EXPECT_EQ(r.summary.completed, 0);
}

TEST(ClusterRun, ImpossibleConfigsAreErrorsNotCrashes) {
  ExperimentPlan plan = load_plan("tests/data/experiments/generator.yaml");
  ExperimentSpec s = plan.scenarios[0];
  s.fluid.runtimes[0].replicas = 9;  // 4 nodes
  auto r = run_experiment(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot place cache worker 5 of 9"), std::string::npos)
      << r.status().message();
  ExperimentSpec t = plan.scenarios[0];
  t.policies.eviction = "magic";
  EXPECT_NE(run_experiment(t).status().message().find("unknown eviction policy"),
            std::string::npos);
  ExperimentSpec u = plan.scenarios[0];
  u.node_pools[0].arch = core::Arch::kArm64;
  u.fluid.runtimes[0].engine = core::RuntimeEngine::kAlluxio;
  EXPECT_NE(run_experiment(u).status().message().find("do not support arch arm64"),
            std::string::npos);
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

// Two zones, cache worker in zone a; jobs read the cached dataset.
const std::string kLocalityExperiment =
    R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: locality}
spec:
  seed: 3
  cluster:
    nodePools:
      - {name: a, count: 2, cpu: "32", memory: 128Gi, gpu: 4, cache: {MEM: 64Gi}, zone: za, region: r}
      - {name: b, count: 2, cpu: "32", memory: 128Gi, gpu: 4, cache: {MEM: 64Gi}, zone: zb, region: r}
)" +
    one_dataset_fluid(
        "AlluxioRuntime",
        R"({replicas: 1, tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 16Gi}]}})") +
    R"(  cache:
    crossZoneBandwidth: 50MiB/s
  workload:
    trace: {file: TRACE, reader: generic-csv}
    applications:
      train: {dataset: ds, epochs: 2, computePerGpu: 200MiB/s}
)";

ExperimentSpec locality_spec(TempDir& dir, const std::string& trace) {
  std::string text = kLocalityExperiment;
  return load_inline(dir, text, trace);
}

int jobs_in_zone_a(const RunResult& r) {
  int n = 0;
  for (const auto& j : r.jobs) n += j.nodes.rfind("a-", 0) == 0;
  return n;
}

TEST(ClusterRunScheduling, FluidInjectionPullsJobsToTheCacheZone) {
  TempDir dir;
  std::string trace = "job_id,arrival_s,gpus,application\n";
  for (int i = 0; i < 6; ++i)
    trace += "j" + std::to_string(i) + "," + std::to_string(i * 10) + ",1,train\n";
  ExperimentSpec def = locality_spec(dir, trace);
  RunResult spread = run_ok(def);
  ExperimentSpec fluid = def;
  fluid.policies.injection = "fluid";
  RunResult local = run_ok(fluid);
  // The default spreads over all four nodes; Fluid's affinity keeps jobs by the cache.
  EXPECT_LT(jobs_in_zone_a(spread), 6);
  EXPECT_EQ(jobs_in_zone_a(local), 6);
  EXPECT_LT(local.summary.mean_jct_s, spread.summary.mean_jct_s);
  ExperimentSpec aware = def;
  aware.policies.scheduler = *scheduler::preset_profile("data-aware");
  EXPECT_EQ(run_ok(aware).summary.scheduler, "data-aware");
}

TEST(ClusterRunScheduling, JointPlacementMovesColdWorkersToTheJobs) {
  TempDir dir;
  // Zone a's nodes are full of CPU-only work... here: GPUs exist only in zone b.
  std::string trace = "job_id,arrival_s,gpus,application\nj0,0,1,train\nj1,0,1,train\n";
  ExperimentSpec s = locality_spec(dir, trace);
  s.node_pools[0].allocatable.gpu_milli = 0;  // the worker's zone has no GPUs
  s.policies.placement = "joint";
  RunResult joint = run_ok(s);
  EXPECT_EQ(joint.summary.cache_worker_moves, 1);
  ExperimentSpec fixed = s;
  fixed.policies.placement = "pod-by-pod";
  RunResult before = run_ok(fixed);
  EXPECT_EQ(before.summary.cache_worker_moves, 0);
  EXPECT_LT(joint.summary.mean_jct_s, before.summary.mean_jct_s);
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

TEST(ClusterRunDataOps, DataLoadPhasesOnceAndCronAndCacheStatus) {
  ExperimentPlan plan = load_plan("tests/data/experiments/generator.yaml");
  ExperimentSpec s = plan.scenarios[0];
  core::DataLoad once;
  once.meta.name = "warm";
  once.dataset_name = "hot";
  once.dataset_namespace = "default";
  core::DataLoad cron = once;
  cron.meta.name = "refresh";
  cron.policy = core::DataLoadPolicy::kCron;
  cron.schedule = "*/30 * * * *";
  s.fluid.dataloads = {once, cron};
  s.sample_interval = core::from_seconds(600);
  RunResult r = run_ok(s);
  ASSERT_GE(r.dataloads.size(), 2u);
  const DataLoadRecord& first = r.dataloads[0];
  EXPECT_EQ(first.name, "default/warm");
  EXPECT_EQ(first.policy, "Once");
  EXPECT_EQ(first.phase, "Complete");
  EXPECT_EQ(first.start_s, 0);
  EXPECT_GT(first.end_s, 0);
  EXPECT_EQ(first.bytes_loaded, 2LL << 30) << "the whole dataset, from the object store";
  // Cron runs fire at :30 and :00 while jobs run; later ones find everything cached.
  int cron_runs = 0;
  for (const auto& d : r.dataloads) {
    if (d.name != "default/refresh") continue;
    ++cron_runs;
    EXPECT_EQ(d.policy, "Cron");
    EXPECT_EQ(std::fmod(d.start_s, 1800.0), 0.0) << d.start_s;
    EXPECT_EQ(d.run, cron_runs);
  }
  EXPECT_GE(cron_runs, 1);
  // Fluid's per-dataset status: the warmed dataset is fully cached and hits.
  bool saw_full = false;
  for (const auto& c : r.cache_status) {
    EXPECT_EQ(c.dataset, "default/hot");
    EXPECT_EQ(c.capacity_bytes, 2 * (4LL << 30));
    if (c.cached_percentage >= 99.99) saw_full = true;
    if (c.time_s > first.end_s + 600 && c.hit_ratio >= 0) {
      EXPECT_DOUBLE_EQ(c.hit_ratio, 1.0);
    }
  }
  EXPECT_TRUE(saw_full);
  ExperimentSpec bad = s;
  bad.fluid.dataloads[1].schedule = "every hour";
  EXPECT_NE(run_experiment(bad).status().message().find("expected 5 fields"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

TEST(ClusterRunFidelity, AnalyticalAgreesWithBlockLevel) {
  TempDir dir;
  for (const char* quota : {"1536Mi", "2Gi", "3Gi"}) {  // 37.5%, 50%, 75% of the dataset
    std::string text = std::string(
        R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: fidelity}
spec:
  seed: 5
  cluster:
    nodePools:
      - {name: n, count: 2, cpu: "32", memory: 128Gi, gpu: 4, cache: {MEM: 64Gi}}
  objectStore: {aggregateBandwidth: 1GiB/s, perConnectionBandwidth: 50MiB/s, requestLatency: 10ms}
)" +
        one_dataset_fluid(
            "JuiceFSRuntime",
            R"({replicas: 1, tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: QUOTA, high: "1.0", low: "1.0"}]}})") +
        R"(  workload:
    trace: {file: TRACE, reader: generic-csv}
    applications:
      train: {dataset: ds, epochs: 5, computePerGpu: 400MiB/s}
)");
    text.replace(text.find("QUOTA"), 5, quota);
    ExperimentSpec block =
        load_inline(dir, text, "job_id,arrival_s,gpus,application\nj,0,1,train\n");
    ASSERT_FALSE(block.node_pools.empty());
    ExperimentSpec analytical = block;
    analytical.cache.fidelity = "analytical";
    RunResult b = run_ok(block), a = run_ok(analytical);
    double hb = static_cast<double>(b.jobs[0].bytes_from_cache),
           ha = static_cast<double>(a.jobs[0].bytes_from_cache);
    EXPECT_NEAR(ha, hb, 0.05 * hb) << quota;
    EXPECT_NEAR(a.jobs[0].jct_s(), b.jobs[0].jct_s(), 0.05 * b.jobs[0].jct_s()) << quota;
    EXPECT_LT(a.summary.events * 10, b.summary.events)
        << "one event per epoch instead of per block";
  }
}

TEST(ClusterRunFidelity, AnalyticalNeedsLru) {
  TempDir dir;
  core::Diagnostics d;
  std::string text = read_file(source_path("tests/data/experiments/generator.yaml"));
  text.replace(text.find("  workload:"), 0,
               "  cache: {fidelity: analytical}\n  policies: {eviction: fifo}\n");
  auto plan =
      load_experiment_yaml(text, dir.file("g.yaml"), source_path("tests/data/experiments"), d);
  EXPECT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("the analytical fidelity models LRU"), std::string::npos)
      << plan.status().message();
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

ExperimentSpec elastic_spec(TempDir& dir, const std::string& trace) {
  std::string text =
      R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: elastic}
spec:
  seed: 9
  cluster:
    nodePools:
      - {name: n, count: 6, cpu: "32", memory: 128Gi, gpu: 4, cache: {MEM: 16Gi}, pricePerHour: 8}
  objectStore: {aggregateBandwidth: 1GiB/s, perConnectionBandwidth: 50MiB/s, requestLatency: 10ms}
)" +
      one_dataset_fluid(
          "JuiceFSRuntime",
          R"({replicas: 1, tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 4Gi, high: "1.0", low: "0.95"}]}})",
          "10Gi") +
      R"(  workload:
    trace: {file: TRACE, reader: generic-csv}
    applications:
      train: {dataset: ds, epochs: 6, computePerGpu: 400MiB/s}
  elasticity:
    period: 60s
    workerStartup: 30s
)";
  return load_inline(dir, text, trace);
}

// With Fluid's default watermarks (high 0.95) capacity_used_rate never exceeds
// 95%, inside the HPA's 10% tolerance around the target of 90: the runtime
// never scales. The tier here allows 100% so the HPA can act.
TEST(ClusterRunElasticity, AutoscalersGrowTheCacheAndItPays) {
  TempDir dir;
  ExperimentSpec s = elastic_spec(dir, "job_id,arrival_s,gpus,application\nj,0,1,train\n");
  RunResult fixed = run_ok(s);
  EXPECT_EQ(fixed.summary.scale_ups, 0);
  ExperimentSpec hpa = s;
  hpa.elasticity.policy = "fluid-hpa";
  RunResult h = run_ok(hpa);
  ASSERT_FALSE(h.scale_events.empty());
  EXPECT_EQ(h.scale_events[0].from, 1);
  EXPECT_EQ(h.scale_events[0].to, 2);
  EXPECT_NE(h.scale_events[0].reason.find("capacity_used_rate"), std::string::npos);
  int top = 0;
  for (const auto& e : h.scale_events) top = std::max(top, e.to);
  EXPECT_LE(top, 4) << "maxReplicas 4";
  EXPECT_EQ(h.summary.scale_downs, 0) << "Fluid's HPA never scales down";
  ExperimentSpec demand = s;
  demand.elasticity.policy = "demand";
  RunResult dm = run_ok(demand);
  // Start-up time comes from the node model: slow-starting workers help later.
  ExperimentSpec slow = demand;
  slow.node_pools[0].worker_startup = core::from_seconds(1800);
  EXPECT_GT(run_ok(slow).summary.mean_jct_s, dm.summary.mean_jct_s);
  ASSERT_FALSE(dm.scale_events.empty());
  EXPECT_EQ(dm.scale_events[0].to, 3)
      << "ceil(10Gi / 4Gi) workers hold the data: " << dm.scale_events[0].reason;
  for (const RunResult* r : {&h, &dm}) {
    EXPECT_GT(r->summary.hit_ratio, fixed.summary.hit_ratio);
    EXPECT_LT(r->summary.mean_jct_s, fixed.summary.mean_jct_s);
    EXPECT_GT(r->summary.cache_cost, 0);
  }
}

TEST(ClusterRunElasticity, Deterministic) {
  TempDir dir, a, b;
  ExperimentSpec s =
      elastic_spec(dir, "job_id,arrival_s,gpus,application\na,0,1,train\nb,9000,1,train\n");
  s.elasticity.policy = "demand";
  s.elasticity.migrate_on_scale_in = true;
  s.cache.fidelity = "block";
  ASSERT_TRUE(write_results(run_ok(s), a.path().string()).is_ok());
  ASSERT_TRUE(write_results(run_ok(s), b.path().string()).is_ok());
  for (const char* f :
       {"jobs.csv", "scaling.csv", "cache_status.csv", "dataloads.csv", "summary.json"}) {
    EXPECT_EQ(read_file(a.file(f)), read_file(b.file(f))) << f;
  }
  EXPECT_FALSE(read_file(a.file("scaling.csv")).empty());
}

TEST(ClusterRunElasticity, ScaleInVictimsAndMigration) {
  TempDir dir;
  ExperimentSpec s =
      elastic_spec(dir, "job_id,arrival_s,gpus,application\na,0,1,train\nb,20000,1,train\n");
  s.elasticity.policy = "demand";
  s.elasticity.args = {{"idleAfter", "600s"}};
  s.elasticity.scale_in = "least-cached";
  RunResult plain = run_ok(s);
  EXPECT_GT(plain.summary.scale_downs, 0) << "idle between the jobs";
  EXPECT_EQ(plain.summary.migrated_bytes, 0);
  ExperimentSpec mig = s;
  mig.elasticity.migrate_on_scale_in = true;
  RunResult m = run_ok(mig);
  EXPECT_GT(m.summary.migrated_bytes, 0);
  // The second job finds more of its data when blocks survived the scale-in.
  EXPECT_GE(m.jobs[1].bytes_from_cache, plain.jobs[1].bytes_from_cache);
  // Migration costs bandwidth: every moved block crosses the victim's NIC out
  // (10 Gbps), all at once, sharing it fairly, so they land together about
  // migrated / 1.25 GB/s after the scale-in, and not before.
  double first_down = -1;
  for (const auto& e : m.scale_events) {
    if (e.to < e.from) {
      first_down = e.time_s;
      break;
    }
  }
  ASSERT_GT(first_down, 0);
  const double move_s = static_cast<double>(m.summary.migrated_bytes) / (10e9 / 8);
  ASSERT_GT(move_s, 1.0) << "enough blocks to take a while";
  ExperimentSpec early = mig, late = mig;
  early.horizon = core::from_seconds(first_down + 0.9 * move_s);
  late.horizon = core::from_seconds(first_down + 1.1 * move_s);
  EXPECT_LT(run_ok(early).summary.migrated_bytes, m.summary.migrated_bytes);
  EXPECT_EQ(run_ok(late).summary.migrated_bytes, m.summary.migrated_bytes);
  ExperimentSpec bad = s;
  bad.elasticity.policy = "magic";
  EXPECT_NE(run_experiment(bad).status().message().find("unknown autoscaler"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

TEST(ClusterRunServerless, EciPodsColdStartBillPerSecondAndReadTheCache) {
  TempDir dir;
  std::string text =
      R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: eci}
spec:
  seed: 2
  cluster:
    nodePools:
      - {name: ecs, count: 2, cpu: "32", memory: 128Gi, gpu: 0, cache: {MEM: 64Gi}, pricePerHour: 4,
         podStart: {median: 20s}}
      - {name: eci, count: 4, kind: ECI, cpu: "64", memory: 256Gi, gpu: 8,
         podStart: {median: 30s}, pricePerCpuHour: 0.1, pricePerGiBHour: 0.01, pricePerGpuHour: 2}
      - {name: arm, count: 1, arch: arm64, cpu: "32", memory: 128Gi, gpu: 4}
)" +
      one_dataset_fluid(
          "JuiceFSRuntime",
          R"({replicas: 2, tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 8Gi}]}})") +
      R"(  workload:
    trace: {file: TRACE, reader: generic-csv}
    applications:
      burst: {dataset: ds, epochs: 2, computePerGpu: 200MiB/s, cpuPerGpu: "4", memoryPerGpu: 16Gi, serverless: true}
      x86: {dataset: ds, epochs: 1, computePerGpu: 200MiB/s, imageArches: [amd64]}
)";
  ExperimentSpec s = load_inline(
      dir, text, "job_id,arrival_s,gpus,application\ns1,0,1,burst\ns2,0,1,burst\nx,0,1,x86\n");
  ASSERT_FALSE(s.node_pools.empty());
  s.horizon = core::from_seconds(20000);
  RunResult r = run_ok(s);
  ASSERT_EQ(r.jobs.size(), 3u);
  double eci_hours = 0;
  for (int k = 0; k < 2; ++k) {
    const JobRecord& j = r.jobs[k];
    ASSERT_TRUE(j.completed()) << j.id << ": " << j.last_unschedulable_reason;
    EXPECT_EQ(j.nodes.rfind("eci-", 0), 0u) << "serverless pods run on virtual-kubelet nodes";
    EXPECT_DOUBLE_EQ(j.startup_s, 30) << "ECI cold start";
    EXPECT_GT(j.bytes_from_cache, 0) << "the sidecar reads through the ECS cache workers";
    eci_hours += (j.end_s - j.start_s) / 3600;
  }
  // Per second on the requests (4 cores, 16 GiB, 1 GPU), until the sidecar ends:
  // Fluid's app controller unmounts it 30 s after the app (the default).
  const double price = 4 * 0.1 + 16 * 0.01 + 2;
  EXPECT_NEAR(r.summary.eci_cost, (eci_hours + 2 * 30.0 / 3600) * price, 1e-6);
  EXPECT_DOUBLE_EQ(r.summary.sidecar_linger_s, 60);
  ExperimentSpec native = s;
  native.serverless.sidecar_exit = "native";
  RunResult n = run_ok(native);
  EXPECT_NEAR(n.summary.eci_cost, eci_hours * price, 1e-6) << "a native sidecar ends with the app";
  ExperimentSpec never = s;
  never.serverless.sidecar_exit = "none";
  RunResult nv = run_ok(never);
  EXPECT_GT(nv.summary.sidecar_linger_s, 60) << "billed until the run ends";
  EXPECT_GT(nv.summary.eci_cost, r.summary.eci_cost);
  EXPECT_EQ(nv.summary.mean_jct_s, n.summary.mean_jct_s)
      << "the app's time is the same; only the bill grows";
  // An amd64-only job with GPUs only on arm64 (and ECI, which it does not tolerate) waits, with the
  // reasons.
  EXPECT_FALSE(r.jobs[2].completed());
  EXPECT_NE(r.jobs[2].last_unschedulable_reason.find(
                "1 node(s) had arch arm64 that the pod's images do not support"),
            std::string::npos)
      << r.jobs[2].last_unschedulable_reason;
  EXPECT_NE(r.jobs[2].last_unschedulable_reason.find(
                "4 node(s) had untolerated taint {virtual-kubelet.io/provider"),
            std::string::npos)
      << r.jobs[2].last_unschedulable_reason;
  // With Fluid injection on, the same code as the webhook gives each serverless
  // pod its sidecar: the JuiceFS template needs the metaurl secret reference.
  ExperimentSpec injected = s;
  injected.policies.injection = "fluid";
  auto missing = run_experiment(injected);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("dataset default/ds has no FUSE sidecar"),
            std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("metaurl"), std::string::npos);
  injected.fluid.datasets[0].mounts[0].encrypt_options.push_back({"metaurl", {"jfs", "url"}});
  RunResult inj = run_ok(injected);
  EXPECT_DOUBLE_EQ(inj.summary.sidecar_linger_s, 60) << "a fluid-fuse container sidecar lingers";
  EXPECT_NEAR(inj.summary.eci_cost, r.summary.eci_cost, 1e-9);
  injected.serverless.sidecar_exit = "native";
  EXPECT_DOUBLE_EQ(run_ok(injected).summary.sidecar_linger_s, 0)
      << "native sidecars end with the app";
  // JuiceFS ships arm64 images, Alluxio does not: an Alluxio worker never lands on arm64.
  ExperimentSpec alluxio = s;
  alluxio.fluid.runtimes[0].engine = core::RuntimeEngine::kAlluxio;
  alluxio.node_pools[0].count = 1;  // one ECS node left for two workers
  EXPECT_NE(run_experiment(alluxio).status().message().find("images do not support arch arm64"),
            std::string::npos);
  // A job whose images are arm64-only cannot mount an Alluxio dataset: the
  // Alluxio FUSE client has no arm64 image. A clear error, not a job that waits.
  ExperimentSpec arm_app = s;
  arm_app.fluid.runtimes[0].engine = core::RuntimeEngine::kAlluxio;
  for (auto& app : arm_app.workload.applications) app.image_arches = {core::Arch::kArm64};
  auto arm = run_experiment(arm_app);
  ASSERT_FALSE(arm.ok());
  EXPECT_NE(arm.status().message().find(
                "its images run on [arm64] but the AlluxioRuntime FUSE client only on [amd64]"),
            std::string::npos)
      << arm.status().message();
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

// The per-block owner table answers what the ring answers, also after
// workers join and leave.
TEST(CacheRuntimeSim, OwnerTableFollowsTheRing) {
  CacheRuntimeSim c;
  c.dataset_id = 4;
  auto expect_ring = [&c](const char* when) {
    for (std::uint64_t b = 0; b < 2000; b += (b % 7) + 1) {
      ASSERT_EQ(c.owner(b), c.ring.owner(core::BlockKey{4, b})) << when << " block " << b;
    }
  };
  for (std::uint32_t w = 0; w < 4; ++w) c.add_to_ring(w, "node-" + std::to_string(w));
  expect_ring("four workers");
  c.add_to_ring(4, "node-4");
  expect_ring("after a join");
  c.remove_from_ring(1);
  expect_ring("after a leave");
  for (std::uint64_t b = 0; b < 2000; ++b) ASSERT_NE(c.owner(b), 1u);
}

}  // namespace
}  // namespace aqueduct::sim
