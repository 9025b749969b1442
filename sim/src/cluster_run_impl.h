// Private to sim/: the simulated cluster behind run_experiment, split over
// cluster_run*.cc by concern (setup and results, scheduling, cache runtimes and
// data operations, reading). See docs/simulation-model.md.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <unordered_map>
#include "aqueduct/core/cache/shuffled_epoch_model.h"
#include "aqueduct/core/cache/tiered_store.h"
#include "aqueduct/core/dataops/cron.h"
#include "aqueduct/core/elasticity/autoscaler.h"
#include "aqueduct/core/fluid/fluid_affinity.h"
#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/core/jobs/job_policy.h"
#include "aqueduct/core/ports.h"
#include "aqueduct/core/scheduling/node_matching.h"
#include "aqueduct/runtime_adapters/engine_profile.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct/scheduler/framework.h"
#include "aqueduct/scheduler/joint_placement.h"
#include "aqueduct/scheduler/scheduling_queue.h"
#include "aqueduct/sim/cache_cluster.h"
#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/flow_network.h"
#include "aqueduct/sim/node_pools.h"
#include "aqueduct/sim/page_cache.h"
#include "aqueduct/sim/rng.h"
#include "aqueduct/sim/simulator.h"
#include "aqueduct/sim/workload.h"

namespace aqueduct::sim::detail {

constexpr double kInf = std::numeric_limits<double>::infinity();

// kSuspending: preempted by the job policy, still holding its GPUs while it
// checkpoints; then kPending again.
enum class Phase { kNotArrived, kPending, kRunning, kSuspending, kDone };
enum class Source { kNone, kStore, kWorker, kPageCache };

// A reader of a dataset: a job's input pipeline, or a DataLoad warming the
// cache. `loaders` fetch blocks concurrently (PyTorch DataLoader workers), at
// most `buffer` blocks ahead of compute (num_workers x prefetch_factor);
// compute consumes ready blocks one at a time at `compute_rate`.
struct Reader {
  int job = -1;  // index into jobs_, or -1 for a DataLoad
  int dataset = -1;
  std::int32_t loaders = 1;
  std::int32_t buffer = 2;
  double compute_rate = kInf;  // bytes/s consumed at full speed
  std::int32_t epochs = 1;
  std::int32_t epoch = 0;            // the epoch blocks are being fetched from
  std::uint64_t pos = 0;             // next block of `order` to fetch
  std::vector<std::uint32_t> order;  // block order of the fetching epoch
  Rng rng{0};
  bool shuffle = true;
  bool done_fetching = false;
  std::int32_t in_flight = 0;
  std::deque<std::int64_t> ready;  // fetched blocks' sizes, waiting for compute
  bool computing = false;
  bool paused = false;          // its job is preempted: no new fetches, no new compute
  std::int64_t consumed = 0;    // bytes compute has finished, over all epochs
  std::uint64_t next_node = 0;  // loaders' fetches go round-robin over the job's pods
  std::int64_t bytes_cache = 0;
  std::int64_t bytes_store = 0;
  std::int64_t bytes_page = 0;     // served by the nodes' page caches
  std::vector<std::size_t> nodes;  // where the reader runs (for locality)
  int load_run = -1;               // for DataLoads: index into load_runs_
};

// One block fetch in flight: through its latency, then a flow.
struct Fetch {
  int reader = -1;
  int migrate_cache = -1;  // a block moving to `worker` of this cache at scale-in
  Source source = Source::kNone;
  std::uint32_t worker = 0;  // the block's owner (when the dataset has a cache)
  bool via_worker = false;   // the owner serves or relays it (counts in active_reads)
  std::uint64_t block = 0;
  std::int64_t bytes = 0;
  std::int64_t client = -1;  // the node of the pod the block feeds (-1: none)
};

// Where a dataset's blocks come from when no cache holds them: the object
// store (one aggregate per bucket) or a file server (ExperimentSpec).
struct DataSource {
  int server = -1;        // index into spec.file_servers; -1: the object store
  bool per_node = false;  // a disk on every node, read by that node only
  bool page_cached = false;
  double per_connection = 0;
  core::Duration latency{0};
};

struct ScaleEvent {
  double time_s;
  std::string runtime;
  std::int32_t from, to;
  std::string reason;
};

struct LoadRun {
  int load = 0;
  int number = 1;
  std::string phase = "Pending";
  double start_s = 0, end_s = -1;
  std::int64_t bytes_loaded = 0;
};

// A DataLoad of the experiment and its cron schedule (policy Cron).
struct LoadSpec {
  core::DataLoad load;
  int dataset = -1;
  std::optional<core::CronSchedule> cron;
  int skipped = 0;  // firings while a run was still executing
};

struct JobState {
  Phase phase = Phase::kNotArrived;
  std::vector<core::Pod> pods;
  std::vector<std::size_t> nodes;
  core::Time start{-1};
  core::Time end{-1};
  int reader = -1;
  std::string reason;
  core::Duration startup{0};  // image pull / cold start before the work began
  // Job-level policies (cluster_run_jobs.cc): service and preemption.
  core::Time held_since{-1};   // since when it holds its GPUs (start or restart)
  double attained_gpu_s = 0;   // GPU-seconds held before held_since
  double executed_s = 0;       // seconds held before held_since
  core::Time queued_since{0};  // arrival, or the end of its last checkpoint
  std::int32_t preemptions = 0;
  core::TimerId begin_timer;    // its pods' start, until begin_work
  core::TimerId finish_timer;   // a job without input data: its end
  double work_left_ref_s = -1;  // a job without input data: reference seconds left (-1: all)
  core::Time work_since{-1};    // a job without input data: since when it works
  double speed = 1;             // of its slowest node, while it runs
  double overhead_s = 0;        // checkpoint and restart time it paid
  bool type_pinned = false;     // its pods select aqueduct.io/gpu-type (a job policy's choice)
};

class ClusterRun final : public core::ClusterView, public core::ActionSink {
 public:
  ClusterRun(const ExperimentSpec& spec, Workload workload,
             std::unique_ptr<scheduler::Framework> sched)
      : spec_(spec), workload_(std::move(workload)), scheduler_(std::move(sched)) {}
  // Registries to create eviction policies and autoscalers from (before init()).
  void use_registries(const core::EvictionRegistry& evictions,
                      const core::AutoscalerRegistry& autoscalers) {
    evictions_ = evictions;
    autoscalers_ = autoscalers;
  }
  bool stopped() const { return stopped_; }
  // Set when the job policy failed or decided something impossible; the run
  // stopped there and its results must not be written.
  const core::Status& failure() const { return failure_; }
  // The job-level policy (before init()); null: none.
  void use_job_policy(std::unique_ptr<core::JobPolicy> policy) { job_policy_ = std::move(policy); }

