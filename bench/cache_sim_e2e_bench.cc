// The simulator end to end with block-level cache fidelity on 10 million block
// reads: 200 jobs, each reading a 2 GiB dataset of 4 MiB blocks (512 blocks)
// for 100 epochs through a JuiceFS runtime that holds half of it (LRU).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/experiment.h"

namespace {
using namespace aqueduct;

void BM_BlockLevel10MReads(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / "aqueduct-bench-e2e";
  std::filesystem::create_directories(dir);
  {
    std::ofstream t(dir / "t.csv");
    t << "job_id,arrival_s,gpus,application\n";
    for (int i = 0; i < 200; ++i) t << "j" << i << "," << i * 30 << ",1,train\n";
  }
  const std::string text = R"(apiVersion: aqueduct.io/v1alpha1
kind: Experiment
metadata: {name: e2e}
spec:
  seed: 1
  sampleInterval: 10m
  cluster:
    nodePools:
      - {name: n, count: 32, cpu: "64", memory: 512Gi, gpu: 8, cache: {MEM: 64Gi}}
  objectStore: {aggregateBandwidth: 4GiB/s, perConnectionBandwidth: 100MiB/s, requestLatency: 10ms}
  fluid:
    inline: |
      apiVersion: data.fluid.io/v1alpha1
      kind: Dataset
      metadata: {name: ds}
      spec: {mounts: [{mountPoint: "s3://b/ds", name: ds}]}
      ---
      apiVersion: data.fluid.io/v1alpha1
      kind: JuiceFSRuntime
      metadata: {name: ds}
      spec: {replicas: 2, tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 512Mi}]}}
    datasets:
      ds: {size: 2Gi}
  workload:
    trace: {file: t.csv, reader: generic-csv}
    applications:
      train: {dataset: ds, epochs: 100, computePerGpu: 500MiB/s}
)";
  core::Diagnostics d;
  auto plan = sim::load_experiment_yaml(text, (dir / "e.yaml").string(), dir.string(), d);
  if (!plan.ok()) {
    state.SkipWithError(plan.status().message().c_str());
    return;
  }
  double reads = 0, events = 0, simulated = 0;
  for (auto _ : state) {
    auto r = sim::run_experiment(plan->scenarios[0]);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    double bytes = static_cast<double>(r->summary.bytes_from_cache + r->summary.bytes_from_store);
    reads += bytes / (4 << 20);
    events += static_cast<double>(r->summary.events);
    simulated += r->summary.simulated_s;
  }
  state.counters["block_reads"] = reads / static_cast<double>(state.iterations());
  state.counters["block_reads_per_s"] = benchmark::Counter(reads, benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(simulated, benchmark::Counter::kIsRate);
}

BENCHMARK(BM_BlockLevel10MReads)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
