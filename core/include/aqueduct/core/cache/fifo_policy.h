// FIFO: evict blocks in insertion order; hits do not reorder. The baseline
// every other policy is measured against.
#pragma once

#include <list>
#include <unordered_map>

#include "aqueduct/core/cache/eviction_policy.h"

namespace aqueduct::core {

class FifoPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "fifo"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  void on_access(const BlockKey&) override {}
  void on_remove(const BlockKey& key) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return index_.size(); }

 private:
  std::list<BlockKey> order_;  // front = newest
  std::unordered_map<BlockKey, std::list<BlockKey>::iterator, BlockKeyHash> index_;
};

}  // namespace aqueduct::core
