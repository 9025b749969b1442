// Built when cairo is missing: results are written without plots.png.
#include "aqueduct/sim/results.h"

namespace aqueduct::sim {
bool plotting_available() { return false; }
core::Status write_plot(const RunResult&, const std::string& path) {
  return core::Status(core::StatusCode::kUnavailable,
                      path + ": built without cairo (install libcairo2-dev and rebuild)");
}
core::Status write_comparison_plot(const std::vector<RunResult>&, const std::string& path) {
  return write_plot(RunResult{}, path);
}
core::Status write_line_plot(const std::string&, const std::string&, const std::string&,
                             const std::vector<LineSeries>&, const std::string& path) {
  return write_plot(RunResult{}, path);
}
}  // namespace aqueduct::sim
