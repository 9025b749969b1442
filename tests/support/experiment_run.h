// Runs the first scenario of an experiment written in a test, with its
// files in a temporary folder, and indexes the jobs it ran by id.
#pragma once

#include <map>
#include <string>

#include "aqueduct/sim/cluster_run.h"
#include "support/temp_dir.h"

namespace aqueduct::testing {

inline core::Result<sim::RunResult> run_first_scenario(TempDir& dir, const std::string& text,
                                                       const sim::RunOptions& options = {}) {
  core::Diagnostics d;
  auto plan = sim::load_experiment_yaml(text, dir.file("e.yaml"), dir.path().string(), d);
  if (!plan.ok()) return plan.status();
  return sim::run_experiment(plan->scenarios[0], options);
}

inline std::map<std::string, sim::JobRecord> jobs_by_id(const sim::RunResult& r) {
  std::map<std::string, sim::JobRecord> out;
  for (const auto& j : r.jobs) out[j.id] = j;
  return out;
}

}  // namespace aqueduct::testing
