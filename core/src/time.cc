#include "aqueduct/core/time.h"

#include <cstdio>

namespace aqueduct::core {

std::string format_duration(Duration d) {
  std::int64_t ns = d.count();
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  const std::int64_t kSec = 1'000'000'000;
  std::int64_t h = ns / (3600 * kSec);
  ns -= h * 3600 * kSec;
  std::int64_t m = ns / (60 * kSec);
  ns -= m * 60 * kSec;
  char buf[64];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lldh", static_cast<long long>(h));
    out += buf;
  }
  if (m > 0 || h > 0) {
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(m));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(ns) / kSec);
  out += buf;
  return out;
}

}  // namespace aqueduct::core
