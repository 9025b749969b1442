// What a simulated run produces: one record per job, a time series sampled at
// the experiment's interval, and a summary. Writers put them in a folder as
// the CSV files and summary.json described by result_schema.h; all
// deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {

struct JobRecord {
  std::string id;
  std::string application;
  std::string dataset;  // "namespace/name" or ""
  double gpus = 0;
  std::int32_t pods = 1;
  double arrival_s = 0;
  double start_s = -1;  // -1: never started
  double end_s = -1;    // -1: did not finish before the horizon
  std::int64_t bytes_from_cache = 0;
  std::int64_t bytes_from_store = 0;       // object store or file server
  std::int64_t bytes_from_page_cache = 0;  // file-server blocks a node's page cache held
  std::string nodes;                       // node names, ';'-separated, one per pod
  std::string last_unschedulable_reason;
  double startup_s = 0;              // image pull (ECS) or cold start (ECI) before the work began
  std::int32_t preemptions = 0;      // times the job policy stopped it
  double preemption_overhead_s = 0;  // checkpoint and restart time those cost

  bool completed() const { return end_s >= 0; }
  double jct_s() const { return completed() ? end_s - arrival_s : -1; }
  double queue_s() const { return start_s >= 0 ? start_s - arrival_s : -1; }
};

struct Sample {
  double time_s = 0;
  double gpu_allocation = 0;  // allocated / allocatable GPUs
  double cpu_allocation = 0;
  std::int32_t running_jobs = 0;
  std::int32_t pending_jobs = 0;
  std::int64_t cache_used_bytes = 0;
  std::int64_t cache_capacity_bytes = 0;
  double hit_ratio = -1;        // bytes from cache / bytes read in the interval; -1: no reads
  double store_throughput = 0;  // bytes/s from the object store over the interval
  double cache_throughput = 0;  // bytes/s from cache workers over the interval
};

struct Summary {
  std::string experiment;
  std::string scenario;
  std::uint64_t seed = 0;
  std::string scheduler;
  std::string job_policy;  // "" when none
  std::int64_t preemptions = 0;
  std::string eviction;
  bool cache_enabled = false;
  std::int64_t jobs = 0;
  std::int64_t completed = 0;
  // Jobs still pending when the run ended because nothing could change any
  // more (each one's reason is in its job record); 0 for a run that finished.
  std::int64_t never_placed = 0;
  double mean_jct_s = 0;
  double p50_jct_s = 0;
  double p95_jct_s = 0;
  double p99_jct_s = 0;
  double mean_queue_s = 0;
  double makespan_s = 0;
  std::int64_t bytes_from_cache = 0;
  std::int64_t bytes_from_store = 0;
  std::int64_t bytes_from_page_cache = 0;
  double hit_ratio = 0;  // of all bytes read, the share the cache runtimes served
  std::int64_t dataload_bytes = 0;
  double node_cost = 0;  // sum of node price x makespan hours
  std::uint64_t events = 0;
  // Of `events`, those that re-solved bandwidth for flows started at one
  // instant (the rest are the model's own: arrivals, latencies, completions).
  std::uint64_t flow_resolve_events = 0;
  double simulated_s = 0;
  std::int64_t trace_rows = 0;
  std::int64_t trace_rows_skipped = 0;
  std::int64_t trace_rows_outside_window = 0;
  std::int64_t cache_worker_moves = 0;  // joint placement moving cold workers
  double cache_cost = 0;                // cache workers: the share of their nodes' price
  double eci_cost = 0;                  // serverless pods, per second on their requests
  double sidecar_linger_s = 0;          // ECI pod-seconds billed after their apps ended
  std::int64_t scale_ups = 0, scale_downs = 0;
  std::int64_t migrated_bytes = 0;           // moved to surviving workers on scale-in
  std::vector<std::string> skipped_reasons;  // "line N: reason", first 20
};

// What Fluid reports per dataset (status.cacheStates), sampled over time.
struct CacheStatusSample {
  double time_s = 0;
  std::string dataset;
  std::int64_t capacity_bytes = 0;  // cacheCapacity
  std::int64_t cached_bytes = 0;    // cached
  double cached_percentage = 0;     // cachedPercentage
  double hit_ratio = -1;            // cacheHitRatio over the interval; -1: no reads
};

// One run of a DataLoad (Fluid phases: Executing, then Complete).
struct DataLoadRecord {
  std::string name;     // "namespace/name"
  std::string dataset;  // "namespace/name"
  std::string policy;   // Once or Cron
  int run = 1;
  std::string phase;
  double start_s = 0;
  double end_s = -1;              // -1: still executing at the end of the run
  std::int64_t bytes_loaded = 0;  // read from the store into the cache
};

// An autoscaler's change of a runtime's desired replicas.
struct ScaleRecord {
  double time_s = 0;
  std::string runtime;
  std::int32_t from = 0, to = 0;
  std::string reason;
};

struct RunResult {
  std::vector<JobRecord> jobs;
  std::vector<ScaleRecord> scale_events;
  std::vector<DataLoadRecord> dataloads;
  std::vector<CacheStatusSample> cache_status;
  std::vector<Sample> samples;
  Summary summary;
  // The experiment that produced this run, as one self-contained YAML file
  // (resolved_experiment_yaml); empty when the run had no source.
  std::string resolved_experiment;
};

// Writes the tables of result_schema.h as CSV files, summary.json and the
// resolved experiment (experiment.yaml) into `dir`, creating it. Plots are
// drawn from these files by the Python package (aqueduct.plots).
core::Status write_results(const RunResult& r, const std::string& dir);

// summary.json's text: one flat object, the columns of schema::summary().
std::string summary_json_text(const Summary& s);

// A fixed-width table, one row per run, and speedups of later runs over the first.
std::string format_summary_table(const std::vector<RunResult>& runs);

}  // namespace aqueduct::sim
