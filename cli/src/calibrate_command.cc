// `aqueduct calibrate`: runs calibration cases and prints one row per target.
#include <fmt/core.h>
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
  const double a = std::abs(v);
  return a != 0 && (a >= 1e6 || a < 1e-3) ? fmt::format("{:.4g}", v) : fmt::format("{:.4f}", v);
}

// One line of the table: the header, or a target's row.
void print_row(const std::string& c, const std::string& target, const std::string& metric,
               const std::string& published, const std::string& measured, const std::string& error,
               const std::string& tolerance, const std::string& verdict) {
  fmt::print("{:<26} {:<22} {:<16} {:>12} {:>12} {:>9} {:>9}  {}\n", c, target, metric, published,
             measured, error, tolerance, verdict);
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
    print_row("case", "target", "metric", "published", "measured", "error", "tolerance", "verdict");
  int misses = 0, failures = 0;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& c : cases) {
    auto r = sim::run_calibration(c);
    if (!r.ok()) {
      fmt::print(stderr, "{}: {}\n", c.file, r.status().message());
      ++failures;
      continue;
    }
    for (const auto& row : *r) {
      std::string err = row.relative ? figure(100 * row.error) + "%" : figure(row.error);
      std::string tol = row.relative ? figure(100 * row.tolerance) + "%" : figure(row.tolerance);
      if (table) {
        print_row(row.case_name, row.target, row.metric, figure(row.published),
                  figure(row.measured), err, tol, row.pass ? "ok" : "MISS");
      }
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
  fmt::print(table ? stdout : stderr, "{} targets, {} missed{}\n", rows.size(), misses,
             failures ? fmt::format(", {} cases failed to run", failures) : "");
  if (failures) return kExitErrors;
  return misses ? 1 : 0;
}

}  // namespace aqueduct::cli
