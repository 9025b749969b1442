// Eviction policies: requests replayed per second on the CloudPhysics trace
// (113,872 block requests, bundled in data/traces) at a cache of 10% of its
// footprint, one core; and memory per cached block.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/sim/cache_trace.h"

namespace {
using namespace aqueduct;

const std::vector<core::CacheRequest>& trace() {
  static const std::vector<core::CacheRequest> t = [] {
    sim::CacheTraceOptions o;
    o.format = "cloudphysics";
    auto r = sim::read_cache_trace(
        std::string(AQ_SOURCE_DIR) + "/data/traces/cloudphysics-block-io/cloudPhysicsIO.csv", o);
    return r.ok() ? *r : std::vector<core::CacheRequest>{};
  }();
  return t;
}

void BM_Policy(benchmark::State& state, std::string policy) {
  const auto& t = trace();
  if (t.empty()) {
    state.SkipWithError("trace missing");
    return;
  }
  auto reg = core::builtin_eviction_policies();
  std::int64_t cap = core::footprint(t).bytes / 10;
  std::vector<std::uint64_t> next = core::next_uses(t);
  double miss = 0;
  for (auto _ : state) {
    auto r = core::replay(t, policy, cap, reg, next);
    miss = r->miss_ratio();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * t.size()));
  state.counters["miss_ratio"] = miss;
}

// Bytes of heap per cached block: fill a policy with 1M blocks, measure the heap.
void BM_MemoryPerBlock(benchmark::State& state, std::string policy) {
  auto reg = core::builtin_eviction_policies();
  double per_block = 0;
  for (auto _ : state) {
    struct mallinfo2 before = mallinfo2();
    auto p = std::move(reg.create(policy)).value();
    p->set_capacity(1LL << 40);
    const int n = 1 << 20;
    for (int i = 0; i < n; ++i) {
      p->set_next_use(core::BlockKey{0, static_cast<std::uint64_t>(i)},
                      static_cast<std::uint64_t>(i));
      p->on_insert(core::BlockKey{0, static_cast<std::uint64_t>(i)}, 4096);
    }
    struct mallinfo2 after = mallinfo2();
    // Heap in use: small chunks (uordblks) and mmapped large ones (hblkhd).
    per_block = (static_cast<double>(after.uordblks + after.hblkhd) -
                 static_cast<double>(before.uordblks + before.hblkhd)) /
                n;
    benchmark::DoNotOptimize(p);
  }
  state.counters["bytes_per_block"] = per_block;
}

#define AQ_POLICY_BENCH(name)                                                            \
  BENCHMARK_CAPTURE(BM_Policy, name, std::string(#name))->Unit(benchmark::kMillisecond); \
  BENCHMARK_CAPTURE(BM_MemoryPerBlock, name, std::string(#name))                         \
      ->Iterations(1)                                                                    \
      ->Unit(benchmark::kMillisecond)

AQ_POLICY_BENCH(lru);
AQ_POLICY_BENCH(fifo);
AQ_POLICY_BENCH(clock);
AQ_POLICY_BENCH(lfu);
AQ_POLICY_BENCH(arc);
AQ_POLICY_BENCH(sieve);
AQ_POLICY_BENCH(s3fifo);
AQ_POLICY_BENCH(belady);
BENCHMARK_CAPTURE(BM_Policy, two_q, std::string("2q"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MemoryPerBlock, two_q, std::string("2q"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
