// FIFO: evict in insertion order; hits change nothing. The baseline.
#pragma once
#include "aqueduct/core/cache/policy/list_policy.h"

namespace aqueduct::core {
class FifoPolicy final : public ListPolicy {
 public:
  std::string_view name() const override { return "fifo"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override { list_.push_front(key, bytes); }
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override {
    std::int64_t old;
    hit(key, new_bytes, &old);
    return old;
  }
  void on_remove(const BlockKey& key, bool) override { list_.erase_key(key); }
  std::optional<BlockKey> victim() override {
    if (list_.empty()) return std::nullopt;
    return list_.at(list_.tail()).key;
  }
};
}  // namespace aqueduct::core
