#include "aqueduct/core/cache/tiered_store.h"

#include <gtest/gtest.h>

#include <map>

#include "aqueduct/core/cache/policies.h"

namespace aqueduct::core {
namespace {

BlockKey k(std::uint64_t i, std::uint32_t ds = 0) { return BlockKey{ds, i}; }

TieredStore make(std::vector<TierSpec> tiers, const char* policy = "lru") {
  auto s = TieredStore::create(std::move(tiers), builtin_eviction_policies(), policy);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return std::move(s).value();
}

TEST(EvictionRegistry, UnknownNameListsKnown) {
  auto r = builtin_eviction_policies().create("random");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("2q, arc, belady, clock, fifo, keep, lfu, lru, s3fifo, sieve"),
      std::string::npos);
}

TEST(TieredStore, ValidatesSpecs) {
  auto reg = builtin_eviction_policies();
  EXPECT_FALSE(TieredStore::create({}, reg, "lru").ok());
  EXPECT_FALSE(TieredStore::create({{MediumType::kMem, 0, 0.9, 0.5}}, reg, "lru").ok());
  EXPECT_FALSE(TieredStore::create({{MediumType::kMem, 10, 0.5, 0.9}}, reg, "lru").ok());
  EXPECT_FALSE(TieredStore::create(
                   {{MediumType::kSsd, 10, 0.9, 0.5}, {MediumType::kMem, 10, 0.9, 0.5}}, reg, "lru")
                   .ok());
  EXPECT_FALSE(TieredStore::create({{MediumType::kMem, 10, 0.9, 0.5}}, reg, "nope").ok());
}

TEST(TieredStore, KeepAdmitsUpToHighThenPassesDownThenDrops) {
  // MEM holds 4 (high 1.0), SSD 2: the first four stay in MEM, the next two
  // go to SSD, later ones are dropped; nothing cached is ever replaced.
  TieredStore s = make({{MediumType::kMem, 4, 1.0, 1.0}, {MediumType::kSsd, 2, 1.0, 1.0}}, "keep");
  for (std::uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(s.insert(k(i), 1).is_ok());
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(s.peek(k(i)), 0) << i;
  EXPECT_EQ(s.peek(k(4)), 1);
  EXPECT_EQ(s.peek(k(5)), 1);
  for (std::uint64_t i = 6; i < 10; ++i) EXPECT_FALSE(s.peek(k(i)).has_value()) << i;
  EXPECT_EQ(s.used_bytes(), 6);
  EXPECT_EQ(s.dataset_bytes(0), 6);
  EXPECT_EQ(s.stats().rejected, 4u);
  EXPECT_EQ(s.stats().evictions, 0u);
}

TEST(TieredStore, HighWatermarkEvictsDownToLow) {
  // Quota 10 blocks of 1 byte, high 0.8, low 0.5: the 9th insert crosses 8 and frees down to 5.
  TieredStore s = make({{MediumType::kMem, 10, 0.8, 0.5}});
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(s.insert(k(i), 1).is_ok());
  EXPECT_EQ(s.used_bytes(0), 8);
  ASSERT_TRUE(s.insert(k(8), 1).is_ok());
  EXPECT_EQ(s.used_bytes(0), 5);
  EXPECT_EQ(s.stats().evictions, 4u);
  // LRU: the oldest four went (0..3).
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(s.peek(k(i))) << i;
  for (int i = 4; i < 9; ++i) EXPECT_TRUE(s.peek(k(i))) << i;
}

TEST(TieredStore, DemotesToNextLevelAndAccountsPerDataset) {
  TieredStore s = make({{MediumType::kMem, 4, 1.0, 0.5}, {MediumType::kSsd, 8, 1.0, 1.0}});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s.insert(k(i, i % 2), 1).is_ok());
  // Inserting the 5th overflowed MEM (hard limit): one victim demoted to SSD.
  EXPECT_EQ(s.peek(k(0)), 1);
  EXPECT_EQ(s.peek(k(4)), 0);
  EXPECT_EQ(s.stats().demotions, 1u);
  EXPECT_EQ(s.used_bytes(), 5);
  EXPECT_EQ(s.dataset_bytes(0), 3);
  EXPECT_EQ(s.dataset_bytes(1), 2);
  EXPECT_TRUE(s.erase(k(1, 1)));
  EXPECT_EQ(s.dataset_bytes(1), 1);
  EXPECT_EQ(s.capacity_bytes(), 12);
}

TEST(TieredStore, HitsInALowerLevelPromoteToTheTop) {
  TieredStore s = make({{MediumType::kMem, 2, 1.0, 1.0}, {MediumType::kSsd, 4, 1.0, 1.0}});
  for (char c : std::string("abc")) ASSERT_TRUE(s.insert(k(c), 1).is_ok());
  // MEM holds b, c; a was demoted to SSD.
  EXPECT_EQ(s.peek(k('a')), 1);
  EXPECT_EQ(s.lookup(k('a')), 1) << "served from the level it was in";
  EXPECT_EQ(s.peek(k('a')), 0) << "then promoted";
  EXPECT_EQ(s.peek(k('b')), 1) << "MEM was full: it swapped places with MEM's LRU";
  EXPECT_EQ(s.stats().promotions, 1u);
  EXPECT_EQ(s.stats().evictions, 0u) << "promotion never drops data";
  EXPECT_EQ(s.used_bytes(0), 2);
  EXPECT_EQ(s.used_bytes(1), 1);
  s.set_promote_on_hit(false);
  EXPECT_EQ(s.lookup(k('b')), 1);
  EXPECT_EQ(s.peek(k('b')), 1);
  // With room below the high watermark, a block simply moves up.
  TieredStore r = make({{MediumType::kMem, 4, 1.0, 1.0}, {MediumType::kSsd, 4, 1.0, 1.0}});
  for (char c : std::string("abcde")) ASSERT_TRUE(r.insert(k(c), 1).is_ok());
  ASSERT_TRUE(r.erase(k('e')));
  EXPECT_EQ(r.lookup(k('a')), 1);
  EXPECT_EQ(r.peek(k('a')), 0);
  EXPECT_EQ(r.used_bytes(0), 4);
  EXPECT_EQ(r.used_bytes(1), 0);
}

TEST(TieredStore, LookupRefreshesRecency) {
  TieredStore s = make({{MediumType::kMem, 3, 1.0, 1.0}});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s.insert(k(i), 1).is_ok());
  EXPECT_EQ(s.lookup(k(0)), 0);
  ASSERT_TRUE(s.insert(k(3), 1).is_ok());
  EXPECT_TRUE(s.peek(k(0)));
  EXPECT_FALSE(s.peek(k(1)));
}

