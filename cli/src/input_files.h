// The files a command reads. Every command that reads objects takes them as
// -f FILE (repeatable) or positionally, and "-" for standard input.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::cli {

// The path that means standard input, and how messages name it.
inline constexpr const char* kStdinPath = "-";
inline constexpr const char* kStdinName = "<stdin>";

// How a path is named in messages: "<stdin>" for "-", else the path.
std::string input_name(const std::string& path);

// Reads inputs by path; "-" reads `in` (standard input) once, so a second
// "-" in the same command is an error rather than an empty document.
class InputFiles {
 public:
  explicit InputFiles(std::istream& in) : in_(in) {}
  core::Result<std::string> read(const std::string& path);

 private:
  std::istream& in_;
  bool stdin_used_ = false;
};

// "-" given more than once among a command's inputs (flag names for the
// message, e.g. "-f and --objects"): an error before anything is read.
core::Status check_one_stdin(const std::vector<std::string>& paths, const std::string& flags);

}  // namespace aqueduct::cli
