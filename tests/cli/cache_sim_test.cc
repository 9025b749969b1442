#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

TEST(CacheSim, JsonTableAndCurve) {
  TempDir dir;
  CacheSimArgs a;
  a.trace = source_path("data/traces/cloudphysics-block-io/cloudPhysicsIO.csv");
  a.format = "cloudphysics";
  a.policies = "lru,belady";
  a.sizes = "64Mi,10%";
  a.output = "json";
  a.mrc = dir.file("mrc.png");
  ::testing::internal::CaptureStdout();
  int rc = run_cache_sim(a);
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[0]["policy"], "lru");
  EXPECT_EQ(j[0]["cache_size_bytes"], 64LL << 20);
  EXPECT_EQ(j[0]["requests"], 113872);
  for (const auto& row : j) {
    EXPECT_GT(row["miss_ratio"].get<double>(), 0.0);
    EXPECT_LE(row["miss_ratio"].get<double>(), 1.0);
    EXPECT_TRUE(row.contains("byte_miss_ratio"));
  }
  // OPT never misses more than LRU at the same size.
  EXPECT_LE(j[2]["misses"].get<std::int64_t>(), j[0]["misses"].get<std::int64_t>());
  EXPECT_GT(std::filesystem::file_size(a.mrc), 1000u);
}

TEST(CacheSim, BadArguments) {
  CacheSimArgs a;
  a.trace = source_path("data/traces/cloudphysics-block-io/cloudPhysicsIO.csv");
  a.format = "cloudphysics";
  a.policies = "lru,magic";
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_cache_sim(a), 2);
  a.policies = "lru";
  a.sizes = "lots";
  EXPECT_EQ(run_cache_sim(a), 2);
  a.sizes = "10%";
  a.trace = "/nonexistent.csv";
  EXPECT_EQ(run_cache_sim(a), 2);
  ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("unknown eviction policy \"magic\""), std::string::npos) << err;
  EXPECT_NE(err.find("--size lots: expected a positive size"), std::string::npos) << err;
  EXPECT_NE(err.find("/nonexistent.csv: cannot open trace file"), std::string::npos) << err;
}

}  // namespace
}  // namespace aqueduct::cli
