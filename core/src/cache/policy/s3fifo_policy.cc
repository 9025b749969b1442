#include "aqueduct/core/cache/policy/s3fifo_policy.h"

namespace aqueduct::core {

void S3FifoPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  if (std::uint32_t g = g_.find(key); g != KeyedList::kNil) {
    g_.erase(g);
    m_.push_front(key, bytes);
  } else {
    s_.push_front(key, bytes);
  }
}

std::int64_t S3FifoPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  KeyedList* l = &s_;
  std::uint32_t s = s_.find(key);
  if (s == KeyedList::kNil) {
    l = &m_;
    s = m_.find(key);
    if (s == KeyedList::kNil) return -1;
  }
  auto& n = l->at(s);
  std::int64_t old = n.bytes;
  if (n.counter < 3) ++n.counter;
  if (new_bytes >= 0) l->set_bytes(s, new_bytes);
  return old;
}

std::optional<BlockKey> S3FifoPolicy::victim() {
  // Each pass either returns or moves a block (from S to M, or within M with
  // its frequency decremented), so the loop ends.
  while (!s_.empty() || !m_.empty()) {
    if (!s_.empty() && (s_.bytes() >= small_target_ || m_.empty())) {
      std::uint32_t t = s_.tail();
      auto n = s_.at(t);
      if (n.counter > 1) {
        s_.erase(t);
        m_.push_front(n.key, n.bytes, 0);
        continue;
      }
      return n.key;
    }
    std::uint32_t t = m_.tail();
    if (m_.at(t).counter > 0) {
      --m_.at(t).counter;
      m_.move_to_front(t);
      continue;
    }
    return m_.at(t).key;
  }
  return std::nullopt;
}

void S3FifoPolicy::on_remove(const BlockKey& key, bool evicted) {
  if (std::uint32_t s = s_.find(key); s != KeyedList::kNil) {
    std::int64_t b = s_.at(s).bytes;
    s_.erase(s);
    if (evicted) {
      g_.push_front(key, b);
      while (g_.bytes() > ghost_limit_ && !g_.empty()) g_.erase(g_.tail());
    }
    return;
  }
  m_.erase_key(key);
}

std::int64_t S3FifoPolicy::bytes_of(const BlockKey& key) const {
  if (std::uint32_t s = s_.find(key); s != KeyedList::kNil) return s_.at(s).bytes;
  if (std::uint32_t s = m_.find(key); s != KeyedList::kNil) return m_.at(s).bytes;
  return 0;
}

}  // namespace aqueduct::core
