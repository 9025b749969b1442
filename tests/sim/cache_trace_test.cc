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

}  // namespace
}  // namespace aqueduct::sim
