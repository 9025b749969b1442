#include "aqueduct/core/cache/cache_replay.h"

#include <absl/container/flat_hash_set.h>

#include "aqueduct/core/cache/block_map.h"

namespace aqueduct::core {

std::string_view on_hit_size_name(OnHitSize s) { return s == OnHitSize::kKeep ? "keep" : "update"; }

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

Result<std::unique_ptr<CacheReplayer>> CacheReplayer::create(std::string_view policy,
                                                             std::int64_t capacity_bytes,
                                                             const EvictionRegistry& registry,
                                                             const ReplayOptions& options) {
  if (capacity_bytes <= 0) return invalid_argument("cache size must be positive");
  if (capacity_bytes > kMaxCacheBytes) {
    return invalid_argument("cache size " + std::to_string(capacity_bytes) +
                            " B is over the limit of 4 EiB");
  }
  AQ_ASSIGN_OR_RETURN(auto p, registry.create(policy));
  p->set_capacity(capacity_bytes);
  return std::unique_ptr<CacheReplayer>(
      new CacheReplayer(std::move(p), policy, capacity_bytes, options));
}

CacheReplayer::CacheReplayer(std::unique_ptr<EvictionPolicy> p, std::string_view name,
                             std::int64_t capacity, const ReplayOptions& options)
    : p_(std::move(p)),
      future_(p_->needs_future()),
      update_sizes_(options.on_hit_size == OnHitSize::kUpdate) {
  r_.policy = std::string(name);
  r_.capacity_bytes = capacity;
}

void CacheReplayer::make_room(std::int64_t need) {
  while (need > r_.capacity_bytes - used_) {
    const std::int64_t b = p_->evict_one();
    if (b < 0) break;
    used_ -= b;
  }
}

Status CacheReplayer::replay(std::span<const CacheRequest> batch, std::uint64_t first,
                             std::span<const std::uint64_t> next) {
  if (future_ && next.size() != batch.size()) {
    return invalid_argument("policy " + r_.policy + " needs the next use of every request");
  }
  const std::int64_t capacity = r_.capacity_bytes;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const CacheRequest& q = batch[i];
    if (q.bytes <= 0 || q.bytes > kMaxRequestBytes) [[unlikely]] {
      if (q.bytes == 0) {
        ++r_.zero_byte_requests;
        continue;
      }
      return invalid_argument("request " + std::to_string(first + i) + ": size " +
                              std::to_string(q.bytes) + " B is outside 0 .. 1 PiB");
    }
    ++r_.requests;
    if (__builtin_add_overflow(r_.bytes, q.bytes, &r_.bytes)) [[unlikely]] {
      return invalid_argument("request " + std::to_string(first + i) +
                              ": the trace's bytes add up to more than 8 EiB");
    }
    if (future_) p_->set_next_use(q.key, next[i]);
    const std::int64_t old = p_->on_access(q.key, update_sizes_ ? q.bytes : -1);
    if (old >= 0) {
      if (update_sizes_ && old != q.bytes) {
        used_ += q.bytes - old;
        // A grown object makes room (it may evict itself).
        make_room(0);
      }
      continue;
    }
    ++r_.misses;
    r_.miss_bytes += q.bytes;
    p_->on_miss(q.key, q.bytes);
    if (q.bytes > capacity) continue;
    make_room(q.bytes);
    p_->on_insert(q.key, q.bytes);
    used_ += q.bytes;
  }
  return Status::ok();
}

Result<ReplayResult> replay(std::span<const CacheRequest> trace, std::string_view policy,
                            std::int64_t capacity_bytes, const EvictionRegistry& registry,
                            std::span<const std::uint64_t> next, const ReplayOptions& options) {
  AQ_ASSIGN_OR_RETURN(auto r, CacheReplayer::create(policy, capacity_bytes, registry, options));
  if (r->needs_future() && next.size() != trace.size()) {
    return invalid_argument("policy " + std::string(policy) +
                            " needs the next use of every request");
  }
  AQ_RETURN_IF_ERROR(
      r->replay(trace, 0, r->needs_future() ? next : std::span<const std::uint64_t>{}));
  return r->result();
}

struct FootprintCounter::Keys {
  absl::flat_hash_set<BlockKey, BlockKeyHash> keys;
};

FootprintCounter::FootprintCounter() : seen_(std::make_unique<Keys>()) {}
FootprintCounter::~FootprintCounter() = default;
FootprintCounter::FootprintCounter(FootprintCounter&&) noexcept = default;
FootprintCounter& FootprintCounter::operator=(FootprintCounter&&) noexcept = default;

void FootprintCounter::add(std::span<const CacheRequest> batch) {
  for (const auto& q : batch) {
    if (!seen_->keys.insert(q.key).second) continue;
    ++f_.objects;
    // Saturates: a footprint past 8 EiB is reported as the largest value.
    if (__builtin_add_overflow(f_.bytes, q.bytes, &f_.bytes)) f_.bytes = INT64_MAX;
  }
}

Footprint footprint(std::span<const CacheRequest> trace) {
  FootprintCounter c;
  c.add(trace);
  return c.result();
}

}  // namespace aqueduct::core
