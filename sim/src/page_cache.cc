#include "aqueduct/sim/page_cache.h"

namespace aqueduct::sim {

bool PageCache::lookup(const core::BlockKey& key) {
  std::uint32_t s = lru_.find(key);
  if (s == core::KeyedList::kNil) return false;
  lru_.move_to_front(s);
  return true;
}

void PageCache::insert(const core::BlockKey& key, std::int64_t bytes) {
  if (std::uint32_t s = lru_.find(key); s != core::KeyedList::kNil) {
    lru_.set_bytes(s, bytes);
    lru_.move_to_front(s);
    trim(capacity_);
    return;
  }
  if (bytes > capacity_) return;
  trim(capacity_ - bytes);
  lru_.push_front(key, bytes);
}

void PageCache::set_capacity(std::int64_t bytes) {
  capacity_ = bytes < 0 ? 0 : bytes;
  trim(capacity_);
}

void PageCache::trim(std::int64_t limit) {
  while (lru_.bytes() > limit && !lru_.empty()) {
    evicted_ += lru_.at(lru_.tail()).bytes;
    lru_.erase(lru_.tail());
  }
}

}  // namespace aqueduct::sim
