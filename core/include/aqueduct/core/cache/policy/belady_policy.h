// Belady's OPT (Belady, "A study of replacement algorithms for a virtual-
// storage computer", IBM Systems Journal 1966): evict the block whose next use
// is farthest in the future. Offline: the replayer tells it each request's
// next use. With unequal sizes it is the classic rule, not the (NP-hard)
// size-aware optimum, so it is an upper bound only for equal sizes.
#pragma once
#include <set>
#include "aqueduct/core/cache/block_map.h"

#include "aqueduct/core/cache/eviction_policy.h"

namespace aqueduct::core {
class BeladyPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "belady"; }
  bool needs_future() const override { return true; }
  void set_next_use(const BlockKey& key, std::uint64_t next) override { pending_ = {key, next}; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return entries_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;

 private:
  struct Entry {
    std::uint64_t next;
    std::int64_t bytes;
  };
  std::uint64_t next_for(const BlockKey& key) const {
    return pending_.first == key ? pending_.second : UINT64_MAX;
  }
  BlockMap<Entry> entries_;
  std::set<std::pair<std::uint64_t, BlockKey>> by_next_;  // largest next use last
  std::pair<BlockKey, std::uint64_t> pending_{};
};
}  // namespace aqueduct::core
