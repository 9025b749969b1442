#include "aqueduct/core/cache/policy/lfu_policy.h"

namespace aqueduct::core {

void LfuPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  freq_[key] = 1;
  buckets_[1].push_front(key, bytes);
}

std::int64_t LfuPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  auto it = freq_.find(key);
  if (it == freq_.end()) return -1;
  KeyedList& from = buckets_[it->second];
  std::uint32_t s = from.find(key);
  std::int64_t old = from.at(s).bytes;
  std::int64_t b = new_bytes >= 0 ? new_bytes : old;
  from.erase(s);
  if (from.empty()) buckets_.erase(it->second);
  ++it->second;
  buckets_[it->second].push_front(key, b);
  return old;
}

void LfuPolicy::on_remove(const BlockKey& key, bool) {
  auto it = freq_.find(key);
  if (it == freq_.end()) return;
  auto b = buckets_.find(it->second);
  b->second.erase_key(key);
  if (b->second.empty()) buckets_.erase(b);
  freq_.erase(it);
}

std::optional<BlockKey> LfuPolicy::victim() {
  if (buckets_.empty()) return std::nullopt;
  const KeyedList& l = buckets_.begin()->second;
  return l.at(l.tail()).key;
}

std::int64_t LfuPolicy::bytes_of(const BlockKey& key) const {
  auto it = freq_.find(key);
  if (it == freq_.end()) return 0;
  const KeyedList& l = buckets_.at(it->second);
  return l.at(l.find(key)).bytes;
}

}  // namespace aqueduct::core
