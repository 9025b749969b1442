#include "aqueduct/sim/csv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace aqueduct::sim {

bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  std::string line;
  if (!std::getline(in_, line)) return false;
  ++line_;
  record_line_ = line_;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  std::size_t i = 0;
  while (true) {
    if (i >= line.size()) {
      if (quoted) {
        // A quoted field spans lines.
        std::string more;
        if (!std::getline(in_, more)) {
          status_ = core::invalid_argument("line " + std::to_string(record_line_) +
                                           ": unterminated quoted field");
          return false;
        }
        ++line_;
        field += '\n';
        line = std::move(more);
        i = 0;
        continue;
      }
      break;
    }
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\r' && i + 1 == line.size()) {
      // CRLF
    } else {
      field += c;
    }
    ++i;
  }
  fields.push_back(std::move(field));
  return true;
}

CsvHeader::CsvHeader(std::vector<std::string> names) : names_(std::move(names)) {
  for (auto& n : names_) {
    while (!n.empty() && (n.back() == ' ' || n.back() == '\r')) n.pop_back();
    while (!n.empty() && n.front() == ' ') n.erase(n.begin());
  }
  // A UTF-8 byte-order mark before the first name.
  if (!names_.empty() && names_[0].rfind("\xEF\xBB\xBF", 0) == 0) names_[0] = names_[0].substr(3);
}

std::optional<std::size_t> CsvHeader::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<double> parse_double(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  std::string tmp(s);
  char* end = nullptr;
  double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace aqueduct::sim
