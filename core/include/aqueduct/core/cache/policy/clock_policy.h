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
  std::optional<BlockKey> victim() override;

 protected:
  void touch(std::uint32_t s) override { list_.at(s).counter = 1; }
};

}  // namespace aqueduct::core
