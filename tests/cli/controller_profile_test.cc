// `aqueduct controller --profile`: alongside Fluid only AqueductRuntime is
// taken; a conflicting --runtime-kinds or an unknown profile stops at once
// (exit 2) with the reason, before any cluster is contacted.
#include <gtest/gtest.h>

#include "commands.h"

namespace aqueduct::cli {
namespace {

std::string run_expecting_error(const ControllerArgs& args) {
  ::testing::internal::CaptureStderr();
  const int rc = run_controller(args);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, kExitErrors) << err;
  return err;
}

TEST(ControllerProfile, AlongsideRefusesFluidsRuntimeKinds) {
  ControllerArgs a;
  a.profile = "alongside";
  a.runtime_kinds = "JuiceFSRuntime,AqueductRuntime";
  const std::string err = run_expecting_error(a);
  EXPECT_NE(err.find("--runtime-kinds must be AqueductRuntime"), std::string::npos) << err;
  EXPECT_NE(err.find("JuiceFSRuntime"), std::string::npos) << err;
}

TEST(ControllerProfile, AnUnknownProfileIsNamed) {
  ControllerArgs a;
  a.profile = "beside";
  const std::string err = run_expecting_error(a);
  EXPECT_NE(err.find("--profile \"beside\": expected instead or alongside"), std::string::npos)
      << err;
}

}  // namespace
}  // namespace aqueduct::cli
