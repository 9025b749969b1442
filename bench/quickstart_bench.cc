// The quickstart experiment (cache scenario) at 1x, 10x and 100x its size:
// k times the nodes and k copies of every trace job (copy i arrives i seconds
// later). Reports events per wall second and simulated seconds per wall second.
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
    auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
    std::string name = line.substr(0, c1), rest = line.substr(c2);
    double t = std::stod(line.substr(c1 + 1, c2 - c1 - 1));
    for (int i = 0; i < k; ++i) out << name << "-x" << i << "," << t + i << rest << "\n";
  }
  return out_path;
}

void BM_Quickstart(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  aqueduct::core::Diagnostics d;
  auto plan = aqueduct::sim::load_experiment_file(
      std::string(AQ_SOURCE_DIR) + "/examples/quickstart/experiment.yaml", d);
  if (!plan.ok()) {
    state.SkipWithError(plan.status().message().c_str());
    return;
  }
  aqueduct::sim::ExperimentSpec spec = plan->scenarios.back();  // "cache"
  spec.node_pools[0].count *= k;
  spec.workload.trace->file = scaled_trace(spec.workload.trace->file, k);
  double events = 0, simulated = 0;
  for (auto _ : state) {
    auto r = aqueduct::sim::run_experiment(spec);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    events += static_cast<double>(r->summary.events);
    simulated += r->summary.simulated_s;
  }
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(simulated, benchmark::Counter::kIsRate);
  state.counters["events"] = events / static_cast<double>(state.iterations());
}

BENCHMARK(BM_Quickstart)->Arg(1)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
