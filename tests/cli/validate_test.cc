// `aqueduct validate` on the documented broken files: each gives its
// documented error (docs/fluid-yaml.md) and a non-zero exit, never a crash.
#include <gtest/gtest.h>

#include "commands.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::source_path;

struct BrokenCase {
  const char* file;
  const char* expected;  // a substring of the first diagnostic line
};

class BrokenFiles : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenFiles, DocumentedErrorAndNonZeroExit) {
  const BrokenCase& c = GetParam();
  std::string path = source_path(std::string("tests/data/broken/") + c.file);
  ::testing::internal::CaptureStderr();
  int rc = run_validate({path}, /*quiet=*/true);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, kExitErrors);
  EXPECT_NE(err.find(path + ":" + c.expected), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(
    Validate, BrokenFiles,
    ::testing::Values(
        BrokenCase{"bad-quantity.yaml",
                   "11:16: error: spec.tieredstore.levels[0].quota: expected a Kubernetes quantity "
                   "such as "
                   "4Gi, 500m, 1.5 or 2e3, got \"2Gb\""},
        BrokenCase{"wrong-type.yaml",
                   "6:13: error: spec.replicas: expected an integer, got \"two\""},
        BrokenCase{"missing-field.yaml",
                   "7:7: error: spec.mounts[0].mountPoint: missing required field"},
        BrokenCase{"unknown-kind.yaml",
                   "2:7: error: kind: unknown kind \"DataSet\": expected Dataset,"},
        BrokenCase{
            "tabs.yaml",
            "4:6: error: YAML syntax error: illegal map value (the line is indented with a tab"},
        BrokenCase{"truncated.yaml",
                   "7:34: error: YAML syntax error: illegal EOF in scalar (the file ends early"},
        BrokenCase{"empty.yaml", "1:1: error: file is empty: expected at least one YAML document"}),
    [](const auto& info) {
      std::string n = info.param.file;
      n = n.substr(0, n.find('.'));
      for (auto& ch : n) {
        if (ch == '-') ch = '_';
      }
      return n;
    });

// A Cluster file is Aqueduct's own format: a misspelled key is an error with a
// suggestion (exit 2); --lenient makes it a warning (exit 1).
TEST(Validate, ClusterFileTypoIsAnErrorUnlessLenient) {
  aqueduct::testing::TempDir dir;
  std::string f = dir.write("c.yaml", R"(apiVersion: aqueduct.io/v1alpha1
kind: Cluster
metadata: {name: c}
spec:
  nodes:
    - {name: n1, cpu: "8", memory: 8Gi, zoen: a}
)");
  ::testing::internal::CaptureStderr();
  int rc = run_validate({f}, /*quiet=*/true);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, kExitErrors) << err;
  EXPECT_NE(err.find(f + ":6:41: error: spec.nodes[0].zoen: unknown field"), std::string::npos)
      << err;
  EXPECT_NE(err.find("(did you mean \"zone\"?)"), std::string::npos) << err;

  ::testing::internal::CaptureStderr();
  rc = run_validate({f}, /*quiet=*/true, /*lenient=*/true);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, kExitWarnings) << err;
  EXPECT_NE(err.find("warning: spec.nodes[0].zoen: unknown field, ignored"), std::string::npos)
      << err;
}

TEST(Validate, WarningsOnlyExitOne) {
  ::testing::internal::CaptureStderr();
  int rc = run_validate({source_path("tests/data/fluid/unknown-field.yaml")}, false);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, kExitWarnings);
  EXPECT_NE(err.find("9:3: warning: spec.colour: unknown field, ignored"), std::string::npos)
      << err;
  EXPECT_NE(err.find("1 file: 0 error(s), 1 warning(s)"), std::string::npos) << err;
}

TEST(Validate, CleanFilesExitZeroAndMissingFileIsAnError) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_validate({source_path("examples/quickstart/fluid.yaml"),
                          source_path("tests/data/fluid/workloads.yaml"),
                          source_path("examples/quickstart/experiment.yaml")},
                         true),
            kExitOk);
  EXPECT_EQ(run_validate({"/nonexistent/x.yaml"}, true), kExitErrors);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("/nonexistent/x.yaml: error: /nonexistent/x.yaml: cannot open file"),
            std::string::npos)
      << err;
}

TEST(Validate, ReportsAllFilesNotJustTheFirstBroken) {
  ::testing::internal::CaptureStderr();
  int rc = run_validate({source_path("tests/data/broken/wrong-type.yaml"),
                         source_path("tests/data/broken/empty.yaml")},
                        false);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, kExitErrors);
  EXPECT_NE(err.find("2 files: 2 error(s), 0 warning(s)"), std::string::npos) << err;
}

}  // namespace
}  // namespace aqueduct::cli
