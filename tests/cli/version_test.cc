// `aqueduct version`: the version, the commit it was built from and the build.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aqueduct/core/version.h"
#include "commands.h"

namespace aqueduct::cli {
namespace {

TEST(Version, JsonNamesVersionCommitAndBuild) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_version("json"), 0);
  auto j = nlohmann::json::parse(::testing::internal::GetCapturedStdout());
  EXPECT_EQ(j["version"], std::string(core::version()));
  const std::string commit = j["commit"];
  // A checkout gives 12 hex digits (and "-dirty" when modified); a tarball "unknown".
  if (commit != "unknown") {
    const std::string hex = commit.substr(0, commit.find('-'));
    EXPECT_EQ(hex.size(), 12u) << commit;
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << commit;
  }
  EXPECT_NE(std::string(j["build"]).find("sanitizers:"), std::string::npos);
  EXPECT_EQ(core::version_line(), std::string(core::version()) + " (commit " + commit + ")");
}

TEST(Version, YamlHasTheSameKeys) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_version("yaml"), 0);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind("version: ", 0), 0u) << out;
  EXPECT_NE(out.find("\ncommit: "), std::string::npos) << out;
  EXPECT_NE(out.find("\nbuild: "), std::string::npos) << out;
}

}  // namespace
}  // namespace aqueduct::cli
