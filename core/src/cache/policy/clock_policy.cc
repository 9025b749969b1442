#include "aqueduct/core/cache/policy/clock_policy.h"

namespace aqueduct::core {

std::optional<BlockKey> ClockPolicy::victim() {
  if (list_.empty()) return std::nullopt;
  // At most one full sweep clears every bit, so this ends.
  while (true) {
    std::uint32_t s = list_.tail();
    if (list_.at(s).counter == 0) {
      last_victim_ = s;
      return list_.at(s).key;
    }
    list_.at(s).counter = 0;
    list_.move_to_front(s);
  }
}

}  // namespace aqueduct::core
