// LRU: evict the least recently used block. The classic recency policy
// (e.g. Mattson et al., "Evaluation techniques for storage hierarchies", 1970,
// for its stack property). O(1) per operation with a list and a hash index.
#pragma once

#include <list>
#include <unordered_map>

#include "aqueduct/core/cache/eviction_policy.h"

namespace aqueduct::core {

class LruPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "lru"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  void on_access(const BlockKey& key) override;
  void on_remove(const BlockKey& key) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return index_.size(); }

 private:
  std::list<BlockKey> order_;  // front = most recent
  std::unordered_map<BlockKey, std::list<BlockKey>::iterator, BlockKeyHash> index_;
};

}  // namespace aqueduct::core
