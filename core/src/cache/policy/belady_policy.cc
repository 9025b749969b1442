#include "aqueduct/core/cache/policy/belady_policy.h"

namespace aqueduct::core {

void BeladyPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  std::uint64_t next = next_for(key);
  entries_[key] = Entry{next, bytes};
  by_next_.insert({next, key});
}

std::int64_t BeladyPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return -1;
  std::int64_t old = it->second.bytes;
  by_next_.erase({it->second.next, key});
  it->second.next = next_for(key);
  if (new_bytes >= 0) it->second.bytes = new_bytes;
  by_next_.insert({it->second.next, key});
  return old;
}

void BeladyPolicy::on_remove(const BlockKey& key, bool) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  by_next_.erase({it->second.next, key});
  entries_.erase(it);
}

std::optional<BlockKey> BeladyPolicy::victim() {
  if (by_next_.empty()) return std::nullopt;
  return std::prev(by_next_.end())->second;
}

std::int64_t BeladyPolicy::bytes_of(const BlockKey& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.bytes;
}

}  // namespace aqueduct::core
