// Event queue, hold model: with N events pending, pop the earliest and push
// one at now + exponential increment (mean 1 ms). The radix heap used by the
// simulator against a std::priority_queue over the same (time, seq) entries.
#include <benchmark/benchmark.h>

#include <memory>
#include <queue>
#include <vector>

#include "aqueduct/sim/event_queue.h"
#include "aqueduct/sim/rng.h"
#include "aqueduct/sim/simulator.h"

namespace {
using aqueduct::sim::EventEntry;
using aqueduct::sim::EventQueue;
using aqueduct::sim::Rng;

// Increments precomputed so the loop measures the queue, not the RNG.
std::vector<std::int64_t> increments(std::size_t n) {
  Rng rng(12345);
  std::vector<std::int64_t> v(n);
  for (auto& x : v) x = static_cast<std::int64_t>(rng.exponential(1.0 / 1e6)) + 1;
  return v;
}

void BM_RadixHeapHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  auto inc = increments(1 << 20);
  EventQueue q;
  std::uint64_t seq = 1;
  for (std::size_t i = 0; i < pending; ++i)
    q.push(EventEntry::make(inc[i & (inc.size() - 1)] * 1000, seq++, 0));
  std::size_t k = 0;
  for (auto _ : state) {
    EventEntry e = q.pop();
    q.push(EventEntry::make(e.time + inc[k++ & (inc.size() - 1)], seq++, e.slot()));
  }
  state.SetItemsProcessed(state.iterations());
}

struct Later {
  bool operator()(const EventEntry& a, const EventEntry& b) const {
    return aqueduct::sim::event_before(b, a);
  }
};

void BM_StdPriorityQueueHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  auto inc = increments(1 << 20);
  std::priority_queue<EventEntry, std::vector<EventEntry>, Later> q;
  std::uint64_t seq = 1;
  for (std::size_t i = 0; i < pending; ++i)
    q.push(EventEntry::make(inc[i & (inc.size() - 1)] * 1000, seq++, 0));
  std::size_t k = 0;
  for (auto _ : state) {
    EventEntry e = q.top();
    q.pop();
    q.push(EventEntry::make(e.time + inc[k++ & (inc.size() - 1)], seq++, e.slot()));
  }
  state.SetItemsProcessed(state.iterations());
}

// The whole engine: timers with callbacks through the Clock port. Callbacks
// capture one pointer, as the simulator's own do (no allocation per event).
struct HoldContext {
  aqueduct::sim::Simulator sim;
  std::vector<std::int64_t> inc;
  std::size_t k = 0;
  void tick() {
    sim.schedule_after(aqueduct::core::Duration(inc[k++ & (inc.size() - 1)]), [this] { tick(); });
  }
};

void BM_SimulatorHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  auto ctx = std::make_unique<HoldContext>();
  ctx->inc = increments(1 << 20);
  for (std::size_t i = 0; i < pending; ++i) {
    ctx->sim.schedule_at(aqueduct::core::Time(ctx->inc[i & (ctx->inc.size() - 1)] * 1000),
                         [c = ctx.get()] { c->tick(); });
  }
  for (auto _ : state) ctx->sim.step();
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RadixHeapHold)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_StdPriorityQueueHold)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_SimulatorHold)->Arg(1000000);

}  // namespace
