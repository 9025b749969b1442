// LFU: evict the least frequently used block; ties go to the least recently
// used among them. Frequency buckets in an ordered map (O(log #frequencies)),
// as in Shah, Mitra and Matani, "An O(1) algorithm for implementing the LFU
// cache eviction scheme" (2010), which uses a linked list of buckets instead.
// Frequencies are not aged: a block popular long ago stays.
#pragma once
#include <map>
#include "aqueduct/core/cache/block_map.h"

#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {
class LfuPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "lfu"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return freq_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;

 private:
  std::map<std::uint64_t, KeyedList> buckets_;  // frequency -> blocks, front = most recent
  BlockMap<std::uint64_t> freq_;
};
}  // namespace aqueduct::core
