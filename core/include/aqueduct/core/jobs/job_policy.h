// Job-level scheduling: which jobs run, in which order, and which running jobs
// to preempt (the decisions Tiresias, Gavel and Themis make). A driver (the
// simulator) calls decide() on every arrival, completion and round with a
// snapshot of the queue and the running jobs, checks the answer with
// validate_job_decision(), stops the preempted jobs and then asks the
// node-level scheduler to place the queued jobs of run_order in that order
// (the first that fit start; the others wait). Policies hold only their own
// history: no clocks (time comes in the snapshot), no threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/registry.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

enum class JobStatus {
  kQueued,      // waiting: never started, or preempted and checkpointed
  kRunning,     // holds its GPUs (including while it starts or restarts)
  kSuspending,  // preempted, still holds its GPUs while it checkpoints
};
std::string_view job_status_name(JobStatus s);

struct JobObservation {
  std::string id;
  JobStatus status = JobStatus::kQueued;
  Time arrival{0};
  double gpus = 0;  // GPUs the whole job asks for (all pods)
  std::int32_t pods = 1;
  std::string dataset;        // "namespace/name", or "" for a job without input data
  double attained_gpu_s = 0;  // GPU-seconds held so far (Tiresias' attained service)
  double executed_s = 0;      // seconds it held its GPUs so far
  double progress = 0;        // share of its work done, 0..1
  // Its run time at reference speed when the trace gives it (known
  // durations, for SJF/SRTF); -1 when unknown.
  double duration_s = -1;
  double queued_since_s = 0;  // when it last entered the queue (arrival or preemption)
  std::int32_t preemptions = 0;
  double io_demand_bps = 0;  // input bytes/s it consumes at full speed (0: no input data)
  // The GPU type of the nodes it holds (running or suspending; "" when queued,
  // when its nodes carry no type or when they mix types).
  std::string gpu_type;
  // Its speed on each GPU type of the cluster, relative to its reference run
  // time (1 = as fast as the trace's run time says): from the trace's
  // per-type throughputs (Gavel's table) where it has them, else the speed
  // factor of that type's nodes.
  std::map<std::string, double, std::less<>> speed_by_type;
};

// GPUs of one type (the nodes' aqueduct.io/gpu-type label).
struct GpuTypeCapacity {
  std::string name;
  double total = 0;
  double free = 0;  // not held by running or suspending jobs
};

// The cache of one dataset (its cache runtime's workers together).
struct DatasetCacheObservation {
  std::string dataset;            // "namespace/name"
  std::int64_t size_bytes = 0;    // the dataset's size
  std::int64_t cache_bytes = 0;   // the cache's capacity now (all workers, all tiers)
  std::int64_t cached_bytes = 0;  // of the dataset, held now
  // The capacity that would hold all of it: more than size_bytes, since
  // blocks are spread unevenly over the workers and a level evicts above
  // its high watermark.
  std::int64_t full_bytes = 0;
};

struct JobSnapshot {
  Time now{0};
  enum class Trigger { kArrival, kCompletion, kRound, kWake } trigger = Trigger::kRound;
  double total_gpus = 0;
  double free_gpus = 0;  // not held by running or suspending jobs
  // Jobs that have arrived and not finished, in arrival order.
  std::vector<JobObservation> jobs;
  // The cluster's GPU types by name; empty when no node carries one.
  std::vector<GpuTypeCapacity> gpu_types;
  // Datasets with a cache, by name, and the cache capacity a policy may
  // divide among them (JobDecision::cache_bytes): what their runtimes hold
  // as configured, all workers together.
  std::vector<DatasetCacheObservation> datasets;
  std::int64_t cache_budget_bytes = 0;
  // Bytes/s all readers together can fetch from remote storage (the object
  // store's aggregate bandwidth; 0 when unknown).
  double store_bandwidth_bps = 0;
};

struct JobDecision {
  // Jobs the policy wants running, highest priority first. Queued ones are
  // started in this order while they fit; running ones keep running whether
  // listed or not (unless preempted).
  std::vector<std::string> run_order;
  // True: queued jobs start strictly in run_order; the first that cannot be
  // placed stops the ones after it (no backfilling, as YARN-CS's FIFO).
  bool in_order = false;
  // Running jobs to stop: they checkpoint, release their GPUs and return to
  // the queue with their progress.
  std::vector<std::string> preempt;
  // Ask to be called again at this time even if nothing happens (e.g. when a
  // running job crosses a priority threshold).
  std::optional<Time> wake_at;
  // Queued jobs to start only on nodes of this GPU type (job id -> type; the
  // node-level scheduler then places them with a node selector on
  // aqueduct.io/gpu-type). A running job stays where it is: to move it, a
  // policy preempts it and names its new type on a later decision.
  std::map<std::string, std::string, std::less<>> gpu_type;
  // New cache capacities (dataset -> bytes, all its workers together);
  // datasets not named keep theirs. The capacities after the change may not
  // exceed snapshot.cache_budget_bytes. A smaller capacity evicts at once.
  std::map<std::string, std::int64_t, std::less<>> cache_bytes;
};

// The node label that names a node's GPU type (e.g. "v100").
inline constexpr const char* kGpuTypeLabel = "aqueduct.io/gpu-type";

class JobPolicy {
 public:
  virtual ~JobPolicy() = default;
  virtual std::string_view name() const = 0;
  // An error stops the run (e.g. a Python policy raised).
  virtual Result<JobDecision> decide(const JobSnapshot& snapshot) = 0;
};

using JobPolicyArgs = std::map<std::string, std::string>;
using JobPolicyRegistry = Registry<JobPolicy, const JobPolicyArgs&>;

// "fifo", "sjf", "srtf", "las" (Tiresias 2D-LAS), "themis", "gavel". Each class in
// job_policies.h cites its paper; docs/job-policies.md says what each does.
JobPolicyRegistry builtin_job_policies();

// Checks a decision against the snapshot: every job named exists (not
// finished), each at most once per list, preempted jobs are running, no
// listed job asks for more GPUs than the cluster has, every gpu_type names a
// type the cluster has with room for the job and is not a move of a running
// job, every cache_bytes entry names a cached dataset with bytes >= 0 and the
// capacities fit in the budget. The error names the policy and the job (or
// dataset).
Status validate_job_decision(std::string_view policy, const JobSnapshot& snapshot,
                             const JobDecision& decision);

// For priority policies: given the jobs in priority order (indexes into
// snapshot.jobs), the running set they imply: walk the order and keep each
// job whose GPUs still fit in the cluster (suspending jobs' GPUs are taken).
// Returns run_order = that set in priority order and, when `preemptive`,
// preempt = running jobs outside it. Without preemption, run_order is the
// whole order (queued jobs start while they fit; nothing is stopped). Jobs
// asking for more GPUs than the cluster has are left out either way.
JobDecision decision_from_priority(const JobSnapshot& snapshot, const std::vector<int>& order,
                                   bool preemptive);

}  // namespace aqueduct::core
