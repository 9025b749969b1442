#include "aqueduct/sim/page_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {
namespace {

core::BlockKey K(std::uint64_t i) { return core::BlockKey{0, i}; }

TEST(PageCache, EvictsLeastRecentlyUsed) {
  PageCache pc;
  pc.set_capacity(300);
  pc.insert(K(1), 100);
  pc.insert(K(2), 100);
  pc.insert(K(3), 100);
  EXPECT_TRUE(pc.lookup(K(1)));  // 1 is now the most recent; 2 the oldest
  pc.insert(K(4), 100);
  EXPECT_FALSE(pc.contains(K(2)));
  EXPECT_TRUE(pc.contains(K(1)));
  EXPECT_TRUE(pc.contains(K(3)));
  EXPECT_TRUE(pc.contains(K(4)));
  EXPECT_EQ(pc.used(), 300);
  EXPECT_EQ(pc.evicted_bytes(), 100);
}

TEST(PageCache, ShrinkingEvictsOldestAndTooLargeIsNotCached) {
  PageCache pc;
  pc.set_capacity(400);
  for (std::uint64_t k = 1; k <= 4; ++k) pc.insert(K(k), 100);
  pc.set_capacity(150);  // pods took the memory
  EXPECT_EQ(pc.blocks(), 1u);
  EXPECT_TRUE(pc.contains(K(4)));
  pc.insert(K(9), 200);  // larger than the whole cache: not cached, nothing evicted
  EXPECT_FALSE(pc.contains(K(9)));
  EXPECT_TRUE(pc.contains(K(4)));
  pc.set_capacity(0);
  EXPECT_EQ(pc.used(), 0);
  EXPECT_FALSE(pc.lookup(K(4)));
}

TEST(PageCache, ReinsertUpdatesSizeAndRecency) {
  PageCache pc;
  pc.set_capacity(300);
  pc.insert(K(1), 100);
  pc.insert(K(2), 100);
  pc.insert(K(1), 150);  // 1 is most recent, now 150 bytes
  EXPECT_EQ(pc.used(), 250);
  pc.insert(K(3), 100);  // evicts 2, the least recent
  EXPECT_FALSE(pc.contains(K(2)));
  EXPECT_TRUE(pc.contains(K(1)));
  EXPECT_EQ(pc.used(), 250);
}

// Against a plain reference LRU (a deque scanned linearly) on random traffic.
TEST(PageCache, MatchesReferenceLruOnRandomTraffic) {
  Rng rng = Rng::stream(3, "page-cache");
  PageCache pc;
  const std::int64_t cap = 1000;
  pc.set_capacity(cap);
  std::deque<std::pair<std::uint64_t, std::int64_t>> ref;  // front: most recent
  std::int64_t ref_used = 0;
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t key = rng.below(41);
    auto it = std::find_if(ref.begin(), ref.end(), [&](const auto& e) { return e.first == key; });
    bool hit = it != ref.end();
    ASSERT_EQ(pc.lookup(K(key)), hit) << "request " << i;
    if (hit) {
      auto e = *it;
      ref.erase(it);
      ref.push_front(e);
      continue;
    }
    std::int64_t bytes = 10 + static_cast<std::int64_t>(rng.below(91));
    while (ref_used + bytes > cap) {
      ref_used -= ref.back().second;
      ref.pop_back();
    }
    ref.push_front({key, bytes});
    ref_used += bytes;
    pc.insert(K(key), bytes);
    ASSERT_EQ(pc.used(), ref_used);
  }
}

}  // namespace
}  // namespace aqueduct::sim
