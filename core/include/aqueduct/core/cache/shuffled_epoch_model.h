// Analytical model of one epoch of a uniformly shuffled read of a dataset of
// N equal blocks through an LRU cache of C blocks that caches on miss
// (the deep-learning access pattern, where LRU is known to do badly).
//
// At the epoch's start the cache holds A blocks of the dataset (A <= C), all
// older than anything this epoch reads. In a fluid limit (N large), with t the
// fraction of the epoch read:
//  1. while free space remains, misses fill it; the A cached blocks are hit at
//     rate A/N per unit of reading (u(t) = A (1 - t) remain unread);
//  2. once full, each miss evicts the least recent block, which is an unread
//     block of the old set (every block read this epoch is more recent), so
//     the unread cached set a(t) falls at rate N: da/dt = -a/(1-t) (hits)
//     - (N - a/(1-t)) (evictions) = -N.
// Hits in phase 2 integrate a/(1-t): with b the time a reaches 0,
//   H2 = N [(T - t1) + (1 - b) ln((1 - T)/(1 - t1))], T = min(b, 1).
// For a full cache holding a fraction f of the data this gives the classic
// h = f + (1 - f) ln(1 - f) (0.153 at f = 0.5). At the epoch's end the cache
// holds min(C, A + misses) blocks.
#pragma once

#include <cstdint>

namespace aqueduct::core {

struct EpochPrediction {
  double hit_blocks = 0;    // expected hits in the epoch
  double cached_after = 0;  // blocks of the dataset cached at its end
  double hit_ratio() const { return hit_blocks; }
};

// n: blocks in the dataset; capacity: blocks the cache can hold for it;
// cached: blocks of it cached at the start (<= capacity).
EpochPrediction predict_shuffled_epoch(double n, double capacity, double cached);

}  // namespace aqueduct::core
