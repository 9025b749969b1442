// The LRU stack's parts on their own: slot prefix sums against a plain sum
// at every slot, the last-use table through growth, and the huge-page
// allocator's alignment and reuse.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "../core/src/cache/last_use_table.h"
#include "../core/src/cache/slot_sums.h"
#include "aqueduct/core/cache/huge_page_allocator.h"

namespace aqueduct::core {
namespace {

TEST(SlotSums, PrefixEqualsAPlainSumAtEverySlot) {
  SlotSums sums;
  sums.reset(1000);  // rounded up to whole blocks
  ASSERT_EQ(sums.size() % SlotSums::kBlock, 0u);
  std::vector<std::int64_t> plain(sums.size(), 0);
  std::uint64_t x = 9;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t s = 0; s < plain.size(); ++s) {
      x = x * 6364136223846793005ULL + 1;
      const std::int64_t v = static_cast<std::int64_t>(x >> 40) - (round == 2 ? plain[s] : 0);
      sums.add(s, v);
      plain[s] += v;
    }
    std::int64_t want = 0;
    for (std::size_t s = 0; s < plain.size(); ++s) {
      want += plain[s];
      ASSERT_EQ(sums.prefix(s), want) << "slot " << s << " round " << round;
      ASSERT_EQ(sums[s], plain[s]);
    }
  }
  // adopt() rebuilds the sums from given values.
  SlotSums::Vector<std::int64_t> values(700);
  std::iota(values.begin(), values.end(), 1);
  sums.adopt(values);
  EXPECT_EQ(sums.size(), 768u);
  EXPECT_EQ(sums.prefix(699), 700 * 701 / 2);
  EXPECT_EQ(sums.prefix(767), 700 * 701 / 2);
  EXPECT_EQ(sums.prefix(255), 256 * 257 / 2);
}

TEST(LastUseTable, FindsEveryKeyThroughGrowth) {
  LastUseTable t;
  for (std::uint32_t i = 0; i < 50'000; ++i) {
    const BlockKey k{i % 3, std::uint64_t{i} * 7919};
    bool fresh = false;
    LastUseTable::Entry& e = t.find_or_insert(k, LastUseTable::hash(k), fresh);
    ASSERT_TRUE(fresh);
    e.slot = i;
  }
  EXPECT_EQ(t.size(), 50'000u);
  for (std::uint32_t i = 0; i < 50'000; ++i) {
    const BlockKey k{i % 3, std::uint64_t{i} * 7919};
    const auto* e = t.find(k, LastUseTable::hash(k));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->slot, i);
  }
  const BlockKey absent{1, 3};  // 3 is no multiple of 7919
  EXPECT_EQ(t.find(absent, LastUseTable::hash(absent)), nullptr);
  std::size_t seen = 0;
  t.for_each([&](LastUseTable::Entry&) { ++seen; });
  EXPECT_EQ(seen, 50'000u);
}

TEST(HugePageAllocator, LargeBlocksAreAlignedAndUsable) {
  HugePageAllocator<std::int64_t> a;
  const std::size_t n = (std::size_t{5} << 20) / sizeof(std::int64_t);  // 5 MiB
  std::int64_t* p = a.allocate(n);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % HugePageAllocator<std::int64_t>::kHugePage, 0u);
  for (std::size_t i = 0; i < n; i += 4096) p[i] = static_cast<std::int64_t>(i);
  p[n - 1] = 42;
  EXPECT_EQ(p[4096], 4096);
  EXPECT_EQ(p[n - 1], 42);
  a.deallocate(p, n);
  // Small blocks come from the ordinary allocator.
  std::vector<int, HugePageAllocator<int>> small(10, 7);
  EXPECT_EQ(std::accumulate(small.begin(), small.end(), 0), 70);
}

}  // namespace
}  // namespace aqueduct::core
