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

}  // namespace aqueduct::fuzz
