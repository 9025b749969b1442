#include "aqueduct/sim/page_cache.h"

namespace aqueduct::sim {

bool PageCache::lookup(std::uint64_t key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second);
  return true;
}

void PageCache::insert(std::uint64_t key, std::int64_t bytes) {
  if (auto it = index_.find(key); it != index_.end()) {
    used_ += bytes - it->second->second;
    it->second->second = bytes;
    lru_.splice(lru_.begin(), lru_, it->second);
    trim(capacity_);
    return;
  }
  if (bytes > capacity_) return;
  trim(capacity_ - bytes);
  lru_.emplace_front(key, bytes);
  index_.emplace(key, lru_.begin());
  used_ += bytes;
}

void PageCache::set_capacity(std::int64_t bytes) {
  capacity_ = bytes < 0 ? 0 : bytes;
  trim(capacity_);
}

void PageCache::trim(std::int64_t limit) {
  while (used_ > limit && !lru_.empty()) {
    const Entry& victim = lru_.back();
    used_ -= victim.second;
    evicted_ += victim.second;
    index_.erase(victim.first);
    lru_.pop_back();
  }
}

}  // namespace aqueduct::sim
