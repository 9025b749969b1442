// Cron schedules for Fluid's DataLoad `policy: Cron` (`schedule: "0 */6 * * *"`):
// the five standard fields (minute hour day-of-month month day-of-week) with
// `*`, numbers, ranges `a-b`, lists `a,b` and steps `*/n` or `a-b/n`; day-of-week
// 0-7 (0 and 7 are Sunday). As in cron, when both day fields are restricted a
// day matching either qualifies. Time 0 of a run is taken as Monday
// 2024-01-01 00:00 UTC.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;     // 1..31
  std::bitset<13> months;   // 1..12
  std::bitset<7> weekdays;  // 0 = Sunday
  bool any_day = true, any_weekday = true;

  // The first firing strictly after `t` (within 4 years), or Time::max().
  Time next_after(Time t) const;
};

// Errors name the field and the offending text.
Result<CronSchedule> parse_cron(std::string_view expr);

}  // namespace aqueduct::core
