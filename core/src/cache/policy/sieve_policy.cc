#include "aqueduct/core/cache/policy/sieve_policy.h"

namespace aqueduct::core {

std::optional<BlockKey> SievePolicy::victim() {
  if (list_.empty()) return std::nullopt;
  std::uint32_t s = hand_ == KeyedList::kNil ? list_.tail() : hand_;
  while (list_.at(s).counter != 0) {
    list_.at(s).counter = 0;
    s = list_.at(s).prev;  // toward the head (newer blocks)
    if (s == KeyedList::kNil) s = list_.tail();
  }
  hand_ = s;
  last_victim_ = s;
  return list_.at(s).key;
}

void SievePolicy::remove_slot(std::uint32_t s, bool) {
  if (s == hand_) hand_ = list_.at(s).prev;  // the hand moves on to the next newer block
  list_.erase(s);
}

}  // namespace aqueduct::core
