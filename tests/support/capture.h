// Runs a CLI command function and captures its exit status, stdout and stderr.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace aqueduct::testing {

struct Outcome {
  int rc = 0;
  std::string out, err;
};

template <typename Fn>
Outcome capture(Fn&& fn) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int rc = fn();
  std::string out = ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  return {rc, std::move(out), std::move(err)};
}

}  // namespace aqueduct::testing
