// SIEVE (Zhang et al., "SIEVE is Simpler than LRU: an Efficient Turn-Key
// Eviction Algorithm for Web Caches", NSDI 2024): a FIFO queue with a visited
// bit; the hand walks from the oldest toward the newest, clearing visited bits
// and evicting the first unvisited block, and stays where it stopped. Unlike
// CLOCK, survivors are not moved: new blocks always enter at the head.
#pragma once
#include "aqueduct/core/cache/policy/list_policy.h"

namespace aqueduct::core {
class SievePolicy final : public ListPolicy {
 public:
  std::string_view name() const override { return "sieve"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override { list_.push_front(key, bytes); }
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override {
    std::int64_t old;
    std::uint32_t s = hit(key, new_bytes, &old);
    if (s != KeyedList::kNil) list_.at(s).counter = 1;
    return old;
  }
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;

 private:
  std::uint32_t hand_ = KeyedList::kNil;
};
}  // namespace aqueduct::core
