// `aqueduct cache-sim`'s engine: one read of a trace feeds every cache (each
// policy at each size) while it is read, so memory does not grow with the
// trace for online policies, and caches replay on several threads while the
// next batch is parsed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/sim/cache_trace.h"

namespace aqueduct::sim {

struct CacheConfig {
  std::string policy;
  std::int64_t capacity_bytes = 0;
};

struct CacheSimOptions {
  core::ReplayOptions replay;
  // Threads that replay (besides the one that reads); 0: one per core, at
  // most one per cache.
  int threads = 0;
  std::size_t batch = 1 << 16;  // requests per batch
  // LRU at two or more sizes from one pass over stack distances
  // (core::LruStackDistance) instead of one replay per size; when the curve
  // cannot be exact for the trace, the LRU sizes are replayed after all
  // (a second read).
  bool lru_stack = true;
  // Below 1: LRU's curve sampled with SHARDS at this rate (an estimate).
  double sample_rate = 1.0;
  // Called after each batch with the share of the input read (-1 unknown)
  // and the requests so far.
  std::function<void(double, std::uint64_t)> progress;
};

// Replays the trace from `reader` (from its current position) against every
// config. Offline policies (Belady) use the next uses the format records
// (oracleGeneral); for other formats the trace is first read into memory to
// compute them. Results come in the order of `configs`.
core::Result<std::vector<core::ReplayResult>> simulate_caches(
    CacheTraceReader& reader, const std::vector<CacheConfig>& configs,
    const core::EvictionRegistry& registry, const CacheSimOptions& options = {});

// The trace's footprint in one pass; the reader is rewound after it.
core::Result<core::Footprint> trace_footprint(CacheTraceReader& reader);

}  // namespace aqueduct::sim
