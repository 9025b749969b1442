// Trace readers: turn a job/pod trace file into TraceJob rows. Readers:
//  - generic-csv        our documented format (docs/trace-formats.md)
//  - philly-gavel       Philly-derived job streams (Gavel's per-VC traces)
//  - pollux             Pollux/AdaptDL workloads sampled from Philly arrivals
//  - alibaba-gpu-v2023  Alibaba "openb" pod lists (creation/deletion times)
// Every malformed row is reported with file:line: either the read fails at the
// first one, or (skip mode) it is counted with its reason. Rows are never
// dropped silently.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {

struct TraceJob {
  std::string id;
  double arrival_s = 0;
  double gpus = 0;                // may be fractional (GPU sharing)
  std::int64_t cpu_milli = 0;     // 0: from the application
  std::int64_t memory_bytes = 0;  // 0: from the application
  std::string application;        // empty: the default application
  std::string dataset;            // empty: the application's
  std::int32_t epochs = 0;        // 0: the application's
  bool has_duration = false;      // the trace gives the job's run time
  double duration_s = 0;          // that compute-bound run time (may be 0)
  std::string job_type;           // philly-gavel: Gavel's job type with its batch size
  double steps = -1;              // philly-gavel: total_steps (-1: not given)
  // philly-gavel: its throughput on each worker type of the table over the
  // reference type's (workload.trace.workerType).
  std::map<std::string, double> speed_by_type;
  std::int64_t line = 0;
};

struct SkippedRow {
  std::int64_t line = 0;
  std::string reason;
};

struct TraceData {
  std::vector<TraceJob> jobs;  // sorted by (arrival, line)
  std::vector<SkippedRow> skipped;
  std::int64_t rows = 0;            // data rows seen (excluding the header)
  std::int64_t outside_window = 0;  // valid rows left out by the window or maxJobs
};

core::Result<TraceData> read_trace(const TraceSpec& spec);

// The reader names, for help text and validation.
std::vector<std::string> trace_reader_names();

}  // namespace aqueduct::sim
