#include "aqueduct/core/cache/fifo_policy.h"

namespace aqueduct::core {

void FifoPolicy::on_insert(const BlockKey& key, std::int64_t) {
  order_.push_front(key);
  index_[key] = order_.begin();
}

void FifoPolicy::on_remove(const BlockKey& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  order_.erase(it->second);
  index_.erase(it);
}

std::optional<BlockKey> FifoPolicy::victim() {
  if (order_.empty()) return std::nullopt;
  return order_.back();
}

}  // namespace aqueduct::core
