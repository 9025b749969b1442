// One conformance suite run over every registered eviction policy (as
// CacheLib's MMTypeTest runs over every MM type).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/core/cache/eviction_policy.h"

namespace aqueduct::core {
namespace {

struct Lcg {
  std::uint64_t s;
  std::uint64_t next(std::uint64_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % n;
  }
};

BlockKey k(std::uint64_t i) { return BlockKey{1, i}; }

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<EvictionPolicy> make(std::int64_t capacity = 1000) {
    auto p = builtin_eviction_policies().create(GetParam());
    EXPECT_TRUE(p.ok());
    auto policy = std::move(p).value();
    policy->set_capacity(capacity);
    return policy;
  }
};

TEST_P(Conformance, EmptyPolicy) {
  auto p = make();
  EXPECT_EQ(p->size(), 0u);
  EXPECT_FALSE(p->victim().has_value());
  EXPECT_EQ(p->on_access(k(1)), -1);
  EXPECT_EQ(p->bytes_of(k(1)), 0);
  p->on_remove(k(1), false);  // unknown keys are ignored
}

TEST_P(Conformance, TracksInsertedBlocksAndTheirSizes) {
  auto p = make();
  for (int i = 1; i <= 5; ++i) p->on_insert(k(i), i * 10);
  EXPECT_EQ(p->size(), 5u);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(p->bytes_of(k(i)), i * 10);
  EXPECT_EQ(p->on_access(k(3), 99), 30);  // returns the old size, records the new one
  EXPECT_EQ(p->bytes_of(k(3)), 99);
  auto v = p->victim();
  ASSERT_TRUE(v.has_value());
  EXPECT_GT(p->bytes_of(*v), 0) << "the victim is tracked";
  p->on_remove(k(2), false);
  EXPECT_EQ(p->size(), 4u);
  EXPECT_EQ(p->bytes_of(k(2)), 0);
}

TEST_P(Conformance, EvictsEverythingExactlyOnce) {
  auto p = make();
  for (int i = 0; i < 50; ++i) p->on_insert(k(i), 1);
  for (int i = 0; i < 50; i += 3) (void)p->on_access(k(i));
  std::set<std::uint64_t> out;
  for (int n = 0; n < 50; ++n) {
    auto v = p->victim();
    ASSERT_TRUE(v.has_value());
    ASSERT_TRUE(out.insert(v->index).second) << "evicted twice: " << v->index;
    p->on_remove(*v, true);
  }
  EXPECT_EQ(p->size(), 0u);
  EXPECT_FALSE(p->victim().has_value());
}

TEST_P(Conformance, RandomOperationsAgreeWithAModel) {
  auto p = make(64);
  std::set<std::uint64_t> model;
  Lcg rng{GetParam().size() * 7919ULL + 1};
  for (int op = 0; op < 20000; ++op) {
    std::uint64_t key = rng.next(128);
    switch (rng.next(4)) {
      case 0:
        if (!model.count(key)) {
          p->set_next_use(k(key), rng.next(1000));
          p->on_insert(k(key), 1);
          model.insert(key);
        }
        break;
      case 1:
        p->set_next_use(k(key), rng.next(1000));
        EXPECT_EQ(p->on_access(k(key)) >= 0, model.count(key) == 1);
        break;
      case 2:
        p->on_remove(k(key), false);
        model.erase(key);
        break;
      case 3:
        if (auto v = p->victim()) {
          ASSERT_TRUE(model.count(v->index)) << "victim not tracked at op " << op;
          p->on_remove(*v, true);
          model.erase(v->index);
        } else {
          ASSERT_TRUE(model.empty());
        }
        break;
    }
    ASSERT_EQ(p->size(), model.size()) << "op " << op;
  }
}

// A policy that hands out handles must decide exactly as it does when driven
// by keys: the same random operations, one instance through handles and one
// through keys, give the same victims and sizes at every step.
TEST_P(Conformance, HandleCallsDecideAsKeyCallsDo) {
  auto by_key = make(64);
  auto by_handle = make(64);
  const bool handles = by_handle->enable_handles();
  std::map<std::uint64_t, std::uint32_t> handle_of;
  Lcg rng{GetParam().size() * 104729ULL + 3};
  for (int op = 0; op < 20000; ++op) {
    std::uint64_t key = rng.next(128);
    const std::uint64_t next_use = rng.next(1000);  // for the offline policy
    by_key->set_next_use(k(key), next_use);
    by_handle->set_next_use(k(key), next_use);
    switch (rng.next(4)) {
      case 0:
        if (!handle_of.count(key)) {
          by_key->on_insert(k(key), 1);
          handle_of[key] = by_handle->on_insert_handle(k(key), 1);
          EXPECT_EQ(handle_of[key] != EvictionPolicy::kNoHandle, handles);
        }
        break;
      case 1:
        if (handle_of.count(key)) {
          EXPECT_EQ(by_key->on_access(k(key)), 1);
          by_handle->on_access_handle(handle_of[key], k(key));
        }
        break;
      case 2:
        if (handle_of.count(key)) {
          by_key->on_remove(k(key), false);
          by_handle->on_remove_handle(handle_of[key], k(key), false);
          handle_of.erase(key);
        }
        break;
      case 3: {
        auto a = by_key->victim();
        auto b = by_handle->victim();
        ASSERT_EQ(a, b) << "op " << op;
        if (a) {
          by_key->on_remove(*a, true);
          by_handle->on_remove_handle(handle_of.at(a->index), *a, true);
          handle_of.erase(a->index);
        }
        break;
      }
    }
    ASSERT_EQ(by_key->size(), by_handle->size()) << "op " << op;
    ASSERT_EQ(by_handle->size(), handle_of.size()) << "op " << op;
  }
}

std::vector<CacheRequest> zipf_trace(std::size_t n, std::uint64_t keys, std::uint64_t seed) {
  // Zipf(1) by rejection-free inversion over a small table.
  std::vector<double> cdf(keys);
  double sum = 0;
  for (std::uint64_t i = 0; i < keys; ++i) cdf[i] = (sum += 1.0 / static_cast<double>(i + 1));
  Lcg rng{seed};
  std::vector<CacheRequest> t;
  for (std::size_t i = 0; i < n; ++i) {
    double u = static_cast<double>(rng.next(1u << 30)) / (1u << 30) * sum;
    auto it = std::lower_bound(cdf.begin(), cdf.end(), u);
    t.push_back({k(static_cast<std::uint64_t>(it - cdf.begin())), 1});
  }
  return t;
}

TEST_P(Conformance, ReplayIsConsistentDeterministicAndNoBetterThanBelady) {
  auto trace = zipf_trace(20000, 2000, 42);
  auto next = next_uses(trace);
  auto reg = builtin_eviction_policies();
  for (std::int64_t cap : {10, 100, 500}) {
    auto a = replay(trace, GetParam(), cap, reg, next);
    auto b = replay(trace, GetParam(), cap, reg, next);
    auto opt = replay(trace, "belady", cap, reg, next);
    ASSERT_TRUE(a.ok() && b.ok() && opt.ok());
    EXPECT_EQ(a->requests, trace.size());
    EXPECT_EQ(a->misses, b->misses) << "deterministic";
    EXPECT_LE(a->miss_ratio(), 1.0);
    EXPECT_GT(a->misses, 0u);
    EXPECT_GE(a->misses, opt->misses) << "OPT is a lower bound on equal sizes (cap " << cap << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Conformance,
                         ::testing::ValuesIn(builtin_eviction_policies().names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           return n == "2q" ? std::string("two_q") : n;
                         });

}  // namespace
}  // namespace aqueduct::core
