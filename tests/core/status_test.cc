#include "aqueduct/core/status.h"

#include "aqueduct/core/diagnostics.h"

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

// A file with thousands of the same problem prints it a few times and a
// count of the rest, not thousands of lines.
TEST(Diagnostics, RepeatedProblemsAreCappedWithACount) {
  Diagnostics d;
  for (int i = 1; i <= 10000; ++i) d.error(SourcePos{"t.yaml", i, 1}, "spec.x", "bad x");
  d.warning(SourcePos{"t.yaml", 1, 1}, "spec.y", "odd y");
  auto lines = d.report_lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "t.yaml:1:1: error: spec.x: bad x");
  EXPECT_EQ(lines[2], "t.yaml:3:1: error: spec.x: bad x");
  EXPECT_EQ(lines[3], "t.yaml:1:1: warning: spec.y: odd y");
  EXPECT_EQ(lines[4], "... 9997 more errors like this: spec.x: bad x");
  EXPECT_EQ(d.report_lines(/*errors_only=*/true).size(), 4u);
  // Many distinct problems stop at max_lines, with a total of the rest.
  Diagnostics many;
  for (int i = 0; i < 300; ++i)
    many.error(SourcePos{"t.yaml", i + 1, 1}, "", "m" + std::to_string(i));
  auto capped = many.report_lines(false, 3, 100);
  ASSERT_EQ(capped.size(), 101u);
  EXPECT_EQ(capped.back(), "... 200 more diagnostics not shown");
}

}  // namespace
}  // namespace aqueduct::core
