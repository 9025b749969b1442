#include "aqueduct/core/quantity.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace aqueduct::core {
namespace {

bool parse_decimal(std::string_view s, double* out, std::size_t* used) {
  // Digits with at most one '.', optional leading sign; no exponent here.
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  bool dot = false;
  while (i < s.size()) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++digits;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
    ++i;
  }
  if (digits == 0) return false;
  std::string num(s.substr(0, i));
  *out = std::strtod(num.c_str(), nullptr);
  *used = i;
  return true;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::int64_t Quantity::as_int() const { return static_cast<std::int64_t>(std::ceil(value - 1e-9)); }
std::int64_t Quantity::as_milli() const {
  // Saturates: a quantity past 9.2e15 units has no exact thousandths.
  const double m = std::ceil(value * 1000.0 - 1e-6);
  if (m >= 9.2233720368547758e18) return INT64_MAX;
  if (m <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<std::int64_t>(m);
}

Result<Quantity> parse_quantity(std::string_view text, bool allow_negative) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  const std::string expected =
      "expected a Kubernetes quantity such as 4Gi, 500m, 1.5 or 2e3, got " + quoted(text);
  double v = 0;
  std::size_t used = 0;
  if (!parse_decimal(s, &v, &used)) return invalid_argument(expected);
  std::string_view suffix = s.substr(used);
  double mult = 1;
  if (suffix.empty()) {
    mult = 1;
  } else if (suffix == "Ki") {
    mult = 1024.0;
  } else if (suffix == "Mi") {
    mult = std::pow(1024.0, 2);
  } else if (suffix == "Gi") {
    mult = std::pow(1024.0, 3);
  } else if (suffix == "Ti") {
    mult = std::pow(1024.0, 4);
  } else if (suffix == "Pi") {
    mult = std::pow(1024.0, 5);
  } else if (suffix == "Ei") {
    mult = std::pow(1024.0, 6);
  } else if (suffix == "n") {
    mult = 1e-9;
  } else if (suffix == "u") {
    mult = 1e-6;
  } else if (suffix == "m") {
    mult = 1e-3;
  } else if (suffix == "k") {
    mult = 1e3;
  } else if (suffix == "M") {
    mult = 1e6;
  } else if (suffix == "G") {
    mult = 1e9;
  } else if (suffix == "T") {
    mult = 1e12;
  } else if (suffix == "P") {
    mult = 1e15;
  } else if (suffix == "E") {
    mult = 1e18;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view ex = suffix.substr(1);
    double e = 0;
    std::size_t u2 = 0;
    if (!parse_decimal(ex, &e, &u2) || u2 != ex.size() || ex.find('.') != std::string_view::npos) {
      return invalid_argument(expected);
    }
    mult = std::pow(10.0, e);
  } else {
    return invalid_argument(expected + " (unknown suffix " + quoted(suffix) + ")");
  }
  Quantity q{v * mult, std::string(s)};
  // Whole-unit values must fit a signed 64-bit integer (8Ei).
  if (!std::isfinite(q.value) || std::fabs(q.value) >= 9.2233720368547758e18) {
    return invalid_argument(expected + " (out of range: at most 8Ei)");
  }
  if (q.value < 0 && !allow_negative) {
    return invalid_argument("expected a non-negative quantity, got " + quoted(text));
  }
  return q;
}

Result<double> parse_bandwidth(std::string_view text) {
  std::string_view s = text;
  const std::string expected =
      "expected a bandwidth such as 2GiB/s, 500Mi/s, 100MB/s or 10Gbps, got " + quoted(text);
  if (s.size() > 2 && s.substr(s.size() - 2) == "/s") {
    std::string_view q = s.substr(0, s.size() - 2);
    if (!q.empty() && q.back() == 'B') q.remove_suffix(1);  // "GiB/s" -> "Gi"
    auto r = parse_quantity(q);
    if (!r.ok()) return invalid_argument(expected);
    return r->value;
  }
  if (s.size() > 3 && s.substr(s.size() - 3) == "bps") {
    std::string_view q = s.substr(0, s.size() - 3);
    auto r = parse_quantity(q);
    if (!r.ok()) return invalid_argument(expected);
    return r->value / 8.0;
  }
  return invalid_argument(expected);
}

Result<Duration> parse_duration(std::string_view text) {
  std::string_view s = text;
  const std::string expected =
      "expected a duration such as 90s, 1h30m, 250ms or a number of seconds, got " + quoted(text);
  if (s.empty()) return invalid_argument(expected);
  {
    double v = 0;
    std::size_t used = 0;
    if (parse_decimal(s, &v, &used) && used == s.size()) {
      if (v < 0) return invalid_argument(expected);
      return from_seconds(v);
    }
  }
  double total_s = 0;
  while (!s.empty()) {
    double v = 0;
    std::size_t used = 0;
    if (!parse_decimal(s, &v, &used) || v < 0) return invalid_argument(expected);
    s.remove_prefix(used);
    std::size_t u = 0;
    while (u < s.size() && std::isalpha(static_cast<unsigned char>(s[u]))) ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    double mult;
    if (unit == "ns")
      mult = 1e-9;
    else if (unit == "us")
      mult = 1e-6;
    else if (unit == "ms")
      mult = 1e-3;
    else if (unit == "s")
      mult = 1;
    else if (unit == "m")
      mult = 60;
    else if (unit == "h")
      mult = 3600;
    else if (unit == "d")
      mult = 86400;
    else
      return invalid_argument(expected);
    total_s += v * mult;
  }
  return from_seconds(total_s);
}

std::string format_bytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  double v = bytes;
  while (std::fabs(v) >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  char buf[48];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%.0f%s", v, kUnits[u]);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f%s", v, kUnits[u]);
  }
  return buf;
}

}  // namespace aqueduct::core
