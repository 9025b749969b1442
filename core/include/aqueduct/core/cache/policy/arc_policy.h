// ARC (Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement
// Cache", FAST 2003), Fig. 4 of the paper in bytes: resident lists T1 (seen
// once) and T2 (seen again), ghost lists B1 and B2 of recently evicted keys,
// and a byte target p for T1. A miss that finds its key in B1 raises p by
// max(|B2|/|B1|, 1) times the object's size, one in B2 lowers it alike (cases
// II and III: with unit sizes exactly the paper's δ); a miss elsewhere first
// trims the ghosts as case IV says, and REPLACE evicts T1's LRU when
// |T1| > p, or |T1| = p and the key was in B2, else T2's. The cache tells ARC
// about a miss (on_miss) before it makes room, as the paper's cases require.
// docs/cache.md notes where libCacheSim's ARC differs (p moves by δ bytes).
#pragma once
#include "aqueduct/core/cache/block_map.h"
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {
class ArcPolicy final : public EvictionPolicy {
 public:
  ArcPolicy();
  std::string_view name() const override { return "arc"; }
  void set_capacity(std::int64_t bytes) override { c_ = bytes; }
  void on_miss(const BlockKey& key, std::int64_t bytes) override;
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::int64_t evict_one() override;
  std::size_t size() const override { return t1_.size() + t2_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;
  double target_t1() const { return p_; }

 private:
  // Where the key of the current miss was found (cases II, III and IV).
  enum class Miss { kNone, kInB1, kInB2, kNew };
  std::optional<BlockKey> replace() const;
  // Case IV's ghost trimming before an eviction; true when T1's LRU must
  // leave without a ghost.
  bool trim_for_new();
  // The list REPLACE takes from (kT1 or kT2), or nothing when both are empty.
  std::optional<std::uint8_t> replace_list() const;
  // One index for the four lists (which list, which slot): one probe per step.
  enum List : std::uint8_t { kT1, kT2, kB1, kB2 };
  struct Where {
    List list;
    std::uint32_t slot;
  };
  KeyedList& list(List l) { return l == kT1 ? t1_ : l == kT2 ? t2_ : l == kB1 ? b1_ : b2_; }
  void drop_ghost_tail(KeyedList& ghosts);
  KeyedList t1_, t2_, b1_, b2_;  // front = MRU; unindexed
  BlockMap<Where> where_;
  std::int64_t c_ = 0;
  double p_ = 0;
  Miss miss_ = Miss::kNone;
  BlockKey miss_key_;
  std::int64_t miss_bytes_ = 0;
  bool no_ghost_ = false;  // the next eviction leaves no ghost (case IV-A, |T1| = c)
};
}  // namespace aqueduct::core
