// `aqueduct plot OUT`: the figures of a `sim run` output folder, drawn by the
// Python package's plotting layer.
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "python_plots.h"

namespace aqueduct::cli {

int run_plot(const PlotArgs& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(args.dir, ec)) {
    std::cerr << "error: " << args.dir << ": no such folder (expected the --out folder of "
              << "`aqueduct sim run`)\n";
    return 2;
  }
  if (!fs::exists(fs::path(args.dir) / "run.json", ec)) {
    std::cerr << "error: " << args.dir << " holds no results of `aqueduct sim run` (no run.json; "
              << "give the --out folder, not a scenario's)\n";
    return 2;
  }
  std::vector<std::string> py = {"run", args.dir, "--format", args.formats};
  if (args.quiet) py.push_back("--quiet");
  core::Status st = run_plots(py);
  if (!st.is_ok()) {
    std::cerr << "error: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace aqueduct::cli
