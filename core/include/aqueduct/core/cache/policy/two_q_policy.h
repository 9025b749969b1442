// 2Q, full version (Johnson and Shasha, "2Q: A Low Overhead High Performance
// Buffer Management Replacement Algorithm", VLDB 1994): new blocks enter A1in,
// a FIFO of Kin = 25% of the cache; blocks evicted from it are remembered in
// the ghost A1out (Kout = 50% of the cache); a miss that hits A1out goes to
// Am, an LRU. Hits in A1in change nothing (correlated references). Sizes in bytes.
#pragma once
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {
class TwoQPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "2q"; }
  void set_capacity(std::int64_t bytes) override {
    kin_ = bytes / 4;
    kout_ = bytes / 2;
  }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return a1in_.size() + am_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;

 private:
  KeyedList a1in_, a1out_, am_;  // front = newest / MRU
  std::int64_t kin_ = 0, kout_ = 0;
};
}  // namespace aqueduct::core
