// Trace replay against a one-level cache of a given byte capacity: the engine
// of `aqueduct cache-sim` and of the policy benchmarks. A request hits when
// the policy tracks the key; a miss makes room first (evicting the policy's
// victims), then admits the object, as libCacheSim does. An object larger
// than the whole cache is a miss and is not cached. Requests of zero bytes
// are skipped (counted apart), as libCacheSim's readers skip them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/cache/block_key.h"
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

// Bounds that keep byte arithmetic exact: one request is at most 1 PiB (far
// past any real object or I/O), a cache at most 4 EiB; replays refuse
// requests and caches outside them, and traces whose bytes sum past 8 EiB.
inline constexpr std::int64_t kMaxRequestBytes = std::int64_t{1} << 50;
inline constexpr std::int64_t kMaxCacheBytes = std::int64_t{1} << 62;

struct CacheRequest {
  BlockKey key;
  std::int64_t bytes = 0;
};

// What a hit does when the request names a size other than the cached one.
//   kKeep    the object keeps the size it was admitted with (libCacheSim;
//            object caches, where an object's size is fixed once stored)
//   kUpdate  the object takes the new size, and a grown object makes room
//            by evicting (a block cache whose extents change size)
enum class OnHitSize { kKeep, kUpdate };
std::string_view on_hit_size_name(OnHitSize s);  // "keep" | "update"

struct ReplayOptions {
  OnHitSize on_hit_size = OnHitSize::kKeep;
};

struct ReplayResult {
  std::string policy;
  std::int64_t capacity_bytes = 0;
  std::uint64_t requests = 0;  // replayed (zero-byte requests excluded)
  std::uint64_t misses = 0;
  std::int64_t bytes = 0;
  std::int64_t miss_bytes = 0;
  std::uint64_t zero_byte_requests = 0;  // skipped
  // How it was computed: "replay", "stack" (LRU's exact one-pass curve) or
  // "shards" (the sampled estimate).
  std::string method = "replay";
  double miss_ratio() const {
    return requests ? static_cast<double>(misses) / static_cast<double>(requests) : 0;
  }
  double byte_miss_ratio() const {
    return bytes ? static_cast<double>(miss_bytes) / static_cast<double>(bytes) : 0;
  }
};

// One cache fed one request at a time, so a trace can be replayed while it is
// read (memory independent of the trace's length for online policies).
class CacheReplayer {
 public:
  static Result<std::unique_ptr<CacheReplayer>> create(std::string_view policy,
                                                       std::int64_t capacity_bytes,
                                                       const EvictionRegistry& registry,
                                                       const ReplayOptions& options = {});
  // True for offline policies (Belady): every request needs its next use.
  bool needs_future() const { return future_; }
  // Replays `batch`, whose first request is number `first` of the trace (for
  // messages); `next` holds each request's next use (request number,
  // UINT64_MAX: never), required by offline policies and ignored otherwise.
  Status replay(std::span<const CacheRequest> batch, std::uint64_t first = 0,
                std::span<const std::uint64_t> next = {});
  const ReplayResult& result() const { return r_; }

 private:
  CacheReplayer(std::unique_ptr<EvictionPolicy> p, std::string_view name, std::int64_t capacity,
                const ReplayOptions& options);
  void make_room(std::int64_t need);

  std::unique_ptr<EvictionPolicy> p_;
  ReplayResult r_;
  std::int64_t used_ = 0;
  bool future_ = false;
  bool update_sizes_ = false;
};

// For each request, the index of the next request for the same key
// (UINT64_MAX when there is none): what offline policies need.
std::vector<std::uint64_t> next_uses(std::span<const CacheRequest> trace);

// Replays `trace` (in memory). `next` is required (non-empty) for offline policies.
Result<ReplayResult> replay(std::span<const CacheRequest> trace, std::string_view policy,
                            std::int64_t capacity_bytes, const EvictionRegistry& registry,
                            std::span<const std::uint64_t> next = {},
                            const ReplayOptions& options = {});

// Distinct keys and the sum of their sizes, each key counted at the size of
// its first request (as libCacheSim's working-set size); saturates at INT64_MAX.
struct Footprint {
  std::uint64_t objects = 0;
  std::int64_t bytes = 0;
};
Footprint footprint(std::span<const CacheRequest> trace);

// The same, accumulated over a trace read in batches.
class FootprintCounter {
 public:
  FootprintCounter();
  ~FootprintCounter();
  FootprintCounter(FootprintCounter&&) noexcept;
  FootprintCounter& operator=(FootprintCounter&&) noexcept;
  void add(std::span<const CacheRequest> batch);
  Footprint result() const { return f_; }

 private:
  struct Keys;  // the keys seen so far
  std::unique_ptr<Keys> seen_;
  Footprint f_;
};

}  // namespace aqueduct::core