  core::Status init();
  RunResult run(const RunOptions& options);

  // ClusterView
  std::span<const core::NodeInfo> nodes() const override { return infos_; }
  std::span<const core::Pod* const> pending_pods() const override {
    pending_view_.clear();
    for (int j : pending_) {
      for (const auto& p : jobs_[j].pods) pending_view_.push_back(&p);
    }
    return pending_view_;
  }
  std::span<const core::Dataset> datasets() const override { return spec_.fluid.datasets; }
  std::span<const core::Runtime> runtimes() const override { return spec_.fluid.runtimes; }
  std::span<const core::CacheState> cache_states() const override;
  std::size_t pods_with_affinity() const override { return pods_with_affinity_; }

  // ActionSink
  core::Status bind(std::string_view pod_key, std::string_view node_name) override;
  core::Status patch_pod(std::string_view pod_key, const core::Pod& mutated) override;
  core::Status scale_runtime(std::string_view runtime_key, std::int32_t replicas) override;
  core::Status place_cache_worker(std::string_view runtime_key, std::string_view node) override;
  core::Status remove_cache_worker(std::string_view runtime_key, std::string_view node) override;
  core::Status start_data_load(const core::DataLoad& load) override;

 private:
  std::size_t pods_with_affinity_ = 0;  // bound pods with pod (anti-)affinity terms
  void build_nodes();
  core::Status build_caches();
  void arrive(int j);
  // Fluid's webhook at pod creation: core::inject_pod on each pod of job j.
  void inject_fluid(int j);
  core::Status prepare_injection();
  core::DatasetResolver injection_resolver();
  void request_scheduling();
  void schedule_pass();
  std::vector<std::int64_t> joint_pass(std::vector<std::int64_t> ready);
  std::int64_t worker_moves_ = 0;
  void start_job(int j);
  // Places job j's pods as a gang through the framework; when they fit, binds
  // them and starts the job, else records the framework's reason.
  bool place_and_start(int j);
  void begin_work(int j);
  std::vector<std::optional<core::FuseTemplate>> fuse_templates_;  // by dataset
  std::vector<std::string> fuse_template_errors_;                  // by dataset
  double eci_cost_ = 0;                              // serverless pods' per-second bills
  double sidecar_linger_s_ = 0;                      // pod-seconds billed after the app ended
  std::vector<std::pair<int, int>> lingering_pods_;  // (job, pod) whose sidecar never exits
  double eci_pod_price_per_hour(int j, int p) const;
  void finish_job(int j);
  // Returns the job's pods' resources to their nodes and unbinds them.
  void release_pods(int j);
  // Job-level policy (cluster_run_jobs.cc).
  void job_policy_pass();
  core::JobSnapshot job_snapshot() const;
  // Job j's speed on node n: its per-type speed there, else the node's speedFactor.
  double job_speed_on(int j, std::size_t n) const;
  // The GPU type of the nodes job j holds ("" if none or mixed).
  std::string job_gpu_type(int j) const;
  // Pins job j's pods to a GPU type with a node selector ("" removes it).
  void set_type_pin(int j, const std::string& type);
  void preempt_job(int j);     // stop its work; release after the checkpoint
  void end_checkpoint(int j);  // back to the queue
  void schedule_round();
  void fail_run(core::Status st);
  std::unique_ptr<core::JobPolicy> job_policy_;
  core::JobSnapshot::Trigger trigger_ = core::JobSnapshot::Trigger::kArrival;
  core::TimerId job_wake_, round_timer_;
  core::Status failure_;
  std::int64_t preemptions_ = 0;
  int new_reader(int dataset, int job, std::int32_t loaders, std::int32_t buffer,
                 double compute_rate, std::int32_t epochs, bool shuffle, std::uint64_t seed_tag);
  // The input pipeline (docs/simulation-model.md, Reading).
  void pump(int r);         // starts fetches while loaders and buffer allow
  void start_fetch(int r);  // the next block: hit or miss, latency, then a flow
  void prefetch_ahead(const Reader& rd, const CacheRuntimeSim& cache) const;  // cache hints
  void start_flow(std::uint32_t f);
  void end_fetch(std::uint32_t f);  // the flow's bytes arrived
  void consume(int r);              // compute takes the next ready block
  void next_epoch_analytical(int r);
  std::vector<double> analytic_cached_;  // analytical fidelity: blocks cached per dataset
  // The data path's resources (FlowNetwork): per node NIC in/out and cache
  // media, the object store's aggregate, zone-to-zone links.
  void build_network();
  void build_sources();
  FlowNetwork::ResourceId zone_link(std::size_t from_node, std::size_t to_node);
  std::vector<FlowNetwork::ResourceId> nic_in_, nic_out_;
  std::vector<std::array<FlowNetwork::ResourceId, core::kMediumCount>> media_;
  // The object store's aggregate bandwidth, one resource per bucket (the
  // scheme and host of a dataset's first mount); by dataset.
  std::vector<FlowNetwork::ResourceId> dataset_store_;              // unused for per-node servers
  std::vector<DataSource> sources_;                                 // by dataset
  std::vector<std::vector<FlowNetwork::ResourceId>> server_disks_;  // [server][node]
  std::vector<PageCache> page_caches_;                              // by node
  void refresh_page_cache(std::size_t node);  // capacity from the node's free memory
  std::int64_t page_hit_bytes_ = 0, page_read_bytes_ = 0;
  std::map<std::string, FlowNetwork::ResourceId> buckets_;
  std::map<FlowNetwork::ResourceId, std::int64_t> analytic_bucket_loaders_;
  std::map<std::pair<std::string, std::string>, FlowNetwork::ResourceId> zone_links_;
  std::vector<Fetch> fetches_;
  std::vector<std::uint32_t> free_fetches_;
  std::uint32_t new_fetch();  // a cleared slot in fetches_
  void refresh_io();          // io_utilization of every node from its NIC-out load
  void finish_reader(int r);
  void sample();
  // True once the run can no longer progress (see cluster_run_reading.cc).
  bool stalled(core::Time now);
  std::int64_t block_count(int dataset) const;
  std::int64_t block_size_of(int dataset) const;
  void resolve_block_sizes();
  std::vector<std::int64_t> block_sizes_;    // by dataset
  std::vector<std::int64_t> dataset_sizes_;  // by dataset (read per block)
  CacheRuntimeSim* cache_for(int dataset) {
    int c = cache_of_dataset_[dataset];
    return c < 0 ? nullptr : &caches_[c];
  }
  int find_pod(std::string_view key, int* pod_index) const;
  int find_runtime_cache(std::string_view runtime_key) const;
  core::Status add_worker(CacheRuntimeSim& c, std::size_t node);
  // A fresh store for a worker of `c` on `node`: the runtime's tiers times
  // c.quota_scale (rounded down, so the workers never exceed a policy's
  // share), each at most what the node's medium holds.
  core::Result<core::TieredStore> new_worker_store(const CacheRuntimeSim& c, std::size_t node);
  // Tier `level`'s quota for a worker of `c` on `node` under c.quota_scale.
  std::int64_t scaled_quota(const CacheRuntimeSim& c, std::size_t level, std::size_t node) const;
  // Gives cache `c` `bytes` in all (its live workers evenly), from a job
  // policy's decision.
  void set_cache_capacity(CacheRuntimeSim& c, std::int64_t bytes);

