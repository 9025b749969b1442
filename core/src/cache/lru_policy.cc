#include "aqueduct/core/cache/lru_policy.h"

#include "aqueduct/core/check.h"

namespace aqueduct::core {

void LruPolicy::on_insert(const BlockKey& key, std::int64_t) {
  AQ_DCHECK(!index_.count(key));
  order_.push_front(key);
  index_[key] = order_.begin();
}

void LruPolicy::on_access(const BlockKey& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  order_.splice(order_.begin(), order_, it->second);
}

void LruPolicy::on_remove(const BlockKey& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  order_.erase(it->second);
  index_.erase(it);
}

std::optional<BlockKey> LruPolicy::victim() {
  if (order_.empty()) return std::nullopt;
  return order_.back();
}

}  // namespace aqueduct::core
