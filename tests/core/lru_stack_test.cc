// LRU's one-pass curve equals one replay per size, says when it cannot, and
// its SHARDS estimate stays within the error docs/cache.md states.
#include "aqueduct/core/cache/lru_stack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "aqueduct/core/cache/cache_replay.h"

namespace aqueduct::core {
namespace {

// n requests, skewed over `keys` keys (a key's popularity ~ 1/rank), with
// sizes fixed per key, or varying per request when `vary`.
std::vector<CacheRequest> skewed(std::size_t n, std::uint64_t keys, bool vary,
                                 std::uint64_t seed = 1) {
  std::vector<CacheRequest> t;
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(x >> 11) / 9007199254740992.0;
    const auto rank = static_cast<std::uint64_t>(std::pow(static_cast<double>(keys), u)) - 1;
    const std::uint64_t key = (rank * 2654435761u) % keys;
    std::int64_t size = 1 + static_cast<std::int64_t>((key * 40503u) % 4096);
    if (vary && (x >> 60) == 0) size = 1 + static_cast<std::int64_t>((x >> 20) % 4096);
    t.push_back({BlockKey{0, key}, size});
  }
  return t;
}

std::vector<std::int64_t> sizes_between(std::int64_t lo, std::int64_t hi, int n) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(lo + (hi - lo) * i / (n - 1));
  return out;
}

void expect_equal_to_replays(const std::vector<CacheRequest>& t,
                             const std::vector<std::int64_t>& sizes, OnHitSize mode) {
  LruStackDistance curve(sizes, 1.0, mode);
  // Fed in uneven batches, as a reader hands them out.
  for (std::size_t at = 0; at < t.size();) {
    const std::size_t n = std::min<std::size_t>(t.size() - at, 777 + at % 5000);
    curve.add(std::span(t).subspan(at, n));
    at += n;
  }
  ASSERT_TRUE(curve.exact());
  auto got = curve.results();
  ASSERT_EQ(got.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    auto want = replay(t, "lru", sizes[i], builtin_eviction_policies(), {}, ReplayOptions{mode});
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(got[i].capacity_bytes, sizes[i]);
    EXPECT_EQ(got[i].requests, want->requests);
    EXPECT_EQ(got[i].misses, want->misses) << "size " << sizes[i];
    EXPECT_EQ(got[i].miss_bytes, want->miss_bytes) << "size " << sizes[i];
  }
}

TEST(LruStack, EqualsOneReplayPerSizeAtTwentySizes) {
  // 300,000 requests over 30,000 keys: the slot arrays compact many times.
  const auto t = skewed(300'000, 30'000, /*vary=*/false);
  const Footprint f = footprint(t);
  auto sizes = sizes_between(4096, f.bytes, 20);
  std::reverse(sizes.begin(), sizes.end());  // any order; results follow it
  expect_equal_to_replays(t, sizes, OnHitSize::kKeep);
}

TEST(LruStack, ObjectsPast32BitsMidTrace) {
  // Sizes fit 32-bit slots for the first half, then some keys take sizes
  // of 2-4 GiB: the slots widen mid-trace (after compactions) and the curve
  // still equals one replay per size.
  auto t = skewed(120'000, 12'000, /*vary=*/false, 3);
  for (std::size_t i = t.size() / 2; i < t.size(); ++i)
    if (t[i].key.index % 7 == 0) t[i].bytes = (std::int64_t{2} << 30) + t[i].bytes * 500'000;
  const Footprint f = footprint(t);
  expect_equal_to_replays(t, sizes_between(std::int64_t{5} << 30, f.bytes, 20), OnHitSize::kUpdate);
}

TEST(LruStack, ExactUnderUpdateWhenSizesGrow) {
  // Each key grows by 8 bytes at each request, up to 64 times.
  auto t = skewed(200'000, 20'000, /*vary=*/false);
  std::map<std::uint64_t, std::int64_t> seen;
  for (auto& q : t) {
    std::int64_t& n = seen[q.key.index];
    q.bytes += 8 * std::min<std::int64_t>(n++, 64);
  }
  expect_equal_to_replays(t, sizes_between(8192, footprint(t).bytes, 20), OnHitSize::kUpdate);
  // A shrink: no longer exact.
  LruStackDistance curve({1000, 2000}, 1.0, OnHitSize::kUpdate);
  std::vector<CacheRequest> shrink{{BlockKey{0, 1}, 100}, {BlockKey{0, 1}, 50}};
  curve.add(shrink);
  EXPECT_FALSE(curve.exact());
}

TEST(LruStack, SaysWhenItCannotBeExact) {
  // keep, and a key that changes size: the cached size depends on the cache's size.
  LruStackDistance keep({100, 1000});
  std::vector<CacheRequest> t{{BlockKey{0, 1}, 10}, {BlockKey{0, 1}, 20}};
  keep.add(t);
  EXPECT_FALSE(keep.exact());
  // An object larger than the smallest size.
  LruStackDistance big({100, 1000});
  std::vector<CacheRequest> u{{BlockKey{0, 1}, 500}};
  big.add(u);
  EXPECT_FALSE(big.exact());
}

TEST(LruStack, ShardsStaysWithinItsStatedError) {
  const auto t = skewed(1'000'000, 200'000, /*vary=*/false, 7);
  const auto sizes = sizes_between(footprint(t).bytes / 100, footprint(t).bytes, 20);
  LruStackDistance exact(sizes);
  exact.add(t);
  LruStackDistance sampled(sizes, 0.05);
  sampled.add(t);
  auto a = exact.results(), b = sampled.results();
  EXPECT_LT(sampled.sampled_requests(), t.size() / 10);
  double sum = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const double err = std::abs(a[i].miss_ratio() - b[i].miss_ratio());
    sum += err;
    EXPECT_LT(err, 0.05) << "size " << sizes[i];
  }
  EXPECT_LT(sum / static_cast<double>(sizes.size()), 0.01) << "mean absolute error";
}

}  // namespace
}  // namespace aqueduct::core
