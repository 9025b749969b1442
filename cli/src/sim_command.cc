#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "aqueduct/core/time.h"
#include "aqueduct/core/version.h"
#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/experiment.h"
#include "commands.h"
#include "input_files.h"
#include "output_format.h"
#include "python_plots.h"

namespace aqueduct::cli {
namespace {

namespace fs = std::filesystem;

// Marks a folder as written by `sim run` and records what wrote it.
constexpr const char* kRunRecord = "run.json";

// Makes `dir` ready for a run's results: created when missing; an earlier
// run's results are replaced only with `force`; a folder that holds anything
// else is never touched. Returns an error message, or "" when ready.
std::string prepare_output(const std::string& dir, bool force) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      return dir + " exists and is not a folder; choose another --out";
    if (!fs::exists(fs::path(dir) / kRunRecord, ec)) {
      return dir + " is not empty and holds no results of `aqueduct sim run` (no " +
             std::string(kRunRecord) + "); choose another --out";
    }
    if (!force) {
      return dir + " already holds the results of an earlier run; pass --force to replace them, " +
             "or --out for another folder";
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    if (ec) return dir + ": cannot remove the earlier results: " + ec.message();
  }
  fs::create_directories(dir, ec);
  if (ec) return dir + ": cannot create the output folder: " + ec.message();
  return "";
}

std::string run_record(const SimRunArgs& args, const std::vector<sim::ExperimentSpec>& runs) {
  nlohmann::ordered_json j;
  j["aqueduct_version"] = core::version();
  j["commit"] = core::commit();
  j["build"] = core::build_info();
  j["experiment"] = args.experiment;
  j["seed_override"] = args.seed ? nlohmann::ordered_json(*args.seed) : nlohmann::ordered_json();
  j["scenarios"] = nlohmann::ordered_json::array();
  for (const auto& s : runs) j["scenarios"].push_back({{"name", s.scenario}, {"seed", s.seed}});
  return j.dump(2) + "\n";
}

}  // namespace