  const ExperimentSpec& spec_;
  Workload workload_;
  std::unique_ptr<scheduler::Framework> scheduler_;
  scheduler::SchedulingQueue queue_;
  core::TimerId wakeup_;
  Simulator sim_;
  FlowNetwork net_{&sim_};
  std::vector<core::Node> nodes_;
  std::vector<core::NodeInfo> infos_;
  std::vector<JobState> jobs_;
  std::vector<int> pending_;  // job indexes in arrival order
  std::vector<int> active_;   // arrived and not done, in arrival order
  mutable std::vector<const core::Pod*> pending_view_;
  std::unordered_map<std::string, std::pair<int, int>> pod_index_;  // key -> (job, pod)
  mutable std::vector<core::CacheState> cache_states_;
  std::vector<CacheRuntimeSim> caches_;
  std::vector<int> cache_of_dataset_;
  std::vector<Reader> readers_;
  core::EvictionRegistry evictions_ = core::builtin_eviction_policies();
  core::AutoscalerRegistry autoscalers_ = core::builtin_autoscalers();
  bool stopped_ = false;
  bool scheduling_requested_ = false;
  std::int64_t done_jobs_ = 0;
  std::int64_t active_loaders_ = 0;
  std::int64_t pending_firings_ = 0;
  std::vector<LoadSpec> loads_;
  // Elasticity: one autoscaler per cache runtime, its window counters, and cost.
  std::vector<std::unique_ptr<core::Autoscaler>> scalers_;
  std::vector<std::int32_t> desired_, starting_;
  std::vector<std::int64_t> el_read_, el_hit_;  // per dataset, this elasticity period
  double worker_cost_ = 0;                      // currency spent on cache workers
  core::Time cost_at_{0};
  std::int64_t scale_ups_ = 0, scale_downs_ = 0, migrated_bytes_ = 0;
  std::vector<ScaleEvent> scale_events_;
  void elasticity_tick();
  void accrue_worker_cost();
  double worker_cost_per_hour(const CacheRuntimeSim& c, std::size_t node) const;
  core::Status scale_in_one(std::size_t c);
  std::vector<std::int64_t> iv_ds_read_, iv_ds_hit_;  // per dataset, this sample interval
  std::vector<CacheStatusSample> cache_status_;
  std::vector<LoadRun> load_runs_;
  void schedule_next_firing(int idx);
  void begin_load_run(int idx);
  // Interval counters for the time series.
  std::int64_t iv_cache_bytes_ = 0;
  std::int64_t iv_store_bytes_ = 0;
  std::int64_t dataload_bytes_ = 0;
  std::vector<Sample> samples_;
  core::Time last_sample_{0};
  std::int64_t total_gpu_milli_ = 0;
  std::int64_t total_cpu_milli_ = 0;
  bool finished_ = false;
  // Stall detection: what last changed, since when nothing did, and how many
  // jobs were left pending when the run ended for it.
  std::array<std::int64_t, 5> stall_print_{};
  core::Time stall_since_ = core::Time::max();
  std::int64_t stalled_jobs_ = 0;
};

}  // namespace aqueduct::sim::detail
