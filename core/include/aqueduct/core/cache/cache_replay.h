// Trace replay against a one-level cache of a given byte capacity: the engine
// of `aqueduct cache-sim` and of the policy benchmarks. A request hits when
// the policy tracks the key; a miss inserts the block, evicting the policy's
// victims until it fits. A block counts the size of its latest request; a
// block larger than the whole cache is a miss and is not cached.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/cache/block_key.h"
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

// Bounds that keep byte arithmetic exact: one request is at most 1 PiB (far
// past any real object or I/O), a cache at most 4 EiB; replay() refuses
// requests and caches outside them, and traces whose bytes sum past 8 EiB.
inline constexpr std::int64_t kMaxRequestBytes = std::int64_t{1} << 50;
inline constexpr std::int64_t kMaxCacheBytes = std::int64_t{1} << 62;

struct CacheRequest {
  BlockKey key;
  std::int64_t bytes = 0;
};

struct ReplayResult {
  std::string policy;
  std::int64_t capacity_bytes = 0;
  std::uint64_t requests = 0;
  std::uint64_t misses = 0;
  std::int64_t bytes = 0;
  std::int64_t miss_bytes = 0;
  double miss_ratio() const {
    return requests ? static_cast<double>(misses) / static_cast<double>(requests) : 0;
  }
  double byte_miss_ratio() const {
    return bytes ? static_cast<double>(miss_bytes) / static_cast<double>(bytes) : 0;
  }
};

// For each request, the index of the next request for the same key
// (UINT64_MAX when there is none): what offline policies need.
std::vector<std::uint64_t> next_uses(std::span<const CacheRequest> trace);

// Replays `trace`. `next` is required (non-empty) for offline policies.
Result<ReplayResult> replay(std::span<const CacheRequest> trace, std::string_view policy,
                            std::int64_t capacity_bytes, const EvictionRegistry& registry,
                            std::span<const std::uint64_t> next = {});

// Distinct keys and the sum of their (latest) sizes (saturating at INT64_MAX).
struct Footprint {
  std::uint64_t objects = 0;
  std::int64_t bytes = 0;
};
Footprint footprint(std::span<const CacheRequest> trace);

}  // namespace aqueduct::core