int run_sim(const SimRunArgs& args) {
  core::Diagnostics diags;
  InputFiles inputs(std::cin);
  const std::string name = input_name(args.experiment);
  auto text = inputs.read(args.experiment);
  if (!text.ok()) {
    std::cerr << "error: " << name << ": " << text.status().message() << "\n";
    return 2;
  }
  // Relative paths resolve against the file's folder; from stdin, the working folder.
  const std::string base = args.experiment == kStdinPath
                               ? std::string()
                               : fs::path(args.experiment).parent_path().string();
  auto plan = sim::load_experiment_yaml(*text, name, base, diags, {args.lenient});
  for (const auto& line : diags.report_lines()) std::cerr << line << "\n";
  if (!plan.ok()) {
    if (diags.all().empty()) std::cerr << "error: " << plan.status().message() << "\n";
    return 2;
  }
  std::vector<sim::ExperimentSpec> runs;
  for (const auto& s : plan->scenarios) {
    if (!args.scenarios.empty() && std::find(args.scenarios.begin(), args.scenarios.end(),
                                             s.scenario) == args.scenarios.end()) {
      continue;
    }
    runs.push_back(s);
    if (args.seed) runs.back().seed = *args.seed;
  }
  if (runs.empty()) {
    std::cerr << "error: no scenario matches --scenario; the experiment has:";
    for (const auto& s : plan->scenarios) std::cerr << " " << s.scenario;
    std::cerr << "\n";
    return 2;
  }
  std::string out_dir = args.out_dir.empty() ? "out/" + plan->name : args.out_dir;
  if (std::string why = prepare_output(out_dir, args.force); !why.empty()) {
    std::cerr << "error: " << why << "\n";
    return 2;
  }
  {
    std::ofstream record(fs::path(out_dir) / kRunRecord);
    record << run_record(args, runs);
    if (!record) {
      std::cerr << "error: " << out_dir << "/" << kRunRecord << ": cannot write\n";
      return 2;
    }
  }
  const bool tty = args.progress && !args.quiet && isatty(STDERR_FILENO);
  std::vector<sim::RunResult> results;
  for (const auto& spec : runs) {
    auto wall_start = std::chrono::steady_clock::now();
    sim::RunOptions opts;
    if (tty) {
      opts.progress = [&, last = -1.0](double frac, core::Time now, std::uint64_t events) mutable {
        double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        if (wall - last < 0.1 && frac < 1.0) return;  // at most ten updates a second
        last = wall;
        fmt::print(stderr, "\r[{}/{}] {:5.1f}%  simulated {}  {} events  {:.1f}s   ", plan->name,
                   spec.scenario, 100 * frac, core::format_duration(now), events, wall);
      };
    }
    auto r = sim::run_experiment(spec, opts);
    if (tty) fmt::print(stderr, "\r\033[K");
    if (!r.ok()) {
      std::cerr << "error: scenario " << spec.scenario << ": " << r.status().message() << "\n";
      return 2;
    }
    std::string dir = out_dir + "/" + spec.scenario;
    core::Status st = sim::write_results(*r, dir);
    if (!st.is_ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return 2;
    }
    for (const auto& reason : r->summary.skipped_reasons) {
      std::cerr << "warning: " << spec.workload.trace->file << ": skipped " << reason << "\n";
    }
    const auto listed = static_cast<std::int64_t>(r->summary.skipped_reasons.size());
    if (r->summary.trace_rows_skipped > listed) {
      std::cerr << "warning: " << spec.workload.trace->file << ": ... and "
                << r->summary.trace_rows_skipped - listed
                << " more skipped rows (summary.json counts them)\n";
    }
    if (r->summary.never_placed > 0) {
      // Name the first few and why (the rest are in jobs.csv).
      std::cerr << "warning: scenario " << spec.scenario << ": " << r->summary.never_placed
                << " job(s) could never be placed; the run ended when nothing else could change";
      int shown = 0;
      for (const auto& j : r->jobs) {
        if (j.start_s >= 0 || j.last_unschedulable_reason.empty() || shown == 3) continue;
        std::cerr << (shown++ ? "; " : ": ") << j.id << " (" << j.last_unschedulable_reason << ")";
      }
      std::cerr << "\n";
    }
    if (!args.quiet) {
      double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      std::cerr << "[" << plan->name << "/" << spec.scenario << "] " << r->summary.events
                << " events, " << core::format_duration(core::from_seconds(r->summary.simulated_s))
                << " simulated in " << wall << "s -> " << dir << "\n";
    }
    results.push_back(std::move(*r));
  }
  std::string table = sim::format_summary_table(results);
  const OutputFormat format = parse_output_format(args.output);
  if (format == OutputFormat::kTable) {
    std::cout << "experiment " << plan->name << " (seed " << results[0].summary.seed << ")\n"
              << table;
  } else {
    // summary.json of every scenario, one row each.
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      rows.push_back(nlohmann::ordered_json::parse(sim::summary_json_text(r.summary)));
    }
    write_rows(rows, format, std::cout);
  }
  std::ofstream(std::filesystem::path(out_dir) / "summary.txt") << table;
  if (args.plots) {
    std::vector<std::string> py = {"run", out_dir, "--format", args.plot_formats};
    if (args.quiet) py.push_back("--quiet");
    core::Status st = run_plots(py);
    if (!st.is_ok()) std::cerr << "note: no figures: " << st.message() << "\n";
  }
  if (!args.quiet) {
    (format == OutputFormat::kTable ? std::cout : std::cerr)
        << "results: " << out_dir
        << "/<scenario>/ (jobs.csv, timeseries.csv, cache_status.csv, dataloads.csv, "
           "scaling.csv, summary.json, experiment.yaml; `aqueduct schema` describes them)\n";
  }
  return 0;
}

}  // namespace aqueduct::cli
