// Calibration: published results the simulator must reproduce. A case is a
// folder with an ordinary experiment file and a `calibration.yaml` (kind
// Calibration) that cites the source, says how the experiment was set up
// from it, and lists targets: a metric of one scenario (or the ratio of two),
// the published figure, a tolerance and why that tolerance. `aqueduct
// calibrate` runs every case; a target outside its tolerance is a failure,
// like a failing test (docs/calibration.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/status.h"
#include "aqueduct/sim/cluster_run.h"

namespace aqueduct::sim {

struct CalibrationTarget {
  std::string name;
  std::string scenario;
  // job-throughput (bytes/s over the job's run, start-up excluded), job-jct
  // (s), job-hit-ratio, hit-ratio, mean-jct (s), p95-jct (s), makespan (s).
  std::string metric;
  std::string job;       // for job-* metrics
  std::string ratio_to;  // when set: metric(scenario) / metric(ratio_to)
  double published = 0;  // in the metric's base unit
  double tolerance = 0;
  bool relative = true;  // tolerance is a fraction of `published`; else absolute
  std::string why;
  core::SourcePos pos;
};

struct CalibrationCase {
  std::string name;
  std::string file;
  std::string experiment;  // resolved path
  std::string citation;
  std::string result;  // the published figure, in the source's words
  std::string setup;   // hardware, and how compute rates were set
  std::vector<CalibrationTarget> targets;
};

struct CalibrationRow {
  std::string case_name;
  std::string target;
  std::string metric;
  double published = 0;
  double measured = 0;
  double error = 0;  // relative or absolute, as the target's tolerance
  double tolerance = 0;
  bool relative = true;
  bool pass = false;
};

core::Result<CalibrationCase> load_calibration_file(const std::string& path,
                                                    core::Diagnostics& diags);
// The same from text already read: `path` names it in messages, the
// experiment it names is found relative to `base_dir`.
core::Result<CalibrationCase> load_calibration_yaml(const std::string& text,
                                                    const std::string& path,
                                                    const std::string& base_dir,
                                                    core::Diagnostics& diags);

// Runs the scenarios the targets need (each once) and measures every target.
core::Result<std::vector<CalibrationRow>> run_calibration(const CalibrationCase& c,
                                                          const RunOptions& options = {});

// The metric names, for help text and validation.
std::vector<std::string> calibration_metrics();

}  // namespace aqueduct::sim
