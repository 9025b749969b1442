// ARC (Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement
// Cache", FAST 2003): resident lists T1 (seen once) and T2 (seen again), ghost
// lists B1 and B2 of recently evicted keys, and a target size p for T1 that a
// ghost hit in B1 raises and one in B2 lowers. Ours counts bytes instead of
// pages (p, |T1|, ... in bytes), and REPLACE cannot see the incoming key, so
// it evicts from T1 when |T1| > p (or T2 is empty), else from T2.
#pragma once
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {
class ArcPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "arc"; }
  void set_capacity(std::int64_t bytes) override { c_ = bytes; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return t1_.size() + t2_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;
  std::int64_t target_t1() const { return p_; }

 private:
  void trim_ghosts();
  KeyedList t1_, t2_, b1_, b2_;  // front = MRU
  std::int64_t c_ = 0, p_ = 0;
};
}  // namespace aqueduct::core
