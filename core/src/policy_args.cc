#include "aqueduct/core/policy_args.h"

#include <cmath>
#include <cstdlib>

namespace aqueduct::core {

Status check_known_args(const PolicyArgs& a, std::initializer_list<const char*> known,
                        std::initializer_list<const char*> prefixes) {
  for (const auto& [k, v] : a) {
    bool ok = false;
    for (const char* p : prefixes) ok = ok || k.rfind(p, 0) == 0;
    std::string names;
    for (const char* n : known) {
      ok = ok || k == n;
      names += (names.empty() ? "" : ", ") + std::string(n);
    }
    if (!ok) {
      std::string starts;
      for (const char* p : prefixes) starts += (starts.empty() ? "" : ", ") + std::string(p);
      return invalid_argument(
          "unknown argument \"" + k + "\": expected " +
          (names.empty() ? std::string("none") : "one of " + names) +
          (starts.empty() ? std::string() : " or a key starting with " + starts));
    }
  }
  return Status::ok();
}

namespace {
bool parse_number(const std::string& s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0' && std::isfinite(*out);
}
}  // namespace

Result<double> number_arg(const PolicyArgs& a, const std::string& key, double def, double lo,
                          double hi) {
  auto it = a.find(key);
  if (it == a.end()) return def;
  double v = 0;
  if (!parse_number(it->second, &v) || v < lo || v > hi) {
    return invalid_argument(key + ": expected a number in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "], got \"" + it->second + "\"");
  }
  return v;
}

Result<int> choice_arg(const PolicyArgs& a, const std::string& key,
                       std::initializer_list<const char*> choices) {
  auto it = a.find(key);
  if (it == a.end()) return 0;
  std::string names;
  int i = 0;
  for (const char* c : choices) {
    if (it->second == c) return i;
    names += (names.empty() ? "" : ", ") + std::string(c);
    ++i;
  }
  return invalid_argument(key + ": expected one of " + names + ", got \"" + it->second + "\"");
}

Result<std::vector<double>> ascending_list_arg(const PolicyArgs& a, const std::string& key,
                                               std::vector<double> def) {
  auto it = a.find(key);
  if (it == a.end()) return def;
  std::vector<double> out;
  std::string s = it->second;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    double v = 0;
    if (!parse_number(item, &v) || v <= 0 || (!out.empty() && v <= out.back())) {
      return invalid_argument(key +
                              ": expected positive numbers in ascending order, separated by "
                              "commas, got \"" +
                              s + "\"");
    }
    out.push_back(v);
    start = comma + 1;
  }
  return out;
}

}  // namespace aqueduct::core
