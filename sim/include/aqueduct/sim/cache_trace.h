// Block and object traces for cache studies (`aqueduct cache-sim`), read into
// core::CacheRequest. Formats (docs/cache.md):
//   csv           named columns: --key-column (default "key") and --size-column
//                 (default "size"); keys that are not integers are hashed
//   cloudphysics  libCacheSim's cloudPhysicsIO.csv: key lbn, size `size`
//   cachelib-block  CacheLib block traces: key block_id, size io_size
//   cachelib-kv   CacheLib kvcache traces: key `key`, size `size` (GET and SET
//                 requests; rows with op_count n count n times)
//   binary        "AQCTRC01", u64 count, then count x (u64 key, u64 size), little-endian
// Malformed lines are errors naming file:line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/core/status.h"

namespace aqueduct::sim {

struct CacheTraceOptions {
  std::string format = "csv";
  std::string key_column = "key";
  std::string size_column = "size";
  std::int64_t max_requests = 0;  // 0: all
};

core::Result<std::vector<core::CacheRequest>> read_cache_trace(const std::string& path,
                                                               const CacheTraceOptions& opts);
core::Status write_binary_cache_trace(const std::string& path,
                                      const std::vector<core::CacheRequest>& trace);
std::vector<std::string> cache_trace_formats();

}  // namespace aqueduct::sim
