// S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction",
// SOSP 2023): a small FIFO S (10% of the cache) for new blocks, a main FIFO M,
// and a ghost FIFO G of keys evicted from S. A 2-bit frequency per block.
// Evicting from S: a block read more than once moves to M, else it leaves (to
// G). Evicting from M: a block with frequency > 0 is reinserted with one less.
// A miss whose key is in G enters M directly. Sizes in bytes; G is bounded by
// M's share of the cache.
#pragma once
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {
class S3FifoPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "s3fifo"; }
  void set_capacity(std::int64_t bytes) override {
    small_target_ = bytes / 10;
    ghost_limit_ = bytes - small_target_;
  }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return s_.size() + m_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;

 private:
  KeyedList s_, m_, g_;  // front = newest
  std::int64_t small_target_ = 0, ghost_limit_ = 0;
};
}  // namespace aqueduct::core
