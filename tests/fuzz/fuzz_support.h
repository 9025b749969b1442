// Helpers shared by the fuzz targets. A target is one function,
// LLVMFuzzerTestOneInput, built two ways (tests/fuzz/CMakeLists.txt): with
// libFuzzer under clang (`make fuzz`), and as a replay program on any
// compiler that runs it over the seed corpus and every past crasher
// (`make test`). A target calls an entry point the way a real input reaches
// it; a Status error is a pass, a crash, hang or sanitizer report a failure.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aqueduct::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// This process's scratch folder (created once, named by the pid).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("aqueduct-fuzz-" + std::to_string(static_cast<long>(::getpid())));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(
          std::filesystem::temp_directory_path() /
              ("aqueduct-fuzz-" + std::to_string(static_cast<long>(::getpid()))),
          ec);
    });
    return d;
  }();
  return dir;
}

// Writes `bytes` to scratch_dir()/name (replacing it) for entry points that
// read files, and returns the path.
inline std::string write_scratch(std::string_view name, std::string_view bytes) {
  auto path = scratch_dir() / std::string(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

// Splits the input at the first byte 0: a selector or a second document.
inline std::pair<std::string_view, std::string_view> split_at_nul(std::string_view in) {
  auto z = in.find('\0');
  if (z == std::string_view::npos) return {in, {}};
  return {in.substr(0, z), in.substr(z + 1)};
}

// Inputs that start with a line naming one of `names` (a reader, a format):
// that name (an unknown one picks by the line's first byte) and the rest.
inline std::pair<std::string, std::string_view> pick_by_first_line(
    std::string_view in, const std::vector<std::string>& names) {
  auto nl = in.find('\n');
  std::string_view first = nl == std::string_view::npos ? in : in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  std::string picked =
      names[first.empty() ? 0 : static_cast<unsigned char>(first[0]) % names.size()];
  for (const auto& n : names) {
    if (n == first) picked = n;
  }
  return {picked, rest};
}

// Inputs that are a sequence of calls: opcode bytes and (u16 big-endian
// length, message) pairs; a length past the end takes what is left.
struct Cursor {
  const std::uint8_t* p;
  std::size_t n;
  bool take(std::size_t k, std::string_view* out) {
    if (k > n) return false;
    *out = {reinterpret_cast<const char*>(p), k};
    p += k;
    n -= k;
    return true;
  }
  bool byte(std::uint8_t* b) {
    if (n == 0) return false;
    *b = *p++;
    --n;
    return true;
  }
  std::string_view message() {
    std::uint8_t hi = 0, lo = 0;
    std::string_view m;
    if (!byte(&hi) || !byte(&lo)) return {};
    std::size_t len = (static_cast<std::size_t>(hi) << 8) | lo;
    if (!take(len, &m)) take(n, &m);
    return m;
  }
};

// A protobuf message from bytes; the default message when they do not parse.
template <class M>
M parse_or_default(std::string_view bytes) {
  M m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) m.Clear();
  return m;
}

}  // namespace aqueduct::fuzz
