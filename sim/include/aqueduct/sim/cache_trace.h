// Block and object traces for cache studies (`aqueduct cache-sim`), read as
// they are replayed. Formats (docs/cache.md):
//   csv            named columns: --key-column (default "key") and
//                  --size-column (default "size"); keys that are not
//                  integers are hashed
//   cloudphysics   libCacheSim's cloudPhysicsIO.csv: key lbn, size `size`
//   cachelib-block CacheLib block traces: key block_id, size io_size
//   cachelib-kv    CacheLib kvcache traces: key `key`, size `size` (rows with
//                  op_count n count n times)
//   twitter        Twitter's cache traces (no header): timestamp, key,
//                  key size, value size, client id, operation, TTL; an
//                  object is key size + value size bytes
//   msr            MSR Cambridge block traces (no header): Timestamp,
//                  Hostname, DiskNumber, Type, Offset, Size, ResponseTime;
//                  the key is the offset on its host's disk
//   binary         "AQCTRC01", u64 count, then count x (u64 key, u64 size)
//   oracleGeneral  libCacheSim's binary: records of u32 time, u64 id, u32
//                  size, i64 next access (which offline policies use)
// Any of them may be zstd-compressed (recognised by content); "-" reads
// standard input. Malformed input is an error naming file and line or record.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
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

class CacheTraceReader {
 public:
  virtual ~CacheTraceReader() = default;
  // Up to out.size() requests; 0 at the end. When `next` is not empty and the
  // format records next uses (has_next_use), it receives each request's next
  // use as a request number (UINT64_MAX: never).
  virtual core::Result<std::size_t> read(std::span<core::CacheRequest> out,
                                         std::span<std::uint64_t> next = {}) = 0;
  virtual bool has_next_use() const { return false; }
  // Back to the first request (a second pass); an error for standard input.
  virtual core::Status rewind() = 0;
  // The share of the input read so far, or -1 when unknown (a pipe).
  virtual double progress() const = 0;
  // Requests known to be in the trace before reading it (binary formats), or -1.
  virtual std::int64_t known_requests() const { return -1; }
};

core::Result<std::unique_ptr<CacheTraceReader>> open_cache_trace(const std::string& path,
                                                                 const CacheTraceOptions& opts);

// A trace already in memory (a generated pattern, a numpy array), read in batches.
std::unique_ptr<CacheTraceReader> memory_trace_reader(std::vector<core::CacheRequest> trace);

// The whole trace in memory.
core::Result<std::vector<core::CacheRequest>> read_cache_trace(const std::string& path,
                                                               const CacheTraceOptions& opts);
core::Status write_binary_cache_trace(const std::string& path,
                                      const std::vector<core::CacheRequest>& trace);
std::vector<std::string> cache_trace_formats();

}  // namespace aqueduct::sim
