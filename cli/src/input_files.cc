#include "input_files.h"

#include <algorithm>
#include <iterator>

#include "aqueduct/core/yaml/yaml_reader.h"

namespace aqueduct::cli {

std::string input_name(const std::string& path) { return path == kStdinPath ? kStdinName : path; }

core::Result<std::string> InputFiles::read(const std::string& path) {
  if (path != kStdinPath) return core::read_text_file(path);
  if (stdin_used_) {
    return core::invalid_argument("standard input (-) was already read; give - for one input only");
  }
  stdin_used_ = true;
  std::string text{std::istreambuf_iterator<char>(in_), std::istreambuf_iterator<char>()};
  if (in_.bad()) return core::internal_error("standard input: read failed");
  return text;
}

core::Status check_one_stdin(const std::vector<std::string>& paths, const std::string& flags) {
  if (std::count(paths.begin(), paths.end(), std::string(kStdinPath)) > 1) {
    return core::invalid_argument(flags + ": standard input (-) can be given only once");
  }
  return core::Status::ok();
}

}  // namespace aqueduct::cli
