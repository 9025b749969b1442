// A tiered block store: levels ranked MEM > SSD > HDD as Fluid's tieredstore
// lists them, each with a quota and high/low watermarks. New blocks enter the
// top level; when a level passes its high watermark it evicts (by its policy)
// down to its low watermark, demoting victims to the next level; the last
// level drops them. A hit in a lower level promotes the block to the top level
// without evicting anything from the store: it moves up when the top level has
// room below its high watermark, else it swaps places with the top level's
// victim (Alluxio's promotion and tier alignment; set_promote_on_hit(false)
// turns it off). The store's own index finds a block once per request: the
// level policies get the block's handle, not its key (enable_handles).
// Byte accounting per level and per dataset. The same store
// backs simulated cache workers and the real FUSE data plane.
// Not thread-safe: callers serialize access.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "aqueduct/core/cache/block_map.h"
#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/model/node.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

struct TierSpec {
  MediumType medium = MediumType::kMem;
  std::int64_t quota_bytes = 0;
  double high = 0.95;
  double low = 0.7;
};

struct TieredStoreStats {
  std::uint64_t inserts = 0;
  std::uint64_t evictions = 0;   // blocks that left the store entirely
  std::uint64_t demotions = 0;   // blocks moved to a lower level
  std::uint64_t rejected = 0;    // blocks larger than every level
  std::uint64_t promotions = 0;  // hits in a lower level moved to the top
};

class TieredStore {
 public:
  // Validates the specs (quota > 0, 0 <= low <= high <= 1, levels ordered
  // fastest first) and creates one policy per level from the registry.
  static Result<TieredStore> create(std::vector<TierSpec> tiers, const EvictionRegistry& registry,
                                    std::string_view policy);

  TieredStore(TieredStore&&) = default;
  TieredStore& operator=(TieredStore&&) = default;

  void set_promote_on_hit(bool on) { promote_on_hit_ = on; }
  // Told of every block that enters, moves between or leaves levels: `from`
  // is -1 for a new block, `to` is -1 for a block that left the store. A data
  // plane moves the bytes as the store decides (the simulator needs no listener).
  // Events come in the order the store applies them, so replaying them on a
  // shadow map always gives where every block is.
  using MoveListener = std::function<void(const BlockKey& key, int from, int to)>;
  void set_move_listener(MoveListener listener) { listener_ = std::move(listener); }
  // The level that served `key` (0 = fastest) and records a hit (promoting the
  // block to level 0 when it was lower); nullopt on a miss.
  std::optional<int> lookup(const BlockKey& key);
  // The level holding `key`, without touching recency.
  std::optional<int> peek(const BlockKey& key) const;
  // Cache hints for a block about to be looked up (no effect on the store):
  // stage 0 fetches its index slot; stage 1 (issued later, when the slot is
  // likely in the CPU's caches) reads the slot and asks the level's policy to
  // fetch the block's entry; stage 2 that entry's neighbours.
  void prefetch(const BlockKey& key, int stage) const;
  // Stores a block (no-op if present). Evicts per watermarks. A block larger
  // than every level's quota is rejected with ResourceExhausted.
  Status insert(const BlockKey& key, std::int64_t bytes);
  // Removes a block if present; returns whether it was.
  bool erase(const BlockKey& key);
  // Changes a level's quota (0 allowed: the level then admits nothing). A
  // smaller quota than the level holds evicts (demotes) down to it at once,
  // in the level policy's order.
  void set_quota(int level, std::int64_t bytes);

  int level_count() const { return static_cast<int>(levels_.size()); }
  const TierSpec& spec(int level) const { return levels_[level].spec; }
  std::int64_t used_bytes(int level) const { return levels_[level].used; }
  std::int64_t used_bytes() const;
  std::int64_t capacity_bytes() const;
  // Bytes of one dataset held in any level.
  std::int64_t dataset_bytes(std::uint32_t dataset) const;
  // Every block held, sorted by key (for migration and inspection).
  std::vector<std::pair<BlockKey, std::int64_t>> blocks() const;
  std::size_t block_count() const { return where_.size(); }
  const TieredStoreStats& stats() const { return stats_; }

 private:
  struct Level {
    TierSpec spec;
    std::int64_t used = 0;
    std::unique_ptr<EvictionPolicy> policy;
  };
  struct Entry {
    std::int32_t level = 0;
    std::uint32_t handle = EvictionPolicy::kNoHandle;  // the level policy's
    std::int64_t bytes = 0;
  };
  TieredStore() = default;
  // Places a block at `level` or below, making room as needed.
  void place(const BlockKey& key, std::int64_t bytes, int level, int from);
  void moved(const BlockKey& key, int from, int to) {
    if (listener_) listener_(key, from, to);
  }
  // Evicts from `level` until used <= target (demoting into the next level).
  void shrink(int level, std::int64_t target);

  std::vector<Level> levels_;
  BlockMap<Entry> where_;
  std::vector<std::int64_t> dataset_bytes_;  // by dataset id
  std::int64_t& dataset_bytes_of(std::uint32_t dataset) {
    if (dataset >= dataset_bytes_.size()) dataset_bytes_.resize(dataset + 1, 0);
    return dataset_bytes_[dataset];
  }
  TieredStoreStats stats_;
  bool promote_on_hit_ = true;
  MoveListener listener_;
};

}  // namespace aqueduct::core
