// Every YAML example in docs/ (fenced ```yaml blocks that are Kubernetes or
// experiment objects) and every .yaml file under examples/ validates cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "commands.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::read_file;
using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;
namespace fs = std::filesystem;

std::vector<fs::path> files_under(const std::string& rel, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(source_path(rel))) {
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DocsExamples, ExampleFilesValidate) {
  auto files = files_under("examples", ".yaml");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    ::testing::internal::CaptureStderr();
    int rc = run_validate({f.string()}, true);
    std::string err = ::testing::internal::GetCapturedStderr();
    // Trace rows an example asks to skip (onBadRow: skip) are listed as
    // warnings; nothing else may be.
    bool only_skipped_rows = rc == kExitWarnings;
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);)
      only_skipped_rows =
          only_skipped_rows && line.find("(row will be skipped)") != std::string::npos;
    if (!only_skipped_rows) {
      EXPECT_EQ(rc, kExitOk) << f << "\n" << err;
    }
  }
}

TEST(DocsExamples, YamlBlocksInDocsValidate) {
  TempDir dir;
  int checked = 0;
  for (const auto& md : files_under("docs", ".md")) {
    std::istringstream in(read_file(md.string()));
    std::string line, block;
    bool inside = false;
    int start = 0, n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!inside && line.rfind("```yaml", 0) == 0) {
        inside = true;
        block.clear();
        start = n + 1;
        continue;
      }
      if (inside && line.rfind("```", 0) == 0) {
        inside = false;
        if (block.find("apiVersion:") == std::string::npos) continue;  // a fragment, not an object
        // Experiment and Calibration blocks may name files relative to docs/: validate them in
        // place.
        std::string name = md.stem().string() + "-" + std::to_string(start) + ".yaml";
        fs::path target = block.find("kind: Experiment") != std::string::npos ||
                                  block.find("kind: Calibration") != std::string::npos
                              ? fs::path(source_path("docs")) / (".check-" + name)
                              : dir.path() / name;
        std::ofstream(target) << block;
        ::testing::internal::CaptureStderr();
        int rc = run_validate({target.string()}, true);
        std::string err = ::testing::internal::GetCapturedStderr();
        if (target.parent_path() != dir.path()) fs::remove(target);
        EXPECT_EQ(rc, kExitOk) << md << " block at line " << start << "\n" << err;
        ++checked;
        continue;
      }
      if (inside) block += line + "\n";
    }
  }
  EXPECT_GE(checked, 2) << "docs should carry YAML examples";
}

}  // namespace
}  // namespace aqueduct::cli
