// Jobs as the simulator runs them: a trace row (or a generated arrival)
// resolved against the experiment's application table into pods, resources,
// a dataset, epochs and a compute rate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "aqueduct/core/model/resources.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"
#include "aqueduct/sim/experiment.h"
#include "aqueduct/sim/trace.h"

namespace aqueduct::sim {

struct JobSpec {
  std::string id;
  std::string application;
  core::Time arrival{0};
  double gpus = 0;
  std::int32_t pods = 1;
  // Input pipeline: loader workers fetching concurrently (at least one per
  // pod) and the blocks they may hold ahead of compute.
  std::int32_t loaders = 1;
  std::int32_t buffer_blocks = 2;
  core::Resources per_pod;  // requests of each pod (pods = 1 each)
  int dataset = -1;         // index into ExperimentSpec::fluid.datasets; -1: no input data
  std::int32_t epochs = 1;
  // Bytes/s the job consumes when I/O keeps up, on reference-speed nodes.
  double compute_rate = 0;
  // For jobs without input data: run time on reference-speed nodes.
  core::Duration compute_duration{0};
  bool serverless = false;
  std::vector<core::Arch> image_arches;
  // Its speed on nodes of each GPU type (aqueduct.io/gpu-type) relative to
  // the reference; types not listed run at the nodes' speedFactor.
  std::map<std::string, double> speed_by_type;
};

struct Workload {
  std::vector<JobSpec> jobs;  // by arrival, then trace order
  std::vector<SkippedRow> skipped_rows;
  std::int64_t trace_rows = 0;
  std::int64_t trace_outside_window = 0;
};

// Builds the job list from the trace or generator. `seed` feeds the
// generator's own stream ("workload.generator").
core::Result<Workload> build_workload(const ExperimentSpec& spec);

}  // namespace aqueduct::sim
