#include <gtest/gtest.h>

#include <filesystem>

#include "commands.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::read_file;
using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

TEST(SimRun, QuickstartWritesEveryOutputAndPrintsTheSpeedup) {
  TempDir out;
  SimRunArgs args;
  args.experiment = source_path("examples/quickstart/experiment.yaml");
  args.out_dir = out.path().string();
  args.quiet = true;
  ::testing::internal::CaptureStdout();
  int rc = run_sim(args);
  std::string table = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  EXPECT_NE(table.find("cache vs no-cache: mean JCT"), std::string::npos) << table;
  for (const char* scenario : {"no-cache", "cache"}) {
    for (const char* f : {"jobs.csv", "timeseries.csv", "summary.json"}) {
      auto p = out.path() / scenario / f;
      EXPECT_TRUE(std::filesystem::exists(p)) << p;
    }
  }
  EXPECT_EQ(read_file(out.file("summary.txt")), table.substr(table.find('\n') + 1));
  std::string jobs = read_file((out.path() / "cache" / "jobs.csv").string());
  EXPECT_EQ(std::count(jobs.begin(), jobs.end(), '\n'), 161);  // header + 160 jobs
}

TEST(SimRun, SeedOverrideAndScenarioFilter) {
  TempDir a, b;
  SimRunArgs args;
  args.experiment = source_path("examples/quickstart/experiment.yaml");
  args.quiet = true;
  args.scenarios = {"cache"};
  args.out_dir = a.path().string();
  args.seed = 7;
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(run_sim(args), 0);
  args.out_dir = b.path().string();
  ASSERT_EQ(run_sim(args), 0);
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(printed.find("(seed 7)"), std::string::npos);
  EXPECT_EQ(read_file(a.file("cache/jobs.csv")), read_file(b.file("cache/jobs.csv")));
  EXPECT_NE(read_file(a.file("cache/summary.json")).find("\"seed\": 7"), std::string::npos);
  EXPECT_NE(read_file(a.file("run.json")).find("\"seed_override\": 7"), std::string::npos);
}

// One folder per scenario, even for one; an earlier run's results are replaced
// only with --force, and a folder that holds anything else is never written.
TEST(SimRun, RefusesToWriteOverEarlierResultsWithoutForce) {
  TempDir out;
  SimRunArgs args;
  args.experiment = source_path("examples/quickstart/experiment.yaml");
  args.quiet = true;
  args.scenarios = {"cache"};
  args.out_dir = (out.path() / "r").string();
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(run_sim(args), 0);
  (void)::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(std::filesystem::exists(out.path() / "r" / "cache" / "jobs.csv"));
  const std::string record = read_file((out.path() / "r" / "run.json").string());
  EXPECT_NE(record.find("\"commit\""), std::string::npos) << record;

  // A stale file from the first run must not survive a forced rerun.
  out.write("r/cache/stale.csv", "x\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_sim(args), 2);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("already holds the results of an earlier run; pass --force"),
            std::string::npos)
      << err;
  EXPECT_TRUE(std::filesystem::exists(out.path() / "r" / "cache" / "stale.csv"));
  args.force = true;
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(run_sim(args), 0);
  (void)::testing::internal::GetCapturedStdout();
  EXPECT_FALSE(std::filesystem::exists(out.path() / "r" / "cache" / "stale.csv"));
  EXPECT_TRUE(std::filesystem::exists(out.path() / "r" / "cache" / "jobs.csv"));

  // Somebody else's folder: refused even with --force, and left as it was.
  out.write("mine/notes.txt", "keep\n");
  args.out_dir = (out.path() / "mine").string();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_sim(args), 2);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("holds no results of `aqueduct sim run`"), std::string::npos) << err;
  EXPECT_EQ(read_file(out.file("mine/notes.txt")), "keep\n");
}

TEST(SimRun, BadExperimentIsAnErrorWithPosition) {
  TempDir dir;
  std::string f = dir.write(
      "bad.yaml", "apiVersion: aqueduct.io/v1alpha1\nkind: Experiment\nspec:\n  seed: x\n");
  SimRunArgs args;
  args.experiment = f;
  args.quiet = true;
  ::testing::internal::CaptureStderr();
  int rc = run_sim(args);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 2);
  EXPECT_NE(err.find(f + ":4:9: error: spec.seed: expected an integer"), std::string::npos) << err;
  args.scenarios = {"nope"};
  args.experiment = source_path("examples/quickstart/experiment.yaml");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_sim(args), 2);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("no scenario matches"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::cli
