// The analytical shuffled-epoch model against block-level replay through the
// real LRU policy (the agreement the simulator's two fidelities rely on).
#include "aqueduct/core/cache/shuffled_epoch_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "aqueduct/core/cache/cache_replay.h"

namespace aqueduct::core {
namespace {

TEST(ShuffledEpochModel, ClassicFormulaForAFullCache) {
  for (double f : {0.1, 0.3, 0.5, 0.8}) {
    auto p = predict_shuffled_epoch(1000, 1000 * f, 1000 * f);
    EXPECT_NEAR(p.hit_blocks / 1000, f + (1 - f) * std::log(1 - f), 1e-9) << f;
    EXPECT_NEAR(p.cached_after, 1000 * f, 1e-9);
  }
  EXPECT_EQ(predict_shuffled_epoch(100, 200, 0).hit_blocks, 0);
  EXPECT_EQ(predict_shuffled_epoch(100, 200, 0).cached_after, 100);
  EXPECT_EQ(predict_shuffled_epoch(100, 200, 100).hit_blocks, 100);
}

// Block level: epochs of Fisher-Yates shuffles through LRU of `cap` blocks.
std::vector<double> block_level(int n, int cap, int epochs, std::uint64_t seed) {
  std::vector<CacheRequest> trace;
  std::vector<std::uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::uint64_t s = seed;
  for (int e = 0; e < epochs; ++e) {
    for (int i = n - 1; i > 0; --i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      std::swap(order[i], order[(s >> 33) % static_cast<std::uint64_t>(i + 1)]);
    }
    for (auto b : order) trace.push_back({BlockKey{0, b}, 1});
  }
  // Per-epoch hits from replays of growing prefixes.
  std::vector<double> hits;
  std::uint64_t prev_misses = 0;
  for (int e = 1; e <= epochs; ++e) {
    auto r = replay(std::span(trace).first(static_cast<std::size_t>(e) * n), "lru", cap,
                    builtin_eviction_policies());
    hits.push_back(static_cast<double>(n) - static_cast<double>(r->misses - prev_misses));
    prev_misses = r->misses;
  }
  return hits;
}

TEST(ShuffledEpochModel, WithinFivePercentOfBlockLevelOnMidSizeCases) {
  const int epochs = 4;
  for (int n : {2000, 5000}) {
    for (double f : {0.3, 0.5, 0.8}) {
      int cap = static_cast<int>(n * f);
      auto real = block_level(n, cap, epochs, 7 + n);
      double cached = 0, model_total = 0, real_total = 0;
      for (int e = 0; e < epochs; ++e) {
        auto p = predict_shuffled_epoch(n, cap, cached);
        cached = p.cached_after;
        model_total += p.hit_blocks;
        real_total += real[e];
      }
      // Hits over the run, relative to the bytes read (the quantity the timing uses).
      double model_hit = model_total / (n * epochs), real_hit = real_total / (n * epochs);
      EXPECT_NEAR(model_hit, real_hit, 0.05 * std::max(real_hit, 0.01))
          << "n " << n << " f " << f << ": model " << model_hit << ", block level " << real_hit;
    }
  }
}

}  // namespace
}  // namespace aqueduct::core
