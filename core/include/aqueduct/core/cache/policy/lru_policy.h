// LRU: evict the least recently used block (Mattson et al., "Evaluation
// techniques for storage hierarchies", IBM Systems Journal 1970). O(1).
#pragma once
#include "aqueduct/core/cache/policy/list_policy.h"

namespace aqueduct::core {

class LruPolicy final : public ListPolicy {
 public:
  std::string_view name() const override { return "lru"; }
  std::optional<BlockKey> victim() override {
    if (list_.empty()) return std::nullopt;
    last_victim_ = list_.tail();
    return list_.at(last_victim_).key;
  }

 protected:
  void touch(std::uint32_t s) override { list_.move_to_front(s); }
};

}  // namespace aqueduct::core
