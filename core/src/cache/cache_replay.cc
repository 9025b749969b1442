#include "aqueduct/core/cache/cache_replay.h"

#include "aqueduct/core/cache/block_map.h"

namespace aqueduct::core {

std::vector<std::uint64_t> next_uses(std::span<const CacheRequest> trace) {
  std::vector<std::uint64_t> next(trace.size(), UINT64_MAX);
  BlockMap<std::uint64_t> seen;
  seen.reserve(trace.size() / 2 + 1);
  for (std::size_t i = trace.size(); i-- > 0;) {
    auto [it, fresh] = seen.try_emplace(trace[i].key, i);
    if (!fresh) {
      next[i] = it->second;
      it->second = i;
    }
  }
  return next;
}

Result<ReplayResult> replay(std::span<const CacheRequest> trace, std::string_view policy,
                            std::int64_t capacity_bytes, const EvictionRegistry& registry,
                            std::span<const std::uint64_t> next) {
  if (capacity_bytes <= 0) return invalid_argument("cache size must be positive");
  if (capacity_bytes > kMaxCacheBytes) {
    return invalid_argument("cache size " + std::to_string(capacity_bytes) +
                            " B is over the limit of 4 EiB");
  }
  AQ_ASSIGN_OR_RETURN(auto p, registry.create(policy));
  if (p->needs_future() && next.size() != trace.size()) {
    return invalid_argument("policy " + std::string(policy) +
                            " needs the next use of every request");
  }
  p->set_capacity(capacity_bytes);
  const bool future = p->needs_future();
  ReplayResult r;
  r.policy = std::string(policy);
  r.capacity_bytes = capacity_bytes;
  std::int64_t used = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const CacheRequest& q = trace[i];
    if (q.bytes < 0 || q.bytes > kMaxRequestBytes) {
      return invalid_argument("request " + std::to_string(i) + ": size " + std::to_string(q.bytes) +
                              " B is outside 0 .. 1 PiB");
    }
    ++r.requests;
    if (__builtin_add_overflow(r.bytes, q.bytes, &r.bytes)) {
      return invalid_argument("request " + std::to_string(i) +
                              ": the trace's bytes add up to more than 8 EiB");
    }
    if (future) p->set_next_use(q.key, next[i]);
    std::int64_t old = p->on_access(q.key, q.bytes);
    if (old >= 0) {
      used += q.bytes - old;
      // A block that grew past the capacity makes room (it may evict itself).
      while (used > capacity_bytes) {
        auto v = p->victim();
        if (!v) break;
        used -= p->bytes_of(*v);
        p->on_remove(*v, /*evicted=*/true);
      }
      continue;
    }
    ++r.misses;
    r.miss_bytes += q.bytes;
    if (q.bytes > capacity_bytes) continue;
    // Make room first, then admit (as libCacheSim does).
    while (q.bytes > capacity_bytes - used) {
      auto v = p->victim();
      if (!v) break;
      used -= p->bytes_of(*v);
      p->on_remove(*v, /*evicted=*/true);
    }
    p->on_insert(q.key, q.bytes);
    used += q.bytes;
  }
  return r;
}

Footprint footprint(std::span<const CacheRequest> trace) {
  BlockMap<std::int64_t> sizes;
  for (const auto& q : trace) sizes[q.key] = q.bytes;
  Footprint f;
  f.objects = sizes.size();
  for (const auto& [k, b] : sizes) {
    // Saturates: a footprint past 8 EiB is reported as the largest value.
    if (__builtin_add_overflow(f.bytes, b, &f.bytes)) f.bytes = INT64_MAX;
  }
  return f;
}

}  // namespace aqueduct::core
