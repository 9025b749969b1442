// `aqueduct load`: warms a worker with every block, resumes, holds a rate.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "aqueduct/fuse/worker.h"
#include "commands.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::TempDir;

int load(FuseArgs a, std::string* err = nullptr) {
  ::testing::internal::CaptureStderr();
  int rc = run_load(a);
  std::string e = ::testing::internal::GetCapturedStderr();
  if (err) *err = e;
  return rc;
}

TEST(Load, WarmsResumesAndHoldsTheRate) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("data/sub"));
  dir.write("data/a", std::string(3 << 20, 'a'));            // 3 blocks of 1 MiB
  dir.write("data/sub/b", std::string((1 << 20) + 1, 'b'));  // 2 blocks
  dir.write("data/sub/empty", "");                           // 1 (empty) block
  fuse::WorkerConfig wc;
  wc.listen = "127.0.0.1:0";
  wc.tiers.push_back({core::MediumType::kMem, "", 64 << 20});
  auto w = fuse::Worker::start(wc);
  ASSERT_TRUE(w.ok());
  FuseArgs a;
  a.source = "local://" + dir.file("data");
  a.workers = "127.0.0.1:" + std::to_string((*w)->port());
  a.block_size = "1Mi";
  a.state_file = dir.file("state");
  std::string err;
  ASSERT_EQ(load(a, &err), 0) << err;
  EXPECT_EQ((*w)->store().stats().blocks, 6u) << err;
  EXPECT_NE(err.find("3 files (0 done earlier)"), std::string::npos) << err;
  ASSERT_EQ(load(a, &err), 0);
  EXPECT_NE(err.find("3 files (3 done earlier)"), std::string::npos)
      << "resumed from the state file: " << err;

  // A fresh worker, only /sub (1 MiB + 1 byte), at 4 MiB/s: not less than ~0.25 s.
  auto w2 = fuse::Worker::start(wc);
  ASSERT_TRUE(w2.ok());
  a.workers = "127.0.0.1:" + std::to_string((*w2)->port());
  a.state_file.clear();
  a.paths = {"/sub"};
  a.rate = "4MiB/s";
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(load(a, &err), 0) << err;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(240));
  EXPECT_EQ((*w2)->store().stats().blocks, 3u);
}

TEST(Load, BadInputsAreClearErrors) {
  TempDir dir;
  FuseArgs a;
  a.source = "local://" + dir.file("missing");
  a.workers = "127.0.0.1:1";
  std::string err;
  EXPECT_EQ(load(a, &err), 2);
  EXPECT_NE(err.find("not a directory"), std::string::npos) << err;
  a.source = "local://" + dir.path().string();
  a.workers = "";
  EXPECT_EQ(load(a, &err), 2);
  EXPECT_NE(err.find("--workers"), std::string::npos);
  a.workers = "127.0.0.1:1";
  a.rate = "fast";
  EXPECT_EQ(load(a, &err), 2);
  EXPECT_NE(err.find("--rate"), std::string::npos);
  a.rate.clear();
  a.block_size = "0";
  EXPECT_EQ(load(a, &err), 2);
}

}  // namespace
}  // namespace aqueduct::cli
