// `aqueduct calibrate`: runs calibration cases and prints one row per target.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "aqueduct/sim/calibration.h"
#include "commands.h"
#include "output_format.h"

namespace aqueduct::cli {
namespace fs = std::filesystem;

namespace {

// Every calibration.yaml under the given paths, sorted.
std::vector<std::string> find_cases(const std::vector<std::string>& paths, std::string* error) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    if (!fs::exists(p)) {
      *error = p + ": no such file or folder";
      return {};
    }
    if (fs::is_regular_file(p)) {
      out.push_back(p);
      continue;
    }
    if (fs::exists(fs::path(p) / "calibration.yaml")) {
      out.push_back((fs::path(p) / "calibration.yaml").string());
      continue;
    }
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(p)) {
      if (e.is_regular_file() && e.path().filename() == "calibration.yaml")
        found.push_back(e.path().string());
    }
    if (found.empty()) {
      *error = p + ": no calibration.yaml in this folder or below";
      return {};
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::string figure(double v) {
  char buf[64];
  double a = std::abs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-3)) {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", v);
  }
  return buf;
}

}  // namespace

int run_calibrate(const CalibrateArgs& args) {
  std::vector<std::string> paths = args.paths;
  if (paths.empty()) paths.push_back("examples/calibration");
  std::string error;
  auto files = find_cases(paths, &error);
  if (!error.empty()) {
    std::cerr << "aqueduct calibrate: " << error << "\n";
    return kExitErrors;
  }
  std::vector<sim::CalibrationCase> cases;
  bool bad = false;
  for (const auto& f : files) {
    core::Diagnostics diags;
    auto c = sim::load_calibration_file(f, diags);
    for (const auto& line : diags.report_lines()) std::cerr << line << "\n";
    if (!c.ok()) {
      if (diags.all().empty()) std::cerr << f << ": " << c.status().message() << "\n";
      bad = true;
      continue;
    }
    cases.push_back(std::move(*c));
  }
  if (bad) return kExitErrors;
  const OutputFormat format = parse_output_format(args.output);
  const bool table = format == OutputFormat::kTable;
  if (table)
    std::printf("%-26s %-22s %-16s %12s %12s %9s %9s  %s\n", "case", "target", "metric",
                "published", "measured", "error", "tolerance", "verdict");
  int misses = 0, failures = 0;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& c : cases) {
    auto r = sim::run_calibration(c);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.file.c_str(), r.status().message().c_str());
      ++failures;
      continue;
    }
    for (const auto& row : *r) {
      std::string err = row.relative ? figure(100 * row.error) + "%" : figure(row.error);
      std::string tol = row.relative ? figure(100 * row.tolerance) + "%" : figure(row.tolerance);
      if (table)
        std::printf("%-26s %-22s %-16s %12s %12s %9s %9s  %s\n", row.case_name.c_str(),
                    row.target.c_str(), row.metric.c_str(), figure(row.published).c_str(),
                    figure(row.measured).c_str(), err.c_str(), tol.c_str(),
                    row.pass ? "ok" : "MISS");
      misses += !row.pass;
      rows.push_back({{"case", row.case_name},
                      {"target", row.target},
                      {"metric", row.metric},
                      {"published", row.published},
                      {"measured", row.measured},
                      {"error", row.error},
                      {"tolerance", row.tolerance},
                      {"relative", row.relative},
                      {"pass", row.pass}});
    }
    std::fflush(stdout);
  }
  if (!table) write_rows(rows, format, std::cout);
  std::fprintf(table ? stdout : stderr, "%zu targets, %d missed%s\n", rows.size(), misses,
               failures ? (", " + std::to_string(failures) + " cases failed to run").c_str() : "");
  if (failures) return kExitErrors;
  return misses ? 1 : 0;
}

}  // namespace aqueduct::cli
