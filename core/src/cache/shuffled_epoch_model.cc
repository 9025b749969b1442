#include "aqueduct/core/cache/shuffled_epoch_model.h"

#include <algorithm>
#include <cmath>

namespace aqueduct::core {

EpochPrediction predict_shuffled_epoch(double n, double capacity, double cached) {
  EpochPrediction p;
  if (n <= 0) return p;
  capacity = std::max(0.0, capacity);
  cached = std::clamp(cached, 0.0, std::min(capacity, n));
  if (capacity >= n) {
    // Everything fits: cached blocks hit, the rest are loaded and stay.
    p.hit_blocks = cached;
    p.cached_after = n;
    return p;
  }
  const double a0 = cached / n;  // cached share at the start
  const double free = capacity - cached;
  // Phase 1: misses arrive at rate n (1 - a0) per unit of reading.
  double t1 = (1.0 - a0) > 0 ? free / (n * (1.0 - a0)) : 1.0;
  t1 = std::min(t1, 1.0);
  double hits = cached * t1;  // hit rate A (= a0 n) per unit of reading
  if (t1 < 1.0) {
    // Phase 2 starts with a1 unread cached blocks.
    const double a1 = cached * (1.0 - t1);
    const double b = t1 + a1 / n;  // when the unread old set is gone
    const double T = std::min(b, 1.0);
    double h2 = (T - t1);
    if (1.0 - T > 0) h2 += (1.0 - b) * std::log((1.0 - T) / (1.0 - t1));
    hits += n * h2;
  }
  p.hit_blocks = std::max(0.0, hits);
  p.cached_after = std::min(capacity, cached + (n - p.hit_blocks));
  return p;
}

}  // namespace aqueduct::core
