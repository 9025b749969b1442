#include "aqueduct/sim/cache_trace.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

std::vector<core::CacheRequest> read_ok(const std::string& rel, const std::string& format) {
  CacheTraceOptions o;
  o.format = format;
  auto r = read_cache_trace(source_path(rel), o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<core::CacheRequest>{};
}

TEST(CacheTrace, BundledFormats) {
  auto cp = read_ok("data/traces/cloudphysics-block-io/cloudPhysicsIO.csv", "cloudphysics");
  ASSERT_EQ(cp.size(), 113872u);
  EXPECT_EQ(cp[0].key.index, 42932745u);
  EXPECT_EQ(cp[0].bytes, 512);
  EXPECT_EQ(core::footprint(cp).objects, 48974u);
  auto block = read_ok("data/traces/cachelib-sample-traces/block_traces_1.csv", "cachelib-block");
  EXPECT_EQ(block.size(), 999u);
  EXPECT_EQ(block[0].bytes, 8388608);
  auto kv = read_ok("data/traces/cachelib-sample-traces/kv_traces_1.csv", "cachelib-kv");
  EXPECT_GT(kv.size(), 99u) << "rows with op_count n count n times";
  auto kv2 = read_ok("data/traces/cachelib-sample-traces/kv_traces_2.csv", "cachelib-kv");
  EXPECT_GT(kv2.size(), 99u) << "column order differs between the two kv files";
}

TEST(CacheTrace, CsvColumnsErrorsAndBinaryRoundTrip) {
  TempDir dir;
  std::string f = dir.write("t.csv", "obj,bytes\n7,100\nname-a,50\n8,-1\n");
  CacheTraceOptions o;
  o.key_column = "obj";
  o.size_column = "bytes";
  auto r = read_cache_trace(f, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(f + ":4: column bytes: expected a size in bytes, got \"-1\""),
            std::string::npos)
      << r.status().message();
  o.max_requests = 2;
  auto ok = read_cache_trace(f, o);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].key.index, 7u);
  EXPECT_NE((*ok)[1].key.index, 0u) << "non-integer keys are hashed";
  std::string bin = dir.file("t.bin");
  ASSERT_TRUE(write_binary_cache_trace(bin, *ok).is_ok());
  CacheTraceOptions b;
  b.format = "binary";
  auto back = read_cache_trace(bin, b);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].key.index, (*ok)[1].key.index);
  EXPECT_EQ((*back)[0].bytes, 100);
  EXPECT_FALSE(read_cache_trace(f, b).ok()) << "a CSV is not a binary trace";
  CacheTraceOptions missing;
  EXPECT_NE(
      read_cache_trace(f, missing).status().message().find("needs columns \"key\" and \"size\""),
      std::string::npos);
  CacheTraceOptions bad;
  bad.format = "parquet";
  EXPECT_NE(read_cache_trace(f, bad).status().message().find("unknown trace format"),
            std::string::npos);
}

// Regressions from fuzzing (tests/fuzz/crashers/cache_trace): a header that
// promises more records than the file holds was a length_error abort, sizes
// near 2^63 looped forever, op_count 10^12 ran out of memory.
TEST(CacheTrace, HostileHeadersSizesAndCountsAreErrors) {
  TempDir dir;
  auto binary = [&](std::uint64_t count, std::vector<std::pair<std::uint64_t, std::uint64_t>> recs,
                    std::string extra = "") {
    std::string b = "AQCTRC01";
    b.append(reinterpret_cast<const char*>(&count), 8);
    for (auto [k, s] : recs) {
      b.append(reinterpret_cast<const char*>(&k), 8);
      b.append(reinterpret_cast<const char*>(&s), 8);
    }
    return dir.write("t.bin", b + extra);
  };
  CacheTraceOptions o;
  o.format = "binary";
  auto r = read_cache_trace(binary(1ULL << 62, {{1, 100}}), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("header says 4611686018427387904 requests"),
            std::string::npos)
      << r.status().message();
  r = read_cache_trace(binary(1, {{1, 100}}, "xyz"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("a partial one"), std::string::npos);
  r = read_cache_trace(binary(2, {{1, 100}, {2, (1ULL << 63) - 5}}), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("record 1: size 9223372036854775803 B is over the limit"),
            std::string::npos)
      << r.status().message();
  ASSERT_TRUE(read_cache_trace(binary(1, {{1, std::uint64_t{1} << 50}}), o).ok());

  o.format = "csv";
  r = read_cache_trace(dir.write("t.csv", "key,size\na,1125899906842625\n"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.csv:2: column size: size 1125899906842625 B"),
            std::string::npos)
      << r.status().message();
  o.format = "cachelib-kv";
  r = read_cache_trace(dir.write("kv.csv", "key,size,op_count\na,10,1000000000000\n"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("kv.csv:2: column op_count"), std::string::npos)
      << r.status().message();
}

TEST(CacheTrace, ReplayRefusesSizesOutsideTheExactRange) {
  const auto registry = core::builtin_eviction_policies();
  std::vector<core::CacheRequest> t = {{{0, 1}, 10}, {{0, 2}, core::kMaxRequestBytes + 1}};
  auto r = core::replay(t, "lru", 100, registry);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("request 1"), std::string::npos);
  EXPECT_FALSE(core::replay({}, "lru", core::kMaxCacheBytes + 1, registry).ok());
  // The largest request in the largest cache: no overflow, one miss each.
  std::vector<core::CacheRequest> big(4, {{0, 1}, core::kMaxRequestBytes});
  big[1].key.index = big[3].key.index = 2;
  auto ok = core::replay(big, "lru", core::kMaxCacheBytes, registry);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->misses, 2u);
  EXPECT_EQ(ok->bytes, 4 * core::kMaxRequestBytes);
  // A footprint past 8 EiB saturates instead of wrapping negative.
  std::vector<core::CacheRequest> many;
  for (std::uint64_t k = 0; k < 9000; ++k) many.push_back({{0, k}, core::kMaxRequestBytes});
  EXPECT_EQ(core::footprint(many).bytes, INT64_MAX);
}

}  // namespace
}  // namespace aqueduct::sim
