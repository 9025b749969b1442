// What build this is: shown by `aqueduct version`, `aqueduct --version` and
// Python's aqueduct.__version__, and recorded in every run's outputs so a
// result can be traced to the code that produced it.
#pragma once

#include <string>
#include <string_view>

namespace aqueduct::core {

std::string_view version();     // the project version, e.g. "0.1.0"
std::string_view commit();      // git commit (12 hex digits, "-dirty" if modified) or "unknown"
std::string_view build_info();  // build type, compiler, sanitizers

// "0.1.0 (commit 0123456789ab)"
inline std::string version_line() {
  return std::string(version()) + " (commit " + std::string(commit()) + ")";
}

}  // namespace aqueduct::core
