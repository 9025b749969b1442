// Each policy's defining behaviour on small hand-checked sequences (unit sizes).
#include <gtest/gtest.h>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/core/cache/policies.h"

namespace aqueduct::core {
namespace {

BlockKey k(char c) { return BlockKey{0, static_cast<std::uint64_t>(c)}; }

void insert(EvictionPolicy& p, const std::string& keys) {
  for (char c : keys) p.on_insert(k(c), 1);
}
void access(EvictionPolicy& p, const std::string& keys) {
  for (char c : keys) (void)p.on_access(k(c));
}
char evict(EvictionPolicy& p) {
  auto v = p.victim();
  if (!v) return '-';
  p.on_remove(*v, true);
  return static_cast<char>(v->index);
}

TEST(Behaviour, FifoIgnoresHits) {
  FifoPolicy p;
  insert(p, "abc");
  access(p, "a");
  EXPECT_EQ(evict(p), 'a');
}

TEST(Behaviour, LruEvictsLeastRecent) {
  LruPolicy p;
  insert(p, "abc");
  access(p, "a");
  EXPECT_EQ(evict(p), 'b');
  EXPECT_EQ(evict(p), 'c');
  EXPECT_EQ(evict(p), 'a');
}

TEST(Behaviour, ClockGivesASecondChance) {
  ClockPolicy p;
  insert(p, "abc");
  access(p, "a");
  EXPECT_EQ(evict(p), 'b');  // a's bit is cleared and it goes behind the hand
  EXPECT_EQ(evict(p), 'c');
  EXPECT_EQ(evict(p), 'a');
}

TEST(Behaviour, LfuEvictsLeastFrequentThenLeastRecent) {
  LfuPolicy p;
  insert(p, "abc");
  access(p, "aab");
  EXPECT_EQ(evict(p), 'c');
  insert(p, "d");
  EXPECT_EQ(evict(p), 'd');  // frequency 1 beats b's 2
  EXPECT_EQ(evict(p), 'b');
}

TEST(Behaviour, ArcGhostHitsAdaptTheTarget) {
  ArcPolicy p;
  p.set_capacity(3);
  insert(p, "abc");
  access(p, "a");            // a -> T2
  EXPECT_EQ(evict(p), 'b');  // |T1| = 2 > p = 0: LRU of T1
  EXPECT_EQ(p.target_t1(), 0);
  insert(p, "b");  // ghost hit in B1: grow T1's target, b -> T2
  EXPECT_EQ(p.target_t1(), 1);
  EXPECT_EQ(evict(p), 'a');  // |T1| = 1 is not above p = 1: T2's LRU (a; b is its MRU)
  EXPECT_EQ(evict(p), 'b');  // still not above p: T2 again
  EXPECT_EQ(evict(p), 'c');  // T2 empty: T1
}

TEST(Behaviour, TwoQPromotesOnlyAfterAGhostHit) {
  TwoQPolicy p;
  p.set_capacity(4);  // Kin 1, Kout 2
  insert(p, "ab");
  access(p, "a");            // a hit in A1in changes nothing
  EXPECT_EQ(evict(p), 'a');  // A1in over Kin: its oldest goes (to the ghost A1out)
  insert(p, "a");            // ghost hit: a enters Am
  insert(p, "c");
  EXPECT_EQ(evict(p), 'b');  // A1in (b, c) over Kin again: b
  EXPECT_EQ(evict(p), 'a');  // A1in (c) within Kin: Am's LRU
  EXPECT_EQ(evict(p), 'c');
}

TEST(Behaviour, SieveKeepsVisitedBlocksInPlace) {
  SievePolicy p;
  insert(p, "abc");
  access(p, "ab");
  EXPECT_EQ(evict(p), 'c');  // the hand clears a and b, evicts c
  insert(p, "d");
  EXPECT_EQ(evict(p), 'a');  // the hand restarts at the oldest: a's bit is clear now
}

TEST(Behaviour, S3FifoQuickDemotionAndPromotion) {
  S3FifoPolicy p;
  p.set_capacity(10);  // small queue target: 1
  insert(p, "a");
  access(p, "aa");  // frequency 2
  insert(p, "b");
  EXPECT_EQ(evict(p), 'b');  // a moves to main (read twice), b leaves for the ghost
  insert(p, "b");            // ghost hit: straight into main
  insert(p, "c");
  EXPECT_EQ(evict(p), 'c');  // the one-hit wonder goes first
}

TEST(Behaviour, BeladyEvictsTheFarthestNextUse) {
  // Trace a b c a b d a: at d (cap 3), c is never used again.
  std::vector<CacheRequest> t;
  for (char c : std::string("abcabda")) t.push_back({k(c), 1});
  auto next = next_uses(t);
  EXPECT_EQ(next[0], 3u);
  EXPECT_EQ(next[2], UINT64_MAX);
  auto r = replay(t, "belady", 3, builtin_eviction_policies(), next);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->misses, 4u);  // a b c d
  auto lru = replay(t, "lru", 3, builtin_eviction_policies());
  EXPECT_EQ(lru->misses, 4u);
  auto fifo = replay(t, "fifo", 2, builtin_eviction_policies());
  EXPECT_EQ(fifo->misses, 7u);
}

TEST(Replay, SizesAndBytes) {
  std::vector<CacheRequest> t{
      {k('a'), 60}, {k('b'), 50}, {k('a'), 60}, {k('c'), 200}, {k('b'), 50}};
  auto r = replay(t, "lru", 100, builtin_eviction_policies());
  ASSERT_TRUE(r.ok());
  // a miss; b miss (evicts a); a miss (evicts b); c too big: miss, not cached; b miss.
  EXPECT_EQ(r->misses, 5u);
  EXPECT_EQ(r->bytes, 420);
  EXPECT_EQ(r->miss_bytes, 420);
  auto f = footprint(t);
  EXPECT_EQ(f.objects, 3u);
  EXPECT_EQ(f.bytes, 310);
  EXPECT_FALSE(replay(t, "belady", 100, builtin_eviction_policies()).ok()) << "needs next uses";
  EXPECT_FALSE(replay(t, "lru", 0, builtin_eviction_policies()).ok());
}

}  // namespace
TEST(Replay, OnHitSizeKeepOrUpdate) {
  // a(60) b(30) a(90) b(30), cache 100.
  std::vector<CacheRequest> t{{k('a'), 60}, {k('b'), 30}, {k('a'), 90}, {k('b'), 30}};
  // keep (libCacheSim): a stays at 60 bytes, so b still fits and hits.
  auto keep = replay(t, "lru", 100, builtin_eviction_policies());
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(keep->misses, 2u);
  // update: a grows to 90, 120 > 100 evicts the LRU block b, which then misses.
  ReplayOptions update{OnHitSize::kUpdate};
  auto upd = replay(t, "lru", 100, builtin_eviction_policies(), {}, update);
  ASSERT_TRUE(upd.ok());
  EXPECT_EQ(upd->misses, 3u);
  // A shrinking hit frees room under update: a(90) b(30: miss, evicts a)...
  std::vector<CacheRequest> shrink{{k('a'), 90}, {k('a'), 10}, {k('b'), 80}, {k('a'), 10}};
  EXPECT_EQ(replay(shrink, "lru", 100, builtin_eviction_policies(), {}, update)->misses, 2u);
  EXPECT_EQ(replay(shrink, "lru", 100, builtin_eviction_policies())->misses, 3u);
  // An object that grows past the whole cache under update evicts itself.
  std::vector<CacheRequest> grow{{k('a'), 50}, {k('a'), 150}, {k('a'), 50}};
  EXPECT_EQ(replay(grow, "lru", 100, builtin_eviction_policies(), {}, update)->misses, 2u);
}

TEST(Replay, LargerThanTheCacheAndZeroBytes) {
  // c is larger than the cache: a miss every time, never cached, a and b untouched.
  std::vector<CacheRequest> t{{k('a'), 40}, {k('b'), 40},  {k('c'), 101},
                              {k('a'), 40}, {k('c'), 101}, {k('b'), 40}};
  for (const std::string p : {"lru", "fifo", "arc", "s3fifo", "2q", "sieve", "clock", "lfu"}) {
    auto r = replay(t, p, 100, builtin_eviction_policies());
    ASSERT_TRUE(r.ok()) << p;
    EXPECT_EQ(r->misses, 4u) << p;
  }
  // Zero-byte requests are skipped and counted apart (as libCacheSim's readers skip them).
  std::vector<CacheRequest> z{{k('a'), 10}, {k('b'), 0}, {k('a'), 10}, {k('b'), 0}};
  auto r = replay(z, "lru", 100, builtin_eviction_policies());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->requests, 2u);
  EXPECT_EQ(r->misses, 1u);
  EXPECT_EQ(r->zero_byte_requests, 2u);
}

}  // namespace aqueduct::core
