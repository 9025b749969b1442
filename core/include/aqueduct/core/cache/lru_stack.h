// LRU at many cache sizes in one pass (Mattson et al., "Evaluation
// techniques for storage hierarchies", IBM Systems Journal 1970): a request
// hits an LRU cache of C bytes exactly when the bytes of the distinct objects
// used since its last request, plus its own, fit in C, because LRU keeps the
// longest prefix of the recency stack that fits. Those byte stack distances
// are prefix sums over the objects' last-use times (slots, compacted to the
// live objects when full): a Fenwick tree over blocks of slots plus a group's
// slots and a block's group sums, read under masks (slot_sums.h; 32-bit slots
// until an object needs more), so each request costs O(log objects) whatever
// the number of sizes, with no branch that depends on the data. A request is
// taken in two passes, key to slot (last_use_table.h) and slot to distance,
// so that each has its cache misses prefetched well ahead; the sizes a run
// of distances first fits are searched apart, so those searches overlap.
// The curve equals one replay per size (tested) unless an
// object is larger than the smallest size, or a key changes size (with
// OnHitSize::kKeep) or shrinks (kUpdate: the freed room is not refilled from
// below the stack's cut, as the stack assumes): exact() then says false and
// the caller replays instead.
//
// With sample_rate < 1 it is SHARDS (Waldspurger et al., "Efficient MRC
// Construction with SHARDS", FAST 2015): only keys whose hash falls under the
// rate are tracked, distances are scaled by 1/rate, and the counts are
// adjusted by the difference between the expected and the sampled requests
// (SHARDS-adj), for memory and time divided by about 1/rate.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "aqueduct/core/cache/cache_replay.h"

namespace aqueduct::core {

class LruStackDistance {
 public:
  // `capacities` in bytes (any order); 0 < sample_rate <= 1.
  explicit LruStackDistance(std::vector<std::int64_t> capacities, double sample_rate = 1.0,
                            OnHitSize on_hit_size = OnHitSize::kKeep);
  ~LruStackDistance();
  LruStackDistance(LruStackDistance&&) noexcept;
  LruStackDistance& operator=(LruStackDistance&&) noexcept;

  void add(std::span<const CacheRequest> batch);
  // One result per capacity, in the order given (policy "lru").
  std::vector<ReplayResult> results() const;
  // False when the curve may differ from replays (see above); always true
  // for a sampled curve's own definition, which is an estimate.
  bool exact() const;
  std::uint64_t sampled_requests() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace aqueduct::core
