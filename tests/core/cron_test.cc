#include "aqueduct/core/dataops/cron.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

Time at(int day, int hour, int minute) {
  return from_seconds(((day * 24.0 + hour) * 60 + minute) * 60);
}

TEST(Cron, NextFirings) {
  auto every6h = parse_cron("0 */6 * * *");
  ASSERT_TRUE(every6h.ok());
  EXPECT_EQ(every6h->next_after(Time(0)), at(0, 6, 0)) << "strictly after";
  EXPECT_EQ(every6h->next_after(at(0, 6, 0)), at(0, 12, 0));
  EXPECT_EQ(every6h->next_after(at(0, 23, 59)), at(1, 0, 0));
  auto list = parse_cron("15,45 9-10 * * *");
  EXPECT_EQ(list->next_after(at(0, 9, 20)), at(0, 9, 45));
  EXPECT_EQ(list->next_after(at(0, 10, 50)), at(1, 9, 15));
  // Time 0 is Monday 2024-01-01: the first Sunday (weekday 0 or 7) is day 6.
  EXPECT_EQ(parse_cron("30 2 * * 0")->next_after(Time(0)), at(6, 2, 30));
  EXPECT_EQ(parse_cron("30 2 * * 7")->next_after(Time(0)), at(6, 2, 30));
  // Day of month 15 of February: 31 + 14 days in.
  EXPECT_EQ(parse_cron("0 0 15 2 *")->next_after(Time(0)), at(45, 0, 0));
  // Both day fields restricted: either qualifies (the 3rd, or any Friday = day 4).
  EXPECT_EQ(parse_cron("0 0 3 * 5")->next_after(at(0, 1, 0)), at(2, 0, 0));
}

TEST(Cron, ErrorsNameTheField) {
  EXPECT_NE(parse_cron("0 */6 * *").status().message().find("expected 5 fields"),
            std::string::npos);
  EXPECT_NE(parse_cron("61 * * * *").status().message().find("cron field minute \"61\""),
            std::string::npos);
  EXPECT_NE(parse_cron("0 x * * *").status().message().find("cron field hour"), std::string::npos);
  EXPECT_NE(parse_cron("0 0 * 13 *").status().message().find("month"), std::string::npos);
  EXPECT_NE(parse_cron("*/0 * * * *").status().message().find("positive step"), std::string::npos);
  EXPECT_EQ(parse_cron("0 0 30 2 *")->next_after(Time(0)), Time::max())
      << "February 30th never comes";
}

}  // namespace
}  // namespace aqueduct::core
