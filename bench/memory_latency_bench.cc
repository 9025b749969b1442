// The machine's memory hierarchy as a floor under per-event cost: the time of one dependent
// random load when the data touched spans W bytes. The simulator's state at 1x (about 12 MB)
// and at 100x (about 125 MB) the quickstart sit on different floors, so a per-event time ratio
// between them is bounded below by the ratio between these figures, whatever the code does.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace {

// One cache line per element; `next` forms a single random cycle (Sattolo's algorithm) so
// every load depends on the previous one and the hardware cannot predict the address.
struct alignas(64) Line {
  std::uint32_t next = 0;
};

std::vector<Line> random_cycle(std::size_t lines) {
  std::vector<Line> out(lines);
  std::vector<std::uint32_t> order(lines);
  for (std::size_t i = 0; i < lines; ++i) order[i] = static_cast<std::uint32_t>(i);
  std::mt19937_64 rng(42);
  for (std::size_t i = lines - 1; i > 0; --i) {
    std::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(order[i], order[pick(rng)]);
  }
  for (std::size_t i = 0; i < lines; ++i) out[order[i]].next = order[(i + 1) % lines];
  return out;
}

// Argument: working set in MiB. items_per_second is loads per second (1e9 / it = ns per load).
void BM_DependentRandomLoad(benchmark::State& state) {
  const std::size_t lines = static_cast<std::size_t>(state.range(0)) * (1u << 20) / sizeof(Line);
  const std::vector<Line> cycle = random_cycle(lines);
  std::uint32_t at = 0;
  for (std::size_t i = 0; i < lines; ++i) at = cycle[at].next;  // warm: touch every line once
  constexpr int kLoadsPerIteration = 1024;
  for (auto _ : state) {
    for (int i = 0; i < kLoadsPerIteration; ++i) at = cycle[at].next;
    benchmark::DoNotOptimize(at);
  }
  state.SetItemsProcessed(state.iterations() * kLoadsPerIteration);
}
BENCHMARK(BM_DependentRandomLoad)
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->Arg(8)
    ->Arg(12)
    ->Arg(32)
    ->Arg(128)
    ->Arg(512);

}  // namespace
