#include "aqueduct/core/registry.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};
struct Square : Shape {
  explicit Square(double s) : side(s) {}
  double area() const override { return side * side; }
  double side;
};

TEST(Registry, CreatesByNameWithArgumentsAndRefusesBadOnes) {
  Registry<Shape, double> r("shape");
  r.add_type<Square>("square", "four equal sides");
  r.add("checked", "refuses negative sizes", [](double s) -> Result<std::unique_ptr<Shape>> {
    if (s < 0) return invalid_argument("size: expected >= 0, got " + std::to_string(s));
    return std::unique_ptr<Shape>(new Square(s));
  });
  auto sq = r.create("square", 3);
  ASSERT_TRUE(sq.ok());
  EXPECT_DOUBLE_EQ((*sq)->area(), 9);
  auto bad = r.create("checked", -1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("shape \"checked\": size: expected >= 0", 0), 0u)
      << bad.status().message();
  auto unknown = r.create("circle", 1);
  EXPECT_EQ(unknown.status().message(),
            "unknown shape \"circle\": expected one of checked, square");
  EXPECT_EQ(r.names(), (std::vector<std::string>{"checked", "square"}));
  EXPECT_EQ(r.description("square"), "four equal sides");
  EXPECT_TRUE(r.contains("square"));
}

}  // namespace
}  // namespace aqueduct::core
