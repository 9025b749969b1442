#include <filesystem>
#include <iostream>

#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/calibration.h"
#include "aqueduct/sim/cluster_file.h"
#include "aqueduct/sim/experiment.h"
#include "aqueduct/sim/trace.h"
#include "commands.h"
#include "input_files.h"
#include "output_format.h"

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

// The rows of -o json|yaml|csv: every problem, with its position and field.
nlohmann::ordered_json diagnostic_rows(const core::Diagnostics& diags, std::size_t max_rows) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& d : diags.all()) {
    if (rows.size() == max_rows) break;
    rows.push_back({{"file", d.pos.file},
                    {"line", d.pos.line},
                    {"column", d.pos.column},
                    {"severity", d.severity == core::Severity::kError ? "error" : "warning"},
                    {"field", d.field},
                    {"message", d.message}});
  }
  return rows;
}

}  // namespace

int run_validate(const ValidateArgs& args) {
  const core::LoadOptions options{args.lenient};
  const OutputFormat format = parse_output_format(args.output);
  const bool table = format == OutputFormat::kTable;
  InputFiles inputs(std::cin);
  core::Diagnostics all;
  if (auto st = check_one_stdin(args.files, "files"); !st.is_ok()) {
    std::cerr << "aqueduct validate: " << st.message() << "\n";
    return kExitErrors;
  }
  for (const auto& path : args.files) {
    core::Diagnostics diags;
    const std::string file = input_name(path);
    auto text = inputs.read(path);
    // Relative paths in a file resolve against its folder; from stdin, the working folder.
    const std::string base =
        path == kStdinPath ? std::string() : std::filesystem::path(path).parent_path().string();
    if (!text.ok()) {
      diags.error(core::SourcePos{file, 0, 0}, "", text.status().message());
    } else if (looks_like_experiment(*text)) {
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
      (void)sim::load_calibration_yaml(*text, file, base, diags);
    } else if (looks_like_cluster(*text)) {
      (void)sim::load_cluster_yaml(*text, file, diags, options);
    } else {
      auto objs = core::load_fluid_yaml(*text, file, diags);
      core::check_references(objs, diags, /*complete=*/false);
    }
    if (table) {
      for (const auto& line : diags.report_lines()) std::cerr << line << "\n";
    }
    all.append(diags);
  }
  if (!table) {
    // Bounded like the table (a million-comma line is not a million rows);
    // the count of what was left out goes to stderr.
    constexpr std::size_t kMaxRows = 10000;
    write_rows(diagnostic_rows(all, kMaxRows), format, std::cout,
               {"file", "line", "column", "severity", "field", "message"});
    if (all.all().size() > kMaxRows) {
      std::cerr << "aqueduct validate: " << all.all().size() - kMaxRows
                << " more problems not listed\n";
    }
  }
  if (!args.quiet) {
    std::cerr << args.files.size() << (args.files.size() == 1 ? " file" : " files") << ": "
              << all.error_count() << " error(s), " << all.warning_count() << " warning(s)\n";
  }
  if (all.error_count() > 0) return kExitErrors;
  if (all.warning_count() > 0) return kExitWarnings;
  return kExitOk;
}

}  // namespace aqueduct::cli
