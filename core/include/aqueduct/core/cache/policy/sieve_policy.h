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
  std::optional<BlockKey> victim() override;

 protected:
  void touch(std::uint32_t s) override { list_.at(s).counter = 1; }
  void remove_slot(std::uint32_t s, bool evicted) override;

 private:
  std::uint32_t hand_ = KeyedList::kNil;
};

}  // namespace aqueduct::core
