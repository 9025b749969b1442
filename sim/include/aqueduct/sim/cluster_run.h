// Runs one resolved experiment scenario on the discrete-event engine: node
// pools become nodes, Fluid runtimes become cache workers holding blocks in
// core::TieredStore, trace jobs arrive, are gang-scheduled through the
// scheduler port, and read their dataset epoch by epoch. Model:
// docs/simulation-model.md.
#pragma once

#include <cstdint>
#include <functional>

#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/elasticity/autoscaler.h"
#include "aqueduct/core/jobs/job_policy.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"
#include "aqueduct/scheduler/plugin.h"
#include "aqueduct/sim/experiment.h"
#include "aqueduct/sim/results.h"

namespace aqueduct::sim {

struct RunOptions {
  // Called every few thousand events: fraction done (0..1), simulated time,
  // events so far. For progress display only; never affects results.
  std::function<void(double fraction, core::Time now, std::uint64_t events)> progress;
  // Polled as often as `progress`; true stops the run, which then returns a
  // Cancelled-style error (e.g. a Python policy raised, or the user interrupted).
  std::function<bool()> should_stop;
  // The policy registries the experiment's names resolve against; null: the
  // built-in ones. Callers extend a copy of a built-in registry with their own.
  const scheduler::PluginRegistry* plugins = nullptr;
  const core::EvictionRegistry* evictions = nullptr;
  const core::AutoscalerRegistry* autoscalers = nullptr;
  const core::JobPolicyRegistry* job_policies = nullptr;
};

core::Result<RunResult> run_experiment(const ExperimentSpec& spec, const RunOptions& options = {});

}  // namespace aqueduct::sim
