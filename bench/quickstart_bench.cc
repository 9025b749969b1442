// The quickstart experiment at 1x, 10x and 100x its size, without and with the
// cache: k times the nodes, k copies of every dataset (each in its own bucket,
// with its own runtime and application) and k copies of every trace job (copy
// i reads dataset copy i and arrives i seconds later). Reports events per wall
// second and simulated seconds per wall second; peak memory is the process's
// (run one size per process: --benchmark_filter=BM_Quickstart/1/100).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/experiment.h"

namespace {

std::string scaled_trace(const std::string& src, int k) {
  auto text = aqueduct::core::read_text_file(src);
  std::istringstream in(*text);
  std::string header, line;
  std::getline(in, header);
  std::string out_path =
      (std::filesystem::temp_directory_path() / ("aqueduct-bench-x" + std::to_string(k) + ".csv"))
          .string();
  std::ofstream out(out_path);
  out << header << "\n";
  while (std::getline(in, line)) {
    // pollux: name,time,application,num_replicas,batch_size
    auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    std::string name = line.substr(0, c1), app = line.substr(c2 + 1, c3 - c2 - 1);
    std::string rest = line.substr(c3);
    double t = std::stod(line.substr(c1 + 1, c2 - c1 - 1));
    for (int i = 0; i < k; ++i) {
      out << name << "-x" << i << "," << t + i << "," << app << (i ? "-x" + std::to_string(i) : "")
          << rest << "\n";
    }
  }
  return out_path;
}

// k copies of every dataset, runtime and application; copy i > 0 is named
// <name>-x<i> and lives in bucket <scheme>://<host>-x<i>.
void scale_datasets(aqueduct::sim::ExperimentSpec& spec, int k) {
  auto& fl = spec.fluid;
  const auto datasets = fl.datasets;
  const auto runtimes = fl.runtimes;
  const auto apps = spec.workload.applications;
  for (int i = 1; i < k; ++i) {
    std::string sfx = "-x" + std::to_string(i);
    for (auto ds : datasets) {
      ds.meta.name += sfx;
      for (auto& m : ds.mounts) {
        auto host_end = m.mount_point.find('/', m.mount_point.find("://") + 3);
        m.mount_point.insert(host_end, sfx);
      }
      fl.datasets.push_back(ds);
    }
    for (auto rt : runtimes) {
      rt.meta.name += sfx;
      fl.runtimes.push_back(rt);
    }
    for (auto app : apps) {
      app.name += sfx;
      if (!app.dataset.empty()) app.dataset += sfx;
      spec.workload.applications.push_back(app);
    }
  }
}

void BM_Quickstart(benchmark::State& state) {
  const bool cache = state.range(0) != 0;
  const int k = static_cast<int>(state.range(1));
  aqueduct::core::Diagnostics d;
  auto plan = aqueduct::sim::load_experiment_file(
      std::string(AQ_SOURCE_DIR) + "/examples/quickstart/experiment.yaml", d);
  if (!plan.ok()) {
    state.SkipWithError(plan.status().message().c_str());
    return;
  }
  aqueduct::sim::ExperimentSpec spec = plan->scenarios[cache ? 1 : 0];  // cache / no-cache
  spec.node_pools[0].count *= k;
  spec.workload.trace->file = scaled_trace(spec.workload.trace->file, k);
  scale_datasets(spec, k);
  double events = 0, model_events = 0, simulated = 0;
  for (auto _ : state) {
    auto r = aqueduct::sim::run_experiment(spec);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    events += static_cast<double>(r->summary.events);
    model_events += static_cast<double>(r->summary.events - r->summary.flow_resolve_events);
    simulated += r->summary.simulated_s;
  }
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  // Without the flow network's re-solve events: comparable across versions.
  state.counters["model_events_per_s"] =
      benchmark::Counter(model_events, benchmark::Counter::kIsRate);
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(simulated, benchmark::Counter::kIsRate);
  state.counters["events"] = events / static_cast<double>(state.iterations());
  state.SetLabel(cache ? "cache" : "no-cache");
}

BENCHMARK(BM_Quickstart)
    ->ArgNames({"cache", "k"})
    ->ArgsProduct({{0, 1}, {1, 10, 100}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
