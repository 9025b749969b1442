// Consistent hashing of blocks onto cache workers: 128 virtual points per
// worker, placed by a fixed hash of the worker's name, so adding or removing a
// worker moves only its share of blocks. Shared by the simulated cache and the
// real data plane (which hashes block names). Lookups go through a bucket
// table over the top bits of the hash: a ring is consulted on every block read.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "aqueduct/core/cache/block_key.h"

namespace aqueduct::core {

class HashRing {
 public:
  static constexpr int kVirtualNodes = 128;
  void add(std::uint32_t worker, std::string_view worker_name);
  void remove(std::uint32_t worker);
  // The worker owning a key hash / a block. REQUIRES: !empty().
  std::uint32_t owner(std::uint64_t hash) const;
  std::uint32_t owner(const BlockKey& key) const { return owner(BlockKeyHash{}(key)); }
  // Distinct workers in ring order starting at the owner of `hash`: the
  // owner first, then where the block goes when the owner is down.
  std::vector<std::uint32_t> preference(std::uint64_t hash) const;
  bool empty() const { return points_.empty(); }

 private:
  struct Point {
    std::uint64_t hash;
    std::uint32_t worker;
  };
  // Rebuilds buckets_ after points_ changed.
  void index();

  std::vector<Point> points_;  // sorted by (hash, worker)
  // buckets_[b]: the first point whose hash's top bits are >= b, so a lookup
  // scans a few points from there instead of a binary search over all of
  // them (one or two cache lines instead of a dozen).
  std::vector<std::uint32_t> buckets_;
  int shift_ = 64;
};

}  // namespace aqueduct::core