TEST(TieredStore, OversizedBlockSkipsSmallLevelsOrIsRejected) {
  TieredStore s = make({{MediumType::kMem, 2, 1.0, 1.0}, {MediumType::kSsd, 10, 1.0, 1.0}});
  ASSERT_TRUE(s.insert(k(1), 5).is_ok());
  EXPECT_EQ(s.peek(k(1)), 1);
  Status st = s.insert(k(2), 11);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.stats().rejected, 1u);
}

// Forwards the key-based calls to a real policy and hands out no handles, so
// a store over it takes the key path; the store over the policy itself takes
// the handle path. Both must hold the same blocks in the same levels.
class KeysOnly final : public EvictionPolicy {
 public:
  explicit KeysOnly(std::unique_ptr<EvictionPolicy> p) : p_(std::move(p)) {}
  std::string_view name() const override { return p_->name(); }
  void set_capacity(std::int64_t b) override { p_->set_capacity(b); }
  void on_miss(const BlockKey& key, std::int64_t b) override { p_->on_miss(key, b); }
  void on_insert(const BlockKey& key, std::int64_t b) override { p_->on_insert(key, b); }
  std::int64_t on_access(const BlockKey& key, std::int64_t nb) override {
    return p_->on_access(key, nb);
  }
  void on_remove(const BlockKey& key, bool ev) override { p_->on_remove(key, ev); }
  std::optional<BlockKey> victim() override { return p_->victim(); }
  std::size_t size() const override { return p_->size(); }
  std::int64_t bytes_of(const BlockKey& key) const override { return p_->bytes_of(key); }
  bool replaces() const override { return p_->replaces(); }

 private:
  std::unique_ptr<EvictionPolicy> p_;
};

