#include "aqueduct/core/quantity.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

struct QCase {
  const char* text;
  double value;
};

TEST(Quantity, KubernetesGrammar) {
  const QCase cases[] = {
      {"4Gi", 4.0 * 1024 * 1024 * 1024},
      {"500m", 0.5},
      {"0.1", 0.1},
      {"1e3", 1000},
      {"2", 2},
      {"1.5Ki", 1536},
      {"100M", 1e8},
      {"3k", 3000},
      {"1Ti", 1099511627776.0},
      {"250u", 250e-6},
      {"7n", 7e-9},
      {"1E", 1e18},
      {"2E2", 200},
      {"+5", 5},
  };
  for (const auto& c : cases) {
    auto q = parse_quantity(c.text);
    ASSERT_TRUE(q.ok()) << c.text << ": " << q.status().message();
    EXPECT_DOUBLE_EQ(q->value, c.value) << c.text;
    EXPECT_EQ(q->text, c.text);
  }
  EXPECT_EQ(parse_quantity("500m")->as_milli(), 500);
  EXPECT_EQ(parse_quantity("0.1")->as_milli(), 100);
  EXPECT_EQ(parse_quantity("4Gi")->as_int(), 4LL << 30);
}

TEST(Quantity, RejectsMalformed) {
  for (const char* bad : {"", "Gi", "2Gb", "1.2.3", "abc", "4 Gi", "1e", "1e1.5", "--1", "0x10"}) {
    auto q = parse_quantity(bad);
    EXPECT_FALSE(q.ok()) << bad;
    if (!q.ok()) {
      EXPECT_NE(q.status().message().find("Kubernetes quantity"), std::string::npos) << bad;
    }
  }
  EXPECT_FALSE(parse_quantity("-1").ok());
  EXPECT_TRUE(parse_quantity("-1", /*allow_negative=*/true).ok());
}

TEST(Quantity, RangeEndsAtEightExbibytes) {
  EXPECT_FALSE(parse_quantity("1e30Ei").ok());
  EXPECT_FALSE(parse_quantity("9.3e18").ok());
  EXPECT_NE(parse_quantity("1e400").status().message().find("out of range"), std::string::npos);
  ASSERT_TRUE(parse_quantity("7Ei").ok());
  EXPECT_EQ(parse_quantity("7Ei")->as_int(), 7LL << 60);
  // Thousandths of a value past 9.2e15 saturate instead of overflowing.
  EXPECT_EQ(parse_quantity("9e17")->as_milli(), INT64_MAX);
  EXPECT_EQ(parse_quantity("-9e17", true)->as_milli(), INT64_MIN);
}

TEST(Bandwidth, BytesAndBits) {
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1GiB/s"), 1073741824.0);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("200Mi/s"), 200.0 * 1048576);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("100MB/s"), 1e8);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("10Gbps"), 1.25e9);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("800Mbps"), 1e8);
  EXPECT_FALSE(parse_bandwidth("fast").ok());
  EXPECT_FALSE(parse_bandwidth("10Gi").ok());
}

TEST(Duration, UnitsAndBareSeconds) {
  EXPECT_EQ(*parse_duration("90s"), from_seconds(90));
  EXPECT_EQ(*parse_duration("1h30m"), from_seconds(5400));
  EXPECT_EQ(*parse_duration("250ms"), from_seconds(0.25));
  EXPECT_EQ(*parse_duration("2.5"), from_seconds(2.5));
  EXPECT_EQ(*parse_duration("1d"), from_seconds(86400));
  EXPECT_FALSE(parse_duration("5 minutes").ok());
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("10x").ok());
}

TEST(FormatBytes, Binary) {
  EXPECT_EQ(format_bytes(512), "512B");
  EXPECT_EQ(format_bytes(1536), "1.50KiB");
  EXPECT_EQ(format_bytes(3.0 * (1LL << 40)), "3.00TiB");
}

}  // namespace
}  // namespace aqueduct::core
