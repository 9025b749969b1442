#include "aqueduct/sim/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace aqueduct::sim {
namespace {

TEST(Rng, SameSeedSameNumbers) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
}

TEST(Rng, GoldenValuesPinTheAlgorithm) {
  // xoshiro256** seeded through splitmix64(42): any change to either breaks reproducibility.
  Rng r(42);
  std::uint64_t v[3] = {r.next_u64(), r.next_u64(), r.next_u64()};
  // Reference values from an independent implementation of both algorithms.
  EXPECT_EQ(v[0], 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(v[1], 0x6104d9866d113a7eULL);
  EXPECT_EQ(v[2], 0xae17533239e499a1ULL);
  std::uint64_t st = 42;
  std::uint64_t s0 = splitmix64(st);
  EXPECT_EQ(s0, 0xbdd732262feb6e95ULL);
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(Rng, StreamsAreIndependentPerComponent) {
  Rng a = Rng::stream(7, "workload.generator");
  Rng b = Rng::stream(7, "job/x");
  Rng a2 = Rng::stream(7, "workload.generator");
  EXPECT_NE(a.next_u64(), b.next_u64());
  Rng a3 = Rng::stream(7, "workload.generator");
  a3.next_u64();
  a2.next_u64();
  EXPECT_EQ(a2.next_u64(), a3.next_u64());
}

TEST(Rng, DistributionMoments) {
  Rng r(1);
  const int n = 200000;
  double sum = 0, sq = 0, esum = 0;
  std::uint64_t psum = 0;
  for (int i = 0; i < n; ++i) {
    double u = r.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    double z = r.normal();
    sum += z;
    sq += z * z;
    esum += r.exponential(2.0);
    psum += r.poisson(3.5);
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sq / n, 1.0, 0.02);
  EXPECT_NEAR(esum / n, 0.5, 0.005);
  EXPECT_NEAR(static_cast<double>(psum) / n, 3.5, 0.02);
}

TEST(Rng, BelowIsUnbiasedAndInRange) {
  Rng r(3);
  int counts[6] = {};
  for (int i = 0; i < 60000; ++i) {
    auto v = r.below(6);
    ASSERT_LT(v, 6u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

TEST(Zipf, MatchesExactProbabilities) {
  ZipfDistribution z(5, 1.0);
  double h = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0;
  EXPECT_NEAR(z.probability(0), 1 / h, 1e-12);
  EXPECT_NEAR(z.probability(4), 1 / (5 * h), 1e-12);
  Rng r(9);
  int counts[5] = {};
  for (int i = 0; i < 100000; ++i) ++counts[z.sample(r)];
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(counts[k] / 100000.0, z.probability(k), 0.01);
}

TEST(Rng, ShuffleIsAPermutation) {
  Rng r(5);
  std::vector<int> v(1000);
  for (int i = 0; i < 1000; ++i) v[i] = i;
  r.shuffle(v);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(v[0] + v[1] * 1000, 0 + 1 * 1000);
}

}  // namespace
}  // namespace aqueduct::sim
