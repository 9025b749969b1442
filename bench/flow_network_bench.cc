// The max-min re-solve cost per flow event as concurrent flows grow. N flows
// are always in flight over one shared store (the object store's aggregate)
// and per-node NICs; each iteration runs one network event: the flow(s) that
// end, the re-solve, and the replacement flow each ended flow's handler
// starts on the same path (a hold model, like a loader fetching its next
// block), re-solved together by one event at that instant. `distinct`: every flow has its own NIC,
// so every flow is its own bundle (the worst case); `bundled`: 32 flows per node share a path.
#include <benchmark/benchmark.h>

#include <vector>

#include "aqueduct/sim/flow_network.h"
#include "aqueduct/sim/rng.h"

namespace {
using aqueduct::sim::FlowNetwork;
using aqueduct::sim::Rng;
using aqueduct::sim::Simulator;

void run_hold(benchmark::State& state, std::size_t flows_per_path) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Simulator sim;
  FlowNetwork net(&sim);
  const FlowNetwork::ResourceId store = net.add_resource(1e9 * static_cast<double>(n) / 100);
  std::vector<FlowNetwork::ResourceId> nics;
  const std::size_t paths = (n + flows_per_path - 1) / flows_per_path;
  for (std::size_t i = 0; i < paths; ++i) nics.push_back(net.add_resource(1.25e9));
  Rng rng(7);
  auto start = [&](std::uint64_t path) {
    FlowNetwork::ResourceId p[2] = {store, nics[path]};
    double bytes = 1 + rng.exponential(1.0 / 64e6);
    (void)net.start(p, bytes, 50e6, path);
  };
  net.set_done_handler([&](std::uint64_t path) { start(path); });
  for (std::size_t i = 0; i < n; ++i) start(i / flows_per_path);
  // One completion event, then the event that re-solves for the flows its
  // handler started at the same instant.
  for (auto _ : state) {
    sim.step();
    sim.step();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["solves"] = static_cast<double>(net.stats().solves);
  state.counters["bundles_per_solve"] =
      static_cast<double>(net.stats().bundles_touched) / static_cast<double>(net.stats().solves);
}

void BM_FlowNetworkDistinctPaths(benchmark::State& state) { run_hold(state, 1); }
void BM_FlowNetworkBundled32(benchmark::State& state) { run_hold(state, 32); }

BENCHMARK(BM_FlowNetworkDistinctPaths)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_FlowNetworkBundled32)->Arg(100)->Arg(1000)->Arg(10000);

}  // namespace
