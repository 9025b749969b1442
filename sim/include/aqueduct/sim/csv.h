// A small RFC 4180 CSV reader for traces: quoted fields, embedded commas and
// quotes, CRLF. Reports the 1-based line of every record for error messages.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::sim {

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  // Reads the next record into `fields`; false at end of input. An unterminated
  // quote is reported through status().
  bool next(std::vector<std::string>& fields);
  // Line number (1-based) where the last record started.
  std::int64_t line() const { return record_line_; }
  const core::Status& status() const { return status_; }

 private:
  std::istream& in_;
  std::int64_t line_ = 0;
  std::int64_t record_line_ = 0;
  core::Status status_;
};

// Column lookup by header name.
class CsvHeader {
 public:
  explicit CsvHeader(std::vector<std::string> names);
  // Index of a column, or nullopt.
  std::optional<std::size_t> find(std::string_view name) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

// Strict number parsing for trace fields (whole field must parse, finite).
std::optional<double> parse_double(std::string_view s);
std::optional<std::int64_t> parse_int(std::string_view s);

}  // namespace aqueduct::sim
