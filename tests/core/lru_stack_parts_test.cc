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

// Appends values in order, checking every prefix after each block and
// partway through one (the block being filled is outside the tree), then
// changes appended slots at random and checks again.
template <class Slot>
void check_prefix_sums() {
  using Sums = SlotSums<Slot>;
  Sums sums;
  sums.reset(1000);  // rounded up to whole blocks
  ASSERT_EQ(sums.size() % Sums::kBlock, 0u);
  ASSERT_EQ(sums.size(), 1024u);
  std::vector<std::int64_t> plain;
  std::uint64_t x = 9;
  const auto next = [&] {
    x = x * 6364136223846793005ULL + 1;
    return static_cast<std::int64_t>(x >> 44);  // under 2^20
  };
  const auto check = [&](const char* when) {
    std::int64_t want = 0;
    for (std::size_t s = 0; s < plain.size(); ++s) {
      want += plain[s];
      ASSERT_EQ(sums.prefix(s), want) << "slot " << s << " " << when << " of " << plain.size();
      ASSERT_EQ(sums[s], plain[s]);
    }
  };
  for (std::size_t s = 0; s < sums.size(); ++s) {
    const std::int64_t v = next();
    sums.append(s, v);
    plain.push_back(v);
    // A few changes to slots already appended, some in the open block.
    for (int k = 0; k < 2; ++k) {
      const std::size_t t = static_cast<std::size_t>(next()) % plain.size();
      const std::int64_t d = next() - plain[t] / 2;
      sums.add(t, d);
      plain[t] += d;
    }
    if (s % Sums::kBlock == Sums::kBlock - 1 || s % Sums::kBlock == 100) check("after append");
  }
  // Slots emptied as the stack empties them.
  for (std::size_t s = 0; s < plain.size(); s += 3) {
    sums.add(s, -plain[s]);
    plain[s] = 0;
  }
  check("after emptying");
  // adopt() rebuilds the sums from given values, of which the first
  // `filled` count as appended; the rest can be appended after.
  typename Sums::template Vector<Slot> values(700);
  std::iota(values.begin(), values.end(), Slot{1});
  sums.adopt(values, 700);
  EXPECT_EQ(sums.size(), 768u);
  EXPECT_EQ(sums.prefix(699), 700 * 701 / 2);
  EXPECT_EQ(sums.prefix(255), 256 * 257 / 2);
  for (std::size_t s = 700; s < 768; ++s) sums.append(s, 1);
  EXPECT_EQ(sums.prefix(767), 700 * 701 / 2 + 68);
  sums.add(10, -11);  // slot 10 held 11
  EXPECT_EQ(sums.prefix(767), 700 * 701 / 2 + 68 - 11);
  EXPECT_EQ(sums.prefix(9), 10 * 11 / 2);
}

TEST(SlotSums, PrefixEqualsAPlainSumWith32BitSlots) { check_prefix_sums<std::int32_t>(); }
TEST(SlotSums, PrefixEqualsAPlainSumWith64BitSlots) { check_prefix_sums<std::int64_t>(); }

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