// The handle path (and cache hints on it) decides as the key path does.
TEST(TieredStore, HandlePathHoldsWhatTheKeyPathHolds) {
  const auto builtin = builtin_eviction_policies();
  for (const std::string& name : builtin.names()) {
    if (name == "belady") continue;  // offline: a store refuses it
    EvictionRegistry keys_only("eviction policy");
    keys_only.add(name, "key path", [&builtin, name]() -> Result<std::unique_ptr<EvictionPolicy>> {
      AQ_ASSIGN_OR_RETURN(auto p, builtin.create(name));
      return std::unique_ptr<EvictionPolicy>(new KeysOnly(std::move(p)));
    });
    const std::vector<TierSpec> tiers = {{MediumType::kMem, 12, 0.9, 0.6},
                                         {MediumType::kSsd, 20, 0.95, 0.7}};
    auto a = TieredStore::create(tiers, builtin, name);
    auto b = TieredStore::create(tiers, keys_only, name);
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    std::uint64_t x = 12345;
    for (int op = 0; op < 20000; ++op) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::uint64_t r = x >> 33;
      const BlockKey key = k(r % 64, static_cast<std::uint32_t>(r % 3));
      // Cache hints on one store only: they must change nothing.
      a->prefetch(k((r >> 20) % 64, static_cast<std::uint32_t>((r >> 26) % 3)), op % 3);
      switch ((r >> 8) % 5) {
        case 0:
        case 1:
          ASSERT_EQ(a->lookup(key), b->lookup(key)) << name << " op " << op;
          break;
        case 2:
        case 3: {
          const std::int64_t bytes = 1 + static_cast<std::int64_t>((r >> 12) % 3);
          ASSERT_EQ(a->insert(key, bytes).code(), b->insert(key, bytes).code()) << name;
          break;
        }
        case 4:
          ASSERT_EQ(a->erase(key), b->erase(key)) << name << " op " << op;
          break;
      }
      for (int l = 0; l < a->level_count(); ++l) {
        ASSERT_EQ(a->used_bytes(l), b->used_bytes(l)) << name << " op " << op;
      }
    }
    ASSERT_EQ(a->blocks(), b->blocks()) << name;
    for (const auto& [key, bytes] : a->blocks()) EXPECT_EQ(a->peek(key), b->peek(key)) << name;
    for (std::uint32_t d = 0; d < 3; ++d) EXPECT_EQ(a->dataset_bytes(d), b->dataset_bytes(d));
    EXPECT_GT(a->stats().promotions, 0u) << name;
    EXPECT_GT(a->stats().demotions, 0u) << name;
  }
}

TEST(TieredStore, MoveListenerReplaysToTheStoresState) {
  // A data plane keeps bytes where the store says; replaying the events on a
  // shadow map must always agree with peek(), for every policy and operation.
  for (const char* policy : {"lru", "fifo", "arc", "s3fifo", "sieve", "2q", "lfu", "clock"}) {
    TieredStore s =
        make({{MediumType::kMem, 4000, 0.9, 0.5}, {MediumType::kSsd, 9000, 0.9, 0.6}}, policy);
    std::map<BlockKey, int> shadow;
    int bad = 0;
    s.set_move_listener([&](const BlockKey& key, int from, int to) {
      auto it = shadow.find(key);
      int now = it == shadow.end() ? -1 : it->second;
      if (now != from) ++bad;
      if (to < 0) {
        shadow.erase(key);
      } else {
        shadow[key] = to;
      }
    });
    std::uint64_t x = 12345;
    for (int i = 0; i < 20000; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      BlockKey key = k((x >> 33) % 200);
      switch ((x >> 20) % 5) {
        case 0:
          s.erase(key);
          break;
        case 1:
        case 2:
          (void)s.lookup(key);
          break;
        default:
          (void)s.insert(key, 100 + static_cast<std::int64_t>((x >> 40) % 400));
      }
    }
    EXPECT_EQ(bad, 0) << policy;
    ASSERT_EQ(shadow.size(), s.block_count()) << policy;
    for (const auto& [key, level] : shadow) EXPECT_EQ(s.peek(key), level) << policy;
  }
}

}  // namespace
}  // namespace aqueduct::core
