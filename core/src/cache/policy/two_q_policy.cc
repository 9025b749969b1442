#include "aqueduct/core/cache/policy/two_q_policy.h"

namespace aqueduct::core {

void TwoQPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  if (std::uint32_t g = a1out_.find(key); g != KeyedList::kNil) {
    a1out_.erase(g);
    am_.push_front(key, bytes);
  } else {
    a1in_.push_front(key, bytes);
  }
}

std::int64_t TwoQPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  if (std::uint32_t s = am_.find(key); s != KeyedList::kNil) {
    std::int64_t old = am_.at(s).bytes;
    if (new_bytes >= 0) am_.set_bytes(s, new_bytes);
    am_.move_to_front(s);
    return old;
  }
  if (std::uint32_t s = a1in_.find(key); s != KeyedList::kNil) {
    std::int64_t old = a1in_.at(s).bytes;
    if (new_bytes >= 0) a1in_.set_bytes(s, new_bytes);
    return old;
  }
  return -1;
}

void TwoQPolicy::on_remove(const BlockKey& key, bool evicted) {
  if (std::uint32_t s = a1in_.find(key); s != KeyedList::kNil) {
    std::int64_t b = a1in_.at(s).bytes;
    a1in_.erase(s);
    if (evicted) {
      a1out_.push_front(key, b);
      while (a1out_.bytes() > kout_ && !a1out_.empty()) a1out_.erase(a1out_.tail());
    }
    return;
  }
  am_.erase_key(key);
}

std::optional<BlockKey> TwoQPolicy::victim() {
  if (!a1in_.empty() && (a1in_.bytes() > kin_ || am_.empty())) return a1in_.at(a1in_.tail()).key;
  if (!am_.empty()) return am_.at(am_.tail()).key;
  return std::nullopt;
}

std::int64_t TwoQPolicy::bytes_of(const BlockKey& key) const {
  if (std::uint32_t s = a1in_.find(key); s != KeyedList::kNil) return a1in_.at(s).bytes;
  if (std::uint32_t s = am_.find(key); s != KeyedList::kNil) return am_.at(s).bytes;
  return 0;
}

}  // namespace aqueduct::core
