// Eviction policies: requests replayed per second on the CloudPhysics trace
// (113,872 block requests, bundled in data/traces) at a cache of 10% of its
// footprint, one core; and memory per cached block.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <fstream>
#include <string>

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

// Private data mappings of this process in bytes (VmData: the malloc heap, its
// mmapped chunks and the huge-page tables that HugePageAllocator maps itself);
// -1 where /proc/self/status has no VmData line.
double data_mapping_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmData:", 0) == 0) return std::stod(line.substr(7)) * 1024;
  }
  return -1;
}

// Memory used by the allocations made since `before`: malloc's small chunks in
// use plus every private mapping except the brk heap's own growth (mmapped
// chunks and HugePageAllocator's tables, which mallinfo does not see).
double used_since(const struct mallinfo2& before, double vm_before) {
  struct mallinfo2 after = mallinfo2();
  return static_cast<double>(after.uordblks) - static_cast<double>(before.uordblks) +
         (data_mapping_bytes() - vm_before) -
         (static_cast<double>(after.arena) - static_cast<double>(before.arena));
}

// Bytes per cached block: fill a policy with 1M blocks, measure what it holds.
void BM_MemoryPerBlock(benchmark::State& state, std::string policy) {
  auto reg = core::builtin_eviction_policies();
  double per_block = 0;
  for (auto _ : state) {
    struct mallinfo2 before = mallinfo2();
    const double vm_before = data_mapping_bytes();
    if (vm_before < 0) {
      state.SkipWithError("/proc/self/status: no VmData line, mapped memory cannot be measured");
      return;
    }
    auto p = std::move(reg.create(policy)).value();
    p->set_capacity(1LL << 40);
    const int n = 1 << 20;
    for (int i = 0; i < n; ++i) {
      p->set_next_use(core::BlockKey{0, static_cast<std::uint64_t>(i)},
                      static_cast<std::uint64_t>(i));
      p->on_insert(core::BlockKey{0, static_cast<std::uint64_t>(i)}, 4096);
    }
    per_block = used_since(before, vm_before) / n;
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
