#include "aqueduct/core/cache/hash_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "aqueduct/core/hash.h"

namespace aqueduct::core {
namespace {

// The ring's definition, computed the slow way: every worker's 128 points,
// sorted; a hash belongs to the first point at or after it, wrapping around.
struct ReferenceRing {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> points;
  void add(std::uint32_t w, const std::string& name) {
    std::uint64_t base = fnv1a64(name);
    for (int i = 0; i < HashRing::kVirtualNodes; ++i) {
      std::uint64_t st = base + static_cast<std::uint64_t>(i);
      points.emplace_back(splitmix64(st), w);
    }
    std::sort(points.begin(), points.end());
  }
  void remove(std::uint32_t w) {
    std::erase_if(points, [&](const auto& p) { return p.second == w; });
  }
  std::uint32_t owner(std::uint64_t h) const {
    for (const auto& p : points) {
      if (p.first >= h) return p.second;
    }
    return points.front().second;
  }
};

void expect_same(const HashRing& ring, const ReferenceRing& ref, std::uint64_t seed) {
  std::uint64_t x = seed;
  for (int i = 0; i < 3000; ++i) {
    std::uint64_t h = splitmix64(x);
    ASSERT_EQ(ring.owner(h), ref.owner(h)) << "hash " << h;
  }
  // The edges: the points themselves, one past them, and the ends.
  for (const auto& p : ref.points) {
    ASSERT_EQ(ring.owner(p.first), ref.owner(p.first));
    if (p.first != ~0ULL) {
      ASSERT_EQ(ring.owner(p.first + 1), ref.owner(p.first + 1));
    }
  }
  ASSERT_EQ(ring.owner(0), ref.owner(0));
  ASSERT_EQ(ring.owner(~0ULL), ref.owner(~0ULL));
}

TEST(HashRing, OwnersMatchTheDefinitionAsWorkersComeAndGo) {
  HashRing ring;
  ReferenceRing ref;
  EXPECT_TRUE(ring.empty());
  for (std::uint32_t w = 0; w < 20; ++w) {
    std::string name = "node-" + std::to_string(w);
    ring.add(w, name);
    ref.add(w, name);
    expect_same(ring, ref, w + 1);
  }
  for (std::uint32_t w : {3u, 0u, 19u, 7u}) {
    ring.remove(w);
    ref.remove(w);
    expect_same(ring, ref, w + 100);
  }
}

TEST(HashRing, AddingAWorkerMovesOnlyItsShare) {
  HashRing ring;
  for (std::uint32_t w = 0; w < 8; ++w) ring.add(w, "worker-" + std::to_string(w));
  std::map<std::uint64_t, std::uint32_t> before;
  for (std::uint64_t b = 0; b < 4000; ++b) before[b] = ring.owner(BlockKey{1, b});
  ring.add(8, "worker-8");
  int moved = 0;
  for (const auto& [b, w] : before) {
    std::uint32_t now = ring.owner(BlockKey{1, b});
    if (now != w) {
      EXPECT_EQ(now, 8u) << "a block moved between two old workers";
      ++moved;
    }
  }
  // About 1/9 of the blocks (444); 128 points per worker keep it close.
  EXPECT_GT(moved, 250);
  EXPECT_LT(moved, 700);
}

TEST(HashRing, PreferenceStartsAtTheOwnerAndListsEveryWorkerOnce) {
  HashRing ring;
  for (std::uint32_t w = 0; w < 5; ++w) ring.add(w, "n" + std::to_string(w));
  for (std::uint64_t h : {0ULL, 12345ULL, ~0ULL}) {
    auto pref = ring.preference(h);
    ASSERT_EQ(pref.size(), 5u);
    EXPECT_EQ(pref[0], ring.owner(h));
    std::sort(pref.begin(), pref.end());
    EXPECT_EQ(std::unique(pref.begin(), pref.end()), pref.end());
  }
}

}  // namespace
}  // namespace aqueduct::core
