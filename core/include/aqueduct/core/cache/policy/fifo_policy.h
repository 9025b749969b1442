// FIFO: evict in insertion order; hits change nothing. The baseline.
#pragma once
#include "aqueduct/core/cache/policy/list_policy.h"

namespace aqueduct::core {

class FifoPolicy final : public ListPolicy {
 public:
  std::string_view name() const override { return "fifo"; }
  std::optional<BlockKey> victim() override {
    if (list_.empty()) return std::nullopt;
    last_victim_ = list_.tail();
    return list_.at(last_victim_).key;
  }
};

}  // namespace aqueduct::core
