// Deterministic randomness. One experiment seed; each component draws from its
// own stream, derived from (seed, component name) with splitmix64, so adding a
// component never shifts another's numbers. The generator is xoshiro256**
// (Blackman and Vigna, 2018). Distributions are our own code, not <random>'s,
// whose algorithms differ between standard libraries (as SimGrid does too):
// the same seed gives the same numbers with any compiler.
#pragma once

#include <cstdint>
#include <string_view>

#include <vector>
#include "aqueduct/core/hash.h"

namespace aqueduct::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  // The stream for a named component of an experiment seeded with `seed`.
  static Rng stream(std::uint64_t seed, std::string_view component);

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform01();
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  bool bernoulli(double p) { return uniform01() < p; }
  // Exponential with the given rate (mean 1/rate), by inversion.
  double exponential(double rate);
  // Standard normal by the Box-Muller transform (the spare value is cached).
  double normal(double mean = 0, double stddev = 1);
  // exp(normal(mu, sigma)).
  double lognormal(double mu, double sigma);
  // Poisson count with the given mean (Knuth for small means, normal
  // approximation with continuity correction above 500).
  std::uint64_t poisson(double mean);
  // Fisher-Yates shuffle of [first, first+n) indices.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

// Zipf(s) over ranks 1..n by inversion of the exact CDF (binary search over a
// precomputed table): exact for any n that fits in memory.
class ZipfDistribution {
 public:
  ZipfDistribution(std::uint64_t n, double s);
  // A rank in [0, n): 0 is the most popular.
  std::uint64_t sample(Rng& rng) const;
  double probability(std::uint64_t rank) const;

 private:
  std::vector<double> cdf_;
};

// 64-bit FNV-1a of a string: stable across platforms, used to name streams.
using core::fnv1a64;
using core::splitmix64;

}  // namespace aqueduct::sim
