#include "aqueduct/core/dataops/cron.h"

#include <charconv>
#include <sstream>
#include <vector>

namespace aqueduct::core {
namespace {

bool number(std::string_view s, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Parses one field into the values [lo, hi] it selects.
Status parse_field(std::string_view text, int lo, int hi, const char* name, std::vector<int>& out) {
  auto bad = [&](const std::string& why) {
    return invalid_argument(std::string("cron field ") + name + " \"" + std::string(text) +
                            "\": " + why);
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      if (!number(part.substr(slash + 1), &step) || step <= 0)
        return bad("expected a positive step after /");
      part = part.substr(0, slash);
    }
    int a = lo, b = hi;
    if (part != "*") {
      if (auto dash = part.find('-'); dash != std::string_view::npos) {
        if (!number(part.substr(0, dash), &a) || !number(part.substr(dash + 1), &b))
          return bad("expected a range a-b");
      } else {
        if (!number(part, &a)) return bad("expected *, a number, a range or a list");
        b = step > 1 ? hi : a;
      }
    }
    if (a < lo || b > hi || a > b) {
      return bad("values must be within " + std::to_string(lo) + "-" + std::to_string(hi));
    }
    for (int v = a; v <= b; v += step) out.push_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return Status::ok();
}

// Days since 1970-01-01 -> (year, month 1-12, day 1-31) (Howard Hinnant's civil_from_days).
void civil(long z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long yy = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

constexpr long kEpochDay = 19723;  // 2024-01-01, a Monday, in days since 1970-01-01

}  // namespace

Result<CronSchedule> parse_cron(std::string_view expr) {
  std::vector<std::string> fields;
  std::istringstream in{std::string(expr)};
  std::string f;
  while (in >> f) fields.push_back(f);
  if (fields.size() != 5) {
    return invalid_argument("cron schedule \"" + std::string(expr) +
                            "\": expected 5 fields (minute hour day-of-month month day-of-week)");
  }
  CronSchedule c;
  std::vector<int> v;
  const char* names[] = {"minute", "hour", "day-of-month", "month", "day-of-week"};
  const int lo[] = {0, 0, 1, 1, 0}, hi[] = {59, 23, 31, 12, 7};
  for (int i = 0; i < 5; ++i) {
    v.clear();
    AQ_RETURN_IF_ERROR(parse_field(fields[i], lo[i], hi[i], names[i], v));
    for (int x : v) {
      switch (i) {
        case 0:
          c.minutes.set(x);
          break;
        case 1:
          c.hours.set(x);
          break;
        case 2:
          c.days.set(x);
          break;
        case 3:
          c.months.set(x);
          break;
        case 4:
          c.weekdays.set(x % 7);
          break;
      }
    }
  }
  c.any_day = fields[2] == "*";
  c.any_weekday = fields[4] == "*";
  return c;
}

Time CronSchedule::next_after(Time t) const {
  const std::int64_t kMin = 60LL * 1'000'000'000;
  std::int64_t m = t.count() / kMin + 1;  // the next whole minute strictly after t
  const std::int64_t limit = m + 4LL * 366 * 1440;
  while (m < limit) {
    long day = static_cast<long>(m / 1440);
    int y;
    unsigned mon, d;
    civil(kEpochDay + day, &y, &mon, &d);
    int wd = static_cast<int>((day + 1) % 7);  // day 0 is Monday (1)
    bool day_ok;
    if (any_day && any_weekday) {
      day_ok = true;
    } else if (any_day) {
      day_ok = weekdays.test(wd);
    } else if (any_weekday) {
      day_ok = days.test(d);
    } else {
      day_ok = days.test(d) || weekdays.test(wd);
    }
    if (!months.test(mon) || !day_ok) {
      m = (day + 1) * 1440LL;  // skip to the next day
      continue;
    }
    int hour = static_cast<int>((m / 60) % 24), minute = static_cast<int>(m % 60);
    if (!hours.test(hour)) {
      m = (m / 60 + 1) * 60;
      continue;
    }
    if (minutes.test(minute)) return Time(m * kMin);
    ++m;
  }
  return Time::max();
}

}  // namespace aqueduct::core
