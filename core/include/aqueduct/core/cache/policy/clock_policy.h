// CLOCK (Corbato, "A paging experiment with the Multics system", 1968): a FIFO
// with one reference bit per block; the hand gives referenced blocks a second
// chance (bit cleared, moved behind the hand) and evicts the first
// unreferenced one. Here the ring is a list whose tail is under the hand.
#pragma once
#include "aqueduct/core/cache/policy/list_policy.h"

namespace aqueduct::core {
class ClockPolicy final : public ListPolicy {
 public:
  std::string_view name() const override { return "clock"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override { list_.push_front(key, bytes); }
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override {
    std::int64_t old;
    std::uint32_t s = hit(key, new_bytes, &old);
    if (s != KeyedList::kNil) list_.at(s).counter = 1;
    return old;
  }
  void on_remove(const BlockKey& key, bool) override { list_.erase_key(key); }
  std::optional<BlockKey> victim() override;
};
}  // namespace aqueduct::core
