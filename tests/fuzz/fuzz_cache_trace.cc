// Cache traces, every format, and a replay of what loads: the first line
// names the format (an unknown name picks by its first byte), the rest is
// the trace file (any format may be zstd-compressed). Replays the first 2,000
// requests with LRU, ARC and Belady, and checks LRU's one-pass curve against
// the replays wherever it claims to be exact.
#include <cstdlib>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/core/cache/lru_stack.h"
#include "aqueduct/sim/cache_trace.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [format, body] = aqueduct::fuzz::pick_by_first_line(aqueduct::fuzz::as_text(data, size),
                                                           aqueduct::sim::cache_trace_formats());
  aqueduct::sim::CacheTraceOptions opts;
  opts.format = format;
  opts.max_requests = 2000;
  auto trace = aqueduct::sim::read_cache_trace(aqueduct::fuzz::write_scratch("trace", body), opts);
  if (!trace.ok() || trace->empty()) return 0;
  auto fp = aqueduct::core::footprint(*trace);
  const auto registry = aqueduct::core::builtin_eviction_policies();
  const std::int64_t capacity = std::max<std::int64_t>(1, fp.bytes / 10);
  auto next = aqueduct::core::next_uses(*trace);
  for (const char* policy : {"lru", "arc", "belady"}) {
    auto r = aqueduct::core::replay(*trace, policy, capacity, registry, next);
    (void)r;
  }
  const std::vector<std::int64_t> sizes = {capacity, 2 * capacity, 5 * capacity};
  aqueduct::core::LruStackDistance curve(sizes);
  curve.add(*trace);
  if (curve.exact()) {
    auto got = curve.results();
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      auto want = aqueduct::core::replay(*trace, "lru", sizes[i], registry);
      if (want.ok() && want->misses != got[i].misses) std::abort();  // the curve lied
    }
  }
  return 0;
}
