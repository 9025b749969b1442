#include "aqueduct/sim/result_schema.h"

#include <cstdio>

#include "aqueduct/core/version.h"

namespace aqueduct::sim::schema {
namespace {

Cell some(double v) { return v; }
Cell some(std::int64_t v) { return v; }
Cell text(const std::string& s) { return s; }
// Times and ratios that may not exist (a job that never started, an
// interval without reads) are missing, never a sentinel value.
Cell time_or_missing(double t) { return t >= 0 ? Cell(t) : Cell(); }
Cell ratio(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? Cell(static_cast<double>(part) / static_cast<double>(whole)) : Cell();
}

std::int64_t read_bytes(const JobRecord& j) {
  return j.bytes_from_cache + j.bytes_from_store + j.bytes_from_page_cache;
}

const std::vector<Column<JobRecord>>& job_columns() {
  using J = JobRecord;
  static const std::vector<Column<J>> c = {
      {"job_id", Type::kString, "", "the trace's job id", 0, [](const J& j) { return text(j.id); }},
      {"application", Type::kString, "", "the application profile the job runs", 0,
       [](const J& j) { return text(j.application); }},
      {"dataset", Type::kString, "", "namespace/name of the dataset it reads; empty: none", 0,
       [](const J& j) { return text(j.dataset); }},
      {"gpus", Type::kFloat, "GPU", "GPUs requested over all pods", 3,
       [](const J& j) { return some(j.gpus); }},
      {"pods", Type::kInt, "", "pods in the job's gang", 0,
       [](const J& j) { return some(std::int64_t{j.pods}); }},
      {"arrival_s", Type::kFloat, "s", "submission time", 3,
       [](const J& j) { return some(j.arrival_s); }},
      {"start_s", Type::kFloat, "s", "when its pods were bound; missing: never started", 3,
       [](const J& j) { return time_or_missing(j.start_s); }},
      {"end_s", Type::kFloat, "s", "completion time; missing: not finished by the end of the run",
       3, [](const J& j) { return time_or_missing(j.end_s); }},
      {"jct_s", Type::kFloat, "s", "job completion time, end - arrival; missing: not finished", 3,
       [](const J& j) { return j.completed() ? Cell(j.jct_s()) : Cell(); }},
      {"queue_s", Type::kFloat, "s", "time queued, start - arrival; missing: never started", 3,
       [](const J& j) { return j.start_s >= 0 ? Cell(j.queue_s()) : Cell(); }},
      {"bytes_from_cache", Type::kInt, "B", "bytes read from cache workers", 0,
       [](const J& j) { return some(j.bytes_from_cache); }},
      {"bytes_from_store", Type::kInt, "B", "bytes read from the object store or file server", 0,
       [](const J& j) { return some(j.bytes_from_store); }},
      {"hit_ratio", Type::kFloat, "", "bytes_from_cache / all bytes read; missing: read nothing", 6,
       [](const J& j) { return ratio(j.bytes_from_cache, read_bytes(j)); }},
      {"nodes", Type::kString, "", "the node of each pod, ';'-separated", 0,
       [](const J& j) { return text(j.nodes); }},
      {"unschedulable_reason", Type::kString, "",
       "the scheduler's last reason it could not place the job; empty: none", 0,
       [](const J& j) { return text(j.last_unschedulable_reason); }},
      {"startup_s", Type::kFloat, "s", "image pull (ECS) or cold start (ECI) before work began", 3,
       [](const J& j) { return some(j.startup_s); }},
      {"bytes_from_page_cache", Type::kInt, "B", "file-server bytes a node's page cache held", 0,
       [](const J& j) { return some(j.bytes_from_page_cache); }},
      {"preemptions", Type::kInt, "", "times the job policy preempted it", 0,
       [](const J& j) { return some(static_cast<std::int64_t>(j.preemptions)); }},
      {"preemption_overhead_s", Type::kFloat, "s",
       "checkpoint and restart time its preemptions cost", 3,
       [](const J& j) { return some(j.preemption_overhead_s); }},
      {"completed", Type::kBool, "", "finished before the end of the run", 0,
       [](const J& j) { return Cell(j.completed()); }},
  };
  return c;
}

const std::vector<Column<Sample>>& timeseries_columns() {
  using S = Sample;
  static const std::vector<Column<S>> c = {
      {"time_s", Type::kFloat, "s", "end of the sampling interval", 3,
       [](const S& s) { return some(s.time_s); }},
      {"gpu_allocation", Type::kFloat, "", "allocated / allocatable GPUs (0..1)", 6,
       [](const S& s) { return some(s.gpu_allocation); }},
      {"cpu_allocation", Type::kFloat, "", "allocated / allocatable CPUs (0..1)", 6,
       [](const S& s) { return some(s.cpu_allocation); }},
      {"running_jobs", Type::kInt, "", "jobs running", 0,
       [](const S& s) { return some(std::int64_t{s.running_jobs}); }},
      {"pending_jobs", Type::kInt, "", "jobs waiting to be placed", 0,
       [](const S& s) { return some(std::int64_t{s.pending_jobs}); }},
      {"cache_used_bytes", Type::kInt, "B", "bytes held by cache workers", 0,
       [](const S& s) { return some(s.cache_used_bytes); }},
      {"cache_capacity_bytes", Type::kInt, "B", "cache workers' capacity", 0,
       [](const S& s) { return some(s.cache_capacity_bytes); }},
      {"hit_ratio", Type::kFloat, "",
       "bytes from cache / bytes read in the interval; missing: no reads", 6,
       [](const S& s) { return s.hit_ratio >= 0 ? Cell(s.hit_ratio) : Cell(); }},
      {"store_throughput_Bps", Type::kFloat, "B/s", "object-store read rate over the interval", 1,
       [](const S& s) { return some(s.store_throughput); }},
      {"cache_throughput_Bps", Type::kFloat, "B/s", "cache-worker read rate over the interval", 1,
       [](const S& s) { return some(s.cache_throughput); }},
  };
  return c;
}

const std::vector<Column<CacheStatusSample>>& cache_status_columns() {
  using C = CacheStatusSample;
  static const std::vector<Column<C>> c = {
      {"time_s", Type::kFloat, "s", "sample time", 3, [](const C& x) { return some(x.time_s); }},
      {"dataset", Type::kString, "", "namespace/name", 0,
       [](const C& x) { return text(x.dataset); }},
      {"cache_capacity_bytes", Type::kInt, "B", "Fluid's cacheCapacity", 0,
       [](const C& x) { return some(x.capacity_bytes); }},
      {"cached_bytes", Type::kInt, "B", "Fluid's cached", 0,
       [](const C& x) { return some(x.cached_bytes); }},
      {"cached_percentage", Type::kFloat, "%", "Fluid's cachedPercentage (0..100)", 3,
       [](const C& x) { return some(x.cached_percentage); }},
      {"cache_hit_ratio", Type::kFloat, "",
       "Fluid's cacheHitRatio over the interval; missing: no reads", 6,
       [](const C& x) { return x.hit_ratio >= 0 ? Cell(x.hit_ratio) : Cell(); }},
  };
  return c;
}

const std::vector<Column<DataLoadRecord>>& dataload_columns() {
  using D = DataLoadRecord;
  static const std::vector<Column<D>> c = {
      {"dataload", Type::kString, "", "namespace/name of the DataLoad", 0,
       [](const D& d) { return text(d.name); }},
      {"dataset", Type::kString, "", "namespace/name of the dataset it loads", 0,
       [](const D& d) { return text(d.dataset); }},
      {"policy", Type::kString, "", "Once or Cron", 0, [](const D& d) { return text(d.policy); }},
      {"run", Type::kInt, "", "1 for the first run, then one more per Cron firing", 0,
       [](const D& d) { return some(std::int64_t{d.run}); }},
      {"phase", Type::kString, "", "Fluid's phase at the end of the run (Executing, Complete)", 0,
       [](const D& d) { return text(d.phase); }},
      {"start_s", Type::kFloat, "s", "when the run began", 3,
       [](const D& d) { return some(d.start_s); }},
      {"end_s", Type::kFloat, "s", "when it completed; missing: still executing", 3,
       [](const D& d) { return time_or_missing(d.end_s); }},
      {"duration_s", Type::kFloat, "s", "end - start; missing: still executing", 3,
       [](const D& d) { return d.end_s >= 0 ? Cell(d.end_s - d.start_s) : Cell(); }},
      {"bytes_loaded", Type::kInt, "B", "bytes read from the store into the cache", 0,
       [](const D& d) { return some(d.bytes_loaded); }},
  };
  return c;
}

const std::vector<Column<ScaleRecord>>& scaling_columns() {
  using R = ScaleRecord;
  static const std::vector<Column<R>> c = {
      {"time_s", Type::kFloat, "s", "decision time", 3, [](const R& r) { return some(r.time_s); }},
      {"runtime", Type::kString, "", "namespace/name of the runtime", 0,
       [](const R& r) { return text(r.runtime); }},
      {"from", Type::kInt, "", "replicas before", 0,
       [](const R& r) { return some(std::int64_t{r.from}); }},
      {"to", Type::kInt, "", "replicas after", 0,
       [](const R& r) { return some(std::int64_t{r.to}); }},
      {"reason", Type::kString, "", "the autoscaler's reason", 0,
       [](const R& r) { return text(r.reason); }},
  };
  return c;
}

// JCT statistics exist only when some job completed.
Cell jct(const Summary& s, double v) { return s.completed > 0 ? Cell(v) : Cell(); }

const std::vector<Column<Summary>>& summary_fields() {
  using S = Summary;
  static const std::vector<Column<S>> c = {
      {"schema_version", Type::kInt, "", "version of this result model", 0,
       [](const S&) { return some(std::int64_t{kVersion}); }},
      {"aqueduct_version", Type::kString, "", "the version that produced the results", 0,
       [](const S&) { return text(std::string(core::version())); }},
      {"commit", Type::kString, "", "its git commit (\"-dirty\": modified; \"unknown\")", 0,
       [](const S&) { return text(std::string(core::commit())); }},
      {"experiment", Type::kString, "", "the experiment's name", 0,
       [](const S& s) { return text(s.experiment); }},
      {"scenario", Type::kString, "", "the scenario's name", 0,
       [](const S& s) { return text(s.scenario); }},
      {"seed", Type::kInt, "", "the random seed the run used", 0,
       [](const S& s) { return some(static_cast<std::int64_t>(s.seed)); }},
      {"scheduler", Type::kString, "", "the scheduler profile", 0,
       [](const S& s) { return text(s.scheduler); }},
      {"eviction", Type::kString, "", "the cache eviction policy", 0,
       [](const S& s) { return text(s.eviction); }},
      {"job_policy", Type::kString, "", "the job-level policy; empty: none (queue order)", 0,
       [](const S& s) { return text(s.job_policy); }},
      {"cache_enabled", Type::kBool, "", "whether cache runtimes ran", 0,
       [](const S& s) { return Cell(s.cache_enabled); }},
      {"jobs", Type::kInt, "", "jobs in the workload", 0, [](const S& s) { return some(s.jobs); }},
      {"completed", Type::kInt, "", "jobs that finished", 0,
       [](const S& s) { return some(s.completed); }},
      {"never_placed", Type::kInt, "", "jobs still pending when nothing could change any more", 0,
       [](const S& s) { return some(s.never_placed); }},
      {"preemptions", Type::kInt, "", "preemptions by the job policy, over all jobs", 0,
       [](const S& s) { return some(s.preemptions); }},
      {"mean_jct_s", Type::kFloat, "s", "mean JCT of completed jobs; missing: none completed", 3,
       [](const S& s) { return jct(s, s.mean_jct_s); }},
      {"p50_jct_s", Type::kFloat, "s", "median JCT", 3,
       [](const S& s) { return jct(s, s.p50_jct_s); }},
      {"p95_jct_s", Type::kFloat, "s", "95th percentile JCT", 3,
       [](const S& s) { return jct(s, s.p95_jct_s); }},
      {"p99_jct_s", Type::kFloat, "s", "99th percentile JCT", 3,
       [](const S& s) { return jct(s, s.p99_jct_s); }},
      {"mean_queue_s", Type::kFloat, "s", "mean queueing time of started jobs", 3,
       [](const S& s) { return some(s.mean_queue_s); }},
      {"makespan_s", Type::kFloat, "s", "first arrival to last completion", 3,
       [](const S& s) { return some(s.makespan_s); }},
      {"bytes_from_cache", Type::kInt, "B", "bytes jobs read from cache workers", 0,
       [](const S& s) { return some(s.bytes_from_cache); }},
      {"bytes_from_store", Type::kInt, "B", "bytes jobs read from stores and file servers", 0,
       [](const S& s) { return some(s.bytes_from_store); }},
      {"bytes_from_page_cache", Type::kInt, "B", "bytes served by nodes' page caches", 0,
       [](const S& s) { return some(s.bytes_from_page_cache); }},
      {"hit_ratio", Type::kFloat, "", "share of all bytes read that the cache runtimes served", 6,
       [](const S& s) { return some(s.hit_ratio); }},
      {"dataload_bytes", Type::kInt, "B", "bytes DataLoads moved into the cache", 0,
       [](const S& s) { return some(s.dataload_bytes); }},
      {"node_cost", Type::kFloat, "USD", "node price x makespan hours", 2,
       [](const S& s) { return some(s.node_cost); }},
      {"cache_cost", Type::kFloat, "USD", "cache workers' share of their nodes' price", 2,
       [](const S& s) { return some(s.cache_cost); }},
      {"eci_cost", Type::kFloat, "USD", "serverless pods, per second on their requests", 2,
       [](const S& s) { return some(s.eci_cost); }},
      {"sidecar_linger_s", Type::kFloat, "s", "ECI pod-seconds billed after their apps ended", 3,
       [](const S& s) { return some(s.sidecar_linger_s); }},
      {"cache_worker_moves", Type::kInt, "", "cold cache workers moved by joint placement", 0,
       [](const S& s) { return some(s.cache_worker_moves); }},
      {"scale_ups", Type::kInt, "", "autoscaler decisions that added workers", 0,
       [](const S& s) { return some(s.scale_ups); }},
      {"scale_downs", Type::kInt, "", "autoscaler decisions that removed workers", 0,
       [](const S& s) { return some(s.scale_downs); }},
      {"migrated_bytes", Type::kInt, "B", "bytes moved to surviving workers on scale-in", 0,
       [](const S& s) { return some(s.migrated_bytes); }},
      {"events", Type::kInt, "", "simulator events processed", 0,
       [](const S& s) { return some(static_cast<std::int64_t>(s.events)); }},
      {"flow_resolve_events", Type::kInt, "", "of events, bandwidth re-solves", 0,
       [](const S& s) { return some(static_cast<std::int64_t>(s.flow_resolve_events)); }},
      {"simulated_s", Type::kFloat, "s", "simulated time", 3,
       [](const S& s) { return some(s.simulated_s); }},
      {"trace_rows", Type::kInt, "", "rows read from the job trace", 0,
       [](const S& s) { return some(s.trace_rows); }},
      {"trace_rows_outside_window", Type::kInt, "", "rows outside the workload's time window", 0,
       [](const S& s) { return some(s.trace_rows_outside_window); }},
      {"trace_rows_skipped", Type::kInt, "", "rows skipped as invalid", 0,
       [](const S& s) { return some(s.trace_rows_skipped); }},
      {"trace_skipped_reasons", Type::kStringList, "", "\"line N: reason\" for the first 20", 0,
       [](const S& s) { return Cell(s.skipped_reasons); }},
  };
  return c;
}

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kString:
      return "string";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kBool:
      return "bool";
    case Type::kStringList:
      return "list[string]";
  }
  return "?";
}

Table<JobRecord> jobs() { return {"jobs", "one row per job", job_columns()}; }
Table<Sample> timeseries() {
  return {"timeseries", "the cluster sampled at the experiment's interval", timeseries_columns()};
}
Table<CacheStatusSample> cache_status() {
  return {"cache_status", "each dataset's cache state as Fluid reports it, sampled",
          cache_status_columns()};
}
Table<DataLoadRecord> dataloads() {
  return {"dataloads", "one row per run of a DataLoad", dataload_columns()};
}
Table<ScaleRecord> scaling() {
  return {"scaling", "one row per autoscaler change of a runtime's replicas", scaling_columns()};
}
Table<Summary> summary() { return {"summary", "the run in one object", summary_fields()}; }

std::string csv_text(const Cell& c, int decimals) {
  struct Visit {
    int decimals;
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
      return buf;
    }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& v) const {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : ";") + s;
      return out;
    }
  };
  return std::visit(Visit{decimals}, c);
}

}  // namespace aqueduct::sim::schema
