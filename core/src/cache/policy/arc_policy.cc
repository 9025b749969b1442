#include "aqueduct/core/cache/policy/arc_policy.h"

#include <algorithm>

namespace aqueduct::core {

void ArcPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  if (std::uint32_t g = b1_.find(key); g != KeyedList::kNil) {
    // Recency was evicted too soon: grow T1's target.
    std::int64_t delta =
        std::max<std::int64_t>(b2_.bytes() / std::max<std::int64_t>(b1_.bytes(), 1), 1) * bytes;
    p_ = std::min(c_, p_ + delta);
    b1_.erase(g);
    t2_.push_front(key, bytes);
  } else if (std::uint32_t h = b2_.find(key); h != KeyedList::kNil) {
    std::int64_t delta =
        std::max<std::int64_t>(b1_.bytes() / std::max<std::int64_t>(b2_.bytes(), 1), 1) * bytes;
    p_ = std::max<std::int64_t>(0, p_ - delta);
    b2_.erase(h);
    t2_.push_front(key, bytes);
  } else {
    t1_.push_front(key, bytes);
  }
  trim_ghosts();
}

std::int64_t ArcPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  std::uint32_t s = t1_.find(key);
  if (s != KeyedList::kNil) {
    std::int64_t old = t1_.at(s).bytes;
    t1_.erase(s);
    t2_.push_front(key, new_bytes >= 0 ? new_bytes : old);
    return old;
  }
  s = t2_.find(key);
  if (s == KeyedList::kNil) return -1;
  std::int64_t old = t2_.at(s).bytes;
  if (new_bytes >= 0) t2_.set_bytes(s, new_bytes);
  t2_.move_to_front(s);
  return old;
}

void ArcPolicy::on_remove(const BlockKey& key, bool evicted) {
  std::uint32_t s = t1_.find(key);
  if (s != KeyedList::kNil) {
    std::int64_t b = t1_.at(s).bytes;
    t1_.erase(s);
    if (evicted) b1_.push_front(key, b);
  } else if ((s = t2_.find(key)) != KeyedList::kNil) {
    std::int64_t b = t2_.at(s).bytes;
    t2_.erase(s);
    if (evicted) b2_.push_front(key, b);
  }
  trim_ghosts();
}

void ArcPolicy::trim_ghosts() {
  // |T1| + |B1| <= c and |T1| + |T2| + |B1| + |B2| <= 2c (in bytes).
  while (!b1_.empty() && t1_.bytes() + b1_.bytes() > c_) b1_.erase(b1_.tail());
  while (!b2_.empty() && t1_.bytes() + t2_.bytes() + b1_.bytes() + b2_.bytes() > 2 * c_)
    b2_.erase(b2_.tail());
}

std::optional<BlockKey> ArcPolicy::victim() {
  if (!t1_.empty() && (t1_.bytes() > p_ || t2_.empty())) return t1_.at(t1_.tail()).key;
  if (!t2_.empty()) return t2_.at(t2_.tail()).key;
  return std::nullopt;
}

std::int64_t ArcPolicy::bytes_of(const BlockKey& key) const {
  if (std::uint32_t s = t1_.find(key); s != KeyedList::kNil) return t1_.at(s).bytes;
  if (std::uint32_t s = t2_.find(key); s != KeyedList::kNil) return t2_.at(s).bytes;
  return 0;
}

}  // namespace aqueduct::core
