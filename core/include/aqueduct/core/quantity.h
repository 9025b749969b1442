// Kubernetes quantities ("4Gi", "500m", "0.1", "1e3") and the unit strings the
// experiment format adds on top: bandwidths ("2GiB/s", "10Gbps") and durations
// ("90s", "1h30m", "250ms"). Parsers return a Status naming what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

// A parsed resource quantity. `value` is in base units (bytes, cores, ...).
struct Quantity {
  double value = 0;
  std::string text;  // as written, for round-tripping into output

  // Base units rounded up to an integer (bytes, pods, GPUs).
  std::int64_t as_int() const;
  // Thousandths of a base unit, rounded up (millicores).
  std::int64_t as_milli() const;
};

// Parses the Kubernetes quantity grammar: a signed decimal number with an
// optional suffix: binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E, or an
// exponent e/E. Negative values are rejected unless allow_negative.
Result<Quantity> parse_quantity(std::string_view text, bool allow_negative = false);

// Bytes per second from "<quantity>/s" (e.g. "1.5GiB/s", "200Mi/s", "100MB/s")
// or "<number><k|M|G|T>bps" (bits per second, decimal, e.g. "10Gbps").
Result<double> parse_bandwidth(std::string_view text);

// A duration: a sequence of <number><unit> with units ns us ms s m h d
// ("1h30m", "2.5s"), or a bare number of seconds.
Result<Duration> parse_duration(std::string_view text);

// Renders bytes with a binary suffix for humans ("1.50GiB").
std::string format_bytes(double bytes);

}  // namespace aqueduct::core
