#include "aqueduct/core/status.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

Result<int> half(int v) {
  if (v % 2) return invalid_argument("odd: " + std::to_string(v));
  return v / 2;
}

Status quarter(int v, int* out) {
  AQ_ASSIGN_OR_RETURN(int h, half(v));
  AQ_ASSIGN_OR_RETURN(int q, half(h));
  *out = q;
  return Status::ok();
}

TEST(Status, OkAndError) {
  EXPECT_TRUE(Status::ok().is_ok());
  Status s = not_found("x.yaml: missing");
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.to_string(), "NotFound: x.yaml: missing");
  EXPECT_EQ(s.with_context("load").message(), "load: x.yaml: missing");
}

TEST(Result, ValueOrStatus) {
  auto r = half(4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  auto e = half(3);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "odd: 3");
  EXPECT_EQ(e.value_or(-1), -1);
}

TEST(Result, OkStatusWithoutValueIsAnError) {
  Result<int> r{Status::ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(Result, MacrosPropagate) {
  int out = 0;
  EXPECT_TRUE(quarter(8, &out).is_ok());
  EXPECT_EQ(out, 2);
  Status s = quarter(6, &out);
  EXPECT_EQ(s.message(), "odd: 3");
}

}  // namespace
}  // namespace aqueduct::core
