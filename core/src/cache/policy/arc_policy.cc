#include "aqueduct/core/cache/policy/arc_policy.h"

#include <algorithm>

namespace aqueduct::core {

void ArcPolicy::on_miss(const BlockKey& key, std::int64_t bytes) {
  miss_key_ = key;
  miss_bytes_ = bytes;
  no_ghost_ = false;
  const auto size = static_cast<double>(bytes);
  if (std::uint32_t g = b1_.find(key); g != KeyedList::kNil) {
    // Case II: recency was evicted too soon; grow T1's target.
    const double delta =
        std::max(static_cast<double>(b2_.bytes()) / static_cast<double>(b1_.bytes()), 1.0);
    p_ = std::min(p_ + delta * size, static_cast<double>(c_));
    b1_.erase(g);
    miss_ = Miss::kInB1;
  } else if (std::uint32_t h = b2_.find(key); h != KeyedList::kNil) {
    // Case III: frequency was evicted too soon; shrink it.
    const double delta =
        std::max(static_cast<double>(b1_.bytes()) / static_cast<double>(b2_.bytes()), 1.0);
    p_ = std::max(p_ - delta * size, 0.0);
    b2_.erase(h);
    miss_ = Miss::kInB2;
  } else {
    miss_ = Miss::kNew;
  }
}

void ArcPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  // A cache that did not report the miss: classify it now.
  if (miss_ == Miss::kNone || !(miss_key_ == key)) on_miss(key, bytes);
  if (miss_ == Miss::kNew) {
    t1_.push_front(key, bytes);
  } else {
    t2_.push_front(key, bytes);
  }
  miss_ = Miss::kNone;
  no_ghost_ = false;
}

std::int64_t ArcPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  miss_ = Miss::kNone;  // a hit: room made now (a grown object) is no case IV
  std::uint32_t s = t1_.find(key);
  if (s != KeyedList::kNil) {
    // Case I: seen again; to T2's MRU end.
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
    if (evicted && !no_ghost_) b1_.push_front(key, b);
  } else if ((s = t2_.find(key)) != KeyedList::kNil) {
    std::int64_t b = t2_.at(s).bytes;
    t2_.erase(s);
    if (evicted) b2_.push_front(key, b);
  }
  no_ghost_ = false;
}

std::optional<BlockKey> ArcPolicy::replace() const {
  const auto t1 = static_cast<double>(t1_.bytes());
  if ((!t1_.empty() && (t1 > p_ || (t1 == p_ && miss_ == Miss::kInB2))) || t2_.empty()) {
    if (t1_.empty()) return std::nullopt;
    return t1_.at(t1_.tail()).key;
  }
  return t2_.at(t2_.tail()).key;
}

std::optional<BlockKey> ArcPolicy::victim() {
  no_ghost_ = false;
  if (miss_ == Miss::kNew) {
    // Case IV: the key is in no list.
    if (t1_.bytes() + b1_.bytes() + miss_bytes_ > c_) {
      // A: L1 = T1 + B1 is full.
      if (!b1_.empty()) {
        b1_.erase(b1_.tail());
      } else if (!t1_.empty()) {
        no_ghost_ = true;  // T1 alone fills L1: its LRU leaves without a ghost
        return t1_.at(t1_.tail()).key;
      }
    } else if (t1_.bytes() + t2_.bytes() + b1_.bytes() + b2_.bytes() >= 2 * c_ && !b2_.empty()) {
      // B: the directory holds 2c.
      b2_.erase(b2_.tail());
    }
  }
  return replace();
}

std::int64_t ArcPolicy::bytes_of(const BlockKey& key) const {
  if (std::uint32_t s = t1_.find(key); s != KeyedList::kNil) return t1_.at(s).bytes;
  if (std::uint32_t s = t2_.find(key); s != KeyedList::kNil) return t2_.at(s).bytes;
  return 0;
}

}  // namespace aqueduct::core
