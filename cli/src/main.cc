// aqueduct: the single command-line entry point; subcommands are thin wiring
// over the libraries.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Aqueduct: data-aware scheduling and caching for data-intensive jobs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aqueduct 0.1.0");

  std::vector<std::string> files;
  bool quiet = false;
  auto* validate = app.add_subcommand(
      "validate",
      "Check Fluid YAML (Dataset, runtimes, DataLoad, workloads) or experiment files.\n"
      "Exit status: 0 no problems, 1 warnings only, 2 errors.");
  validate->add_option("files", files, "YAML files")
      ->required()
      ->check(CLI::ExistingFile | CLI::NonexistentPath);
  validate->add_flag("-q,--quiet", quiet, "no summary line");

  auto* simc = app.add_subcommand("sim", "Simulate experiments");
  simc->require_subcommand(1);
  aqueduct::cli::SimRunArgs sargs;
  std::uint64_t seed = 0;
  auto* run = simc->add_subcommand("run", "Run an experiment file (every scenario in it)");
  run->add_option("experiment", sargs.experiment, "experiment YAML")->required();
  run->add_option("--out", sargs.out_dir, "output folder (default out/<experiment name>)");
  auto* seed_opt = run->add_option("--seed", seed, "override the experiment seed");
  run->add_option("--scenario", sargs.scenarios, "run only these scenarios");
  run->add_flag("-q,--quiet", sargs.quiet, "print only the summary table");
  run->add_flag("!--no-progress", sargs.progress, "no progress line");

  aqueduct::cli::ScheduleArgs schargs;
  auto* sched = app.add_subcommand(
      "schedule",
      "Place pods on a described cluster and print each placement (with --explain the per-plugin\n"
      "scores, and the affinity Fluid injects), or why a pod is unschedulable.\n"
      "Exit status: 0 all placed, 1 some unschedulable, 2 bad input.");
  sched->add_option("--cluster", schargs.cluster, "Cluster YAML (nodes, caches, scheduler profile)")
      ->required();
  sched->add_option("-f,--file", schargs.objects, "Fluid/workload YAML with the pods to place")
      ->required();
  sched->add_flag("--explain", schargs.explain, "show scores per plugin for the best nodes");
  sched->add_flag("--gang", schargs.gang, "place each workload's pods all or none");
  sched->add_option("--top", schargs.top, "nodes shown per pod with --explain (default 5)");

  CLI11_PARSE(app, argc, argv);
  if (sched->parsed()) return aqueduct::cli::run_schedule(schargs);
  if (validate->parsed()) return aqueduct::cli::run_validate(files, quiet);
  if (run->parsed()) {
    if (*seed_opt) sargs.seed = seed;
    return aqueduct::cli::run_sim(sargs);
  }
  return 2;
}
