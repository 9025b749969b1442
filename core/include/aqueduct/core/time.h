// Time in Aqueduct: integer nanoseconds since the start of a run. Integer time
// keeps simulations exactly reproducible; the live adapter maps wall time onto it.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

namespace aqueduct::core {

using Duration = std::chrono::nanoseconds;
// A point in time, as the duration since the run's origin.
using Time = std::chrono::nanoseconds;

inline constexpr Duration from_seconds(double s) {
  return Duration(static_cast<std::int64_t>(s * 1e9 + (s >= 0 ? 0.5 : -0.5)));
}
inline constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e9; }

// Renders "1h2m3.5s" style text for humans.
std::string format_duration(Duration d);

}  // namespace aqueduct::core
