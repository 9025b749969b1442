// The replay driver: a fuzz target without libFuzzer. Runs
// LLVMFuzzerTestOneInput once over every file named on the command line,
// descending into folders (sorted, so runs are repeatable), and prints how
// many it ran. A crash is the test's failure; so is an empty input set, so
// that a corpus path that went missing cannot pass silently.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void collect(const std::filesystem::path& p, std::vector<std::filesystem::path>& out) {
  if (std::filesystem::is_directory(p)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
  } else if (std::filesystem::is_regular_file(p)) {
    out.push_back(p);
  } else {
    std::fprintf(stderr, "replay: %s: no such file or folder\n", p.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  bool missing = false;
  for (int i = 1; i < argc; ++i) {
    std::size_t before = files.size();
    collect(argv[i], files);
    missing |= files.size() == before;
  }
  std::sort(files.begin(), files.end());
  if (files.empty() || missing) {
    std::fprintf(stderr, "replay: an input path holds no files\n");
    return 1;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", f.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
