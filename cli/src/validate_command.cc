#include <filesystem>
#include <iostream>

#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/calibration.h"
#include "aqueduct/sim/cluster_file.h"
#include "aqueduct/sim/experiment.h"
#include "aqueduct/sim/trace.h"
#include "commands.h"

namespace aqueduct::cli {
namespace {

// Experiment and Cluster files say so in their kind; everything else is
// Fluid/Kubernetes YAML.
bool looks_like_experiment(const std::string& text) {
  return text.find("kind: Experiment") != std::string::npos;
}
bool looks_like_calibration(const std::string& text) {
  return text.find("kind: Calibration") != std::string::npos;
}
bool looks_like_cluster(const std::string& text) {
  return text.find("kind: Cluster\n") != std::string::npos ||
         text.find("kind: Cluster\r") != std::string::npos;
}

}  // namespace

int run_validate(const std::vector<std::string>& files, bool quiet, bool lenient) {
  const core::LoadOptions options{lenient};
  core::Diagnostics all;
  for (const auto& file : files) {
    core::Diagnostics diags;
    auto text = core::read_text_file(file);
    if (!text.ok()) {
      diags.error(core::SourcePos{file, 0, 0}, "", text.status().message());
    } else if (looks_like_experiment(*text)) {
      std::string base = std::filesystem::path(file).parent_path().string();
      auto plan = sim::load_experiment_yaml(*text, file, base, diags, options);
      if (plan.ok()) {
        for (const auto& s : plan->scenarios) {
          if (!s.workload.trace) continue;
          auto trace = sim::read_trace(*s.workload.trace);
          if (!trace.ok()) {
            diags.error(core::SourcePos{file, 0, 0}, "spec.workload.trace",
                        trace.status().message());
          } else {
            for (const auto& row : trace->skipped) {
              diags.warning(core::SourcePos{s.workload.trace->file, static_cast<int>(row.line), 1},
                            "", row.reason + " (row will be skipped)");
            }
          }
          break;  // scenarios share the trace unless overridden; checking one is enough
        }
      }
    } else if (looks_like_calibration(*text)) {
      (void)sim::load_calibration_file(file, diags);
    } else if (looks_like_cluster(*text)) {
      (void)sim::load_cluster_file(file, diags, options);
    } else {
      auto objs = core::load_fluid_yaml(*text, file, diags);
      core::check_references(objs, diags, /*complete=*/false);
    }
    for (const auto& line : diags.report_lines()) std::cerr << line << "\n";
    all.append(diags);
  }
  if (!quiet) {
    std::cerr << files.size() << (files.size() == 1 ? " file" : " files") << ": "
              << all.error_count() << " error(s), " << all.warning_count() << " warning(s)\n";
  }
  if (all.error_count() > 0) return kExitErrors;
  if (all.warning_count() > 0) return kExitWarnings;
  return kExitOk;
}

}  // namespace aqueduct::cli
