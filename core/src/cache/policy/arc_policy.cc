#include "aqueduct/core/cache/policy/arc_policy.h"

#include <algorithm>

namespace aqueduct::core {

ArcPolicy::ArcPolicy() {
  for (KeyedList* l : {&t1_, &t2_, &b1_, &b2_}) l->set_indexed(false);
}

void ArcPolicy::drop_ghost_tail(KeyedList& ghosts) {
  const std::uint32_t s = ghosts.tail();
  where_.erase(ghosts.at(s).key);
  ghosts.erase(s);
}

void ArcPolicy::on_miss(const BlockKey& key, std::int64_t bytes) {
  miss_key_ = key;
  miss_bytes_ = bytes;
  no_ghost_ = false;
  miss_ = Miss::kNew;
  auto it = where_.find(key);
  if (it == where_.end()) return;
  const auto size = static_cast<double>(bytes);
  if (it->second.list == kB1) {
    // Case II: recency was evicted too soon; grow T1's target.
    const double delta =
        std::max(static_cast<double>(b2_.bytes()) / static_cast<double>(b1_.bytes()), 1.0);
    p_ = std::min(p_ + delta * size, static_cast<double>(c_));
    b1_.erase(it->second.slot);
    where_.erase(it);
    miss_ = Miss::kInB1;
  } else if (it->second.list == kB2) {
    // Case III: frequency was evicted too soon; shrink it.
    const double delta =
        std::max(static_cast<double>(b1_.bytes()) / static_cast<double>(b2_.bytes()), 1.0);
    p_ = std::max(p_ - delta * size, 0.0);
    b2_.erase(it->second.slot);
    where_.erase(it);
    miss_ = Miss::kInB2;
  }
}

void ArcPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  // A cache that did not report the miss: classify it now.
  if (miss_ == Miss::kNone || !(miss_key_ == key)) on_miss(key, bytes);
  if (miss_ == Miss::kNew) {
    where_[key] = Where{kT1, t1_.push_front(key, bytes)};
  } else {
    where_[key] = Where{kT2, t2_.push_front(key, bytes)};
  }
  miss_ = Miss::kNone;
  no_ghost_ = false;
}

std::int64_t ArcPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  miss_ = Miss::kNone;  // a hit: room made now (a grown object) is no case IV
  auto it = where_.find(key);
  if (it == where_.end()) return -1;
  Where& w = it->second;
  if (w.list == kT1) {
    // Case I: seen again; to T2's MRU end.
    const std::int64_t old = t1_.at(w.slot).bytes;
    t1_.erase(w.slot);
    w = Where{kT2, t2_.push_front(key, new_bytes >= 0 ? new_bytes : old)};
    return old;
  }
  if (w.list != kT2) return -1;  // a ghost is not in the cache
  const std::int64_t old = t2_.at(w.slot).bytes;
  if (new_bytes >= 0) t2_.set_bytes(w.slot, new_bytes);
  t2_.move_to_front(w.slot);
  return old;
}

void ArcPolicy::on_remove(const BlockKey& key, bool evicted) {
  auto it = where_.find(key);
  if (it == where_.end()) return;
  Where& w = it->second;
  if (w.list == kT1 || w.list == kT2) {
    KeyedList& from = list(w.list);
    const std::int64_t b = from.at(w.slot).bytes;
    from.erase(w.slot);
    if (evicted && !(w.list == kT1 && no_ghost_)) {
      w = w.list == kT1 ? Where{kB1, b1_.push_front(key, b)} : Where{kB2, b2_.push_front(key, b)};
    } else {
      where_.erase(it);
    }
  }
  no_ghost_ = false;
}

std::optional<std::uint8_t> ArcPolicy::replace_list() const {
  const auto t1 = static_cast<double>(t1_.bytes());
  if ((!t1_.empty() && (t1 > p_ || (t1 == p_ && miss_ == Miss::kInB2))) || t2_.empty()) {
    if (t1_.empty()) return std::nullopt;
    return kT1;
  }
  return kT2;
}

std::optional<BlockKey> ArcPolicy::replace() const {
  auto l = replace_list();
  if (!l) return std::nullopt;
  const KeyedList& from = *l == kT1 ? t1_ : t2_;
  return from.at(from.tail()).key;
}

bool ArcPolicy::trim_for_new() {
  if (miss_ != Miss::kNew) return false;
  // Case IV: the key is in no list.
  if (t1_.bytes() + b1_.bytes() + miss_bytes_ > c_) {
    // A: L1 = T1 + B1 is full.
    if (!b1_.empty()) {
      drop_ghost_tail(b1_);
    } else if (!t1_.empty()) {
      return true;  // T1 alone fills L1: its LRU leaves without a ghost
    }
  } else if (t1_.bytes() + t2_.bytes() + b1_.bytes() + b2_.bytes() >= 2 * c_ && !b2_.empty()) {
    // B: the directory holds 2c.
    drop_ghost_tail(b2_);
  }
  return false;
}

std::optional<BlockKey> ArcPolicy::victim() {
  no_ghost_ = trim_for_new();
  if (no_ghost_) return t1_.at(t1_.tail()).key;
  return replace();
}

std::int64_t ArcPolicy::evict_one() {
  // victim() and on_remove() without looking the victim up: it is a tail.
  const bool no_ghost = trim_for_new();
  no_ghost_ = false;
  std::optional<std::uint8_t> l = no_ghost ? std::optional<std::uint8_t>(kT1) : replace_list();
  if (!l) return -1;
  KeyedList& from = *l == kT1 ? t1_ : t2_;
  const std::uint32_t s = from.tail();
  const BlockKey key = from.at(s).key;
  const std::int64_t b = from.at(s).bytes;
  from.erase(s);
  if (no_ghost) {
    where_.erase(key);
  } else if (*l == kT1) {
    where_[key] = Where{kB1, b1_.push_front(key, b)};
  } else {
    where_[key] = Where{kB2, b2_.push_front(key, b)};
  }
  return b;
}

std::int64_t ArcPolicy::bytes_of(const BlockKey& key) const {
  auto it = where_.find(key);
  if (it == where_.end() || (it->second.list != kT1 && it->second.list != kT2)) return 0;
  return (it->second.list == kT1 ? t1_ : t2_).at(it->second.slot).bytes;
}

}  // namespace aqueduct::core
