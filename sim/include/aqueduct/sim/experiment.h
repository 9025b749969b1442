// The experiment description: cluster (node pools), object store, Fluid
// datasets/runtimes, cache model parameters, workload (trace or generator),
// policies, seed and horizon, plus named scenarios that override parts of it.
// Loaded from the documented experiment YAML (docs/experiment-format.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_affinity.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/model/node.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"
#include "aqueduct/scheduler/framework.h"

namespace aqueduct::sim {

struct NodePoolSpec {
  std::string name;
  std::int32_t count = 1;
  bool single = false;  // one explicit node named `name`
  core::NodeKind kind = core::NodeKind::kEcs;
  core::Arch arch = core::Arch::kAmd64;
  core::Resources allocatable;  // per node; pods defaults to 110
  std::int64_t cache_capacity[core::kMediumCount] = {0, 0, 0};
  double nic_bandwidth = 10e9 / 8;  // bytes/s
  std::string zone;
  std::string region;
  double price_per_hour = 0;
  double speed_factor = 1.0;
  core::Duration worker_startup{0};  // cache worker start-up on these nodes (0: elasticity default)
  // ECS: pulling a job's image before it starts. ECI: the pod's cold start
  // (sandbox + image), drawn per pod: a log-normal with this median and
  // sigma (sigma 0: always the median).
  core::Duration start_median{0};
  double start_sigma = 0;
  // ECI billing, per second of a pod's life (cold start included), on its requests.
  double price_per_cpu_hour = 0;
  double price_per_gib_hour = 0;
  double price_per_gpu_hour = 0;
  std::map<std::string, std::string> labels;
  std::vector<core::Taint> taints;
};

struct ObjectStoreSpec {
  double aggregate_bandwidth = 2.0 * (1 << 30);               // bytes/s shared by all readers
  double per_connection_bandwidth = 100.0 * (1 << 20);        // bytes/s per stream
  core::Duration request_latency = core::from_seconds(0.02);  // per block request
};

// A file server that datasets read instead of the object store: an NFS or NAS
// export shared by every node, or a disk on each node (scope node, e.g. a
// hostPath). A dataset whose first mount point starts with one of `mounts`
// reads from it. Its blocks pass through the reading node's page cache.
struct FileServerSpec {
  std::string name;
  std::vector<std::string> mounts;      // mount-point prefixes it serves
  bool per_node = false;                // scope node: every node reads its own disk
  double bandwidth = 0;                 // bytes/s, shared by all its readers (per node: each)
  double per_connection_bandwidth = 0;  // bytes/s per stream; 0: `bandwidth`
  core::Duration latency = core::from_seconds(0.001);  // per block request
  core::SourcePos pos;                                 // of its entry, for diagnostics
  std::string field;                                   // "fileServers[i]"

  // Whether it serves a dataset whose first mount point is `mount_point`.
  bool serves(const std::string& mount_point) const {
    for (const auto& prefix : mounts) {
      if (mount_point.compare(0, prefix.size(), prefix) == 0) return true;
    }
    return false;
  }
};

// Nodes' page caches (PageCache): memory that pods have not requested keeps
// recently read file-server blocks. Object-store reads bypass it.
struct PageCacheSpec {
  bool enabled = true;
};

struct CacheModelSpec {
  bool enabled = true;
  std::string fidelity = "block";
  std::int64_t block_size = 0;  // 0: the engine's default
  double medium_bandwidth[core::kMediumCount] = {8.0 * (1 << 30), 2.0 * (1 << 30),
                                                 300.0 * (1 << 20)};
  core::Duration hit_latency = core::from_seconds(0.001);
  // Reads served by a worker in another zone: at most this many bytes/s per
  // reading job, and this much added latency per block (cross-zone links).
  double cross_zone_bandwidth = 0;  // 0: no limit
  // When > 0: every runtime starts with this many workers (overrides the
  // runtimes' spec.replicas; for sweeping static cache sizes).
  std::int32_t replicas = 0;
  core::Duration cross_zone_latency{0};
};

// A training job's input pipeline, as PyTorch's DataLoader: `workers_per_gpu`
// loader processes per GPU (num_workers of each GPU's process) fetch blocks
// concurrently, each at most `prefetch_factor` blocks ahead of compute.
struct InputPipelineSpec {
  std::int32_t workers_per_gpu = 4;
  std::int32_t prefetch_factor = 2;  // PyTorch's default
};

struct ApplicationSpec {
  std::string name;
  std::string dataset;  // "name" or "namespace/name"; empty: no input data
  std::int32_t epochs = 1;
  double compute_per_gpu = 0;  // bytes/s one reference GPU consumes at full speed
  double compute_per_job = 0;  // bytes/s for CPU-only jobs (no GPU)
  std::int64_t cpu_milli_per_gpu = 4000;
  std::int64_t memory_per_gpu = 16LL << 30;
  // Serverless jobs run on ECI (virtual-kubelet) nodes: their pods carry
  // alibabacloud.com/eci=true, select type=virtual-kubelet and tolerate the
  // virtual-kubelet taint; they read datasets through an injected FUSE sidecar.
  bool serverless = false;
  std::vector<core::Arch> image_arches;             // empty: any
  std::optional<InputPipelineSpec> input_pipeline;  // empty: the workload's default
};

struct TraceSpec {
  std::string file;  // resolved against the experiment file's folder
  std::string reader;
  bool skip_bad_rows = false;  // false: the first malformed row is an error
  std::int64_t max_jobs = 0;   // 0: all
  double time_scale = 1.0;     // arrival times and trace run times are multiplied by this
  // Arrival times only are multiplied by this (with time_scale): the offered
  // load's knob, e.g. 0.5 doubles the input rate and keeps every job's length.
  double arrival_scale = 1.0;
  // A window of the trace (seconds, before scaling): rows arriving before
  // `start_s` or at/after `end_s` (when > 0) are left out and counted; the
  // window's start becomes time 0.
  double start_s = 0;
  double end_s = 0;
  // philly-gavel: Gavel's throughput table (worker_type, job_type,
  // scale_factor, steps_per_s) and the GPU type whose isolated throughput
  // gives each job's run time, total_steps / steps_per_s.
  std::string throughputs;
  std::string worker_type = "v100";
  // "trace": run times the trace gives (or derives) are the jobs' lengths;
  // "application": only arrivals and sizes come from the trace, and every
  // job's work is its application's (epochs x dataset at computePerGpu).
  std::string lengths = "trace";
};

struct GeneratorSpec {
  std::int64_t count = 0;
  core::Duration mean_interarrival = core::from_seconds(60);
  double zipf_s = 1.0;                          // application (dataset) popularity by list order
  std::vector<std::int32_t> gpu_choices = {1};  // drawn uniformly
};

struct WorkloadSpec {
  std::optional<TraceSpec> trace;
  std::optional<GeneratorSpec> generator;
  std::vector<ApplicationSpec> applications;  // in the order written (popularity order)
  std::string default_application;
  // When > 0: trace rows that name no application get one drawn from the
  // applications list with Zipf(s) popularity (list order), from the stream
  // "workload.assign" (for traces such as Alibaba's that carry no job type).
  double assign_zipf_s = 0;
  std::int32_t max_gpus_per_pod = 8;
  InputPipelineSpec input_pipeline;  // for applications that set none
};

struct PolicySpec {
  // The scheduler profile: a preset ("default", "most-allocated",
  // "data-aware") or an explicit plugin list.
  scheduler::Profile scheduler = scheduler::default_profile();
  std::string eviction = "lru";
  // "none", or "fluid": Fluid's webhook affinity (NodeAffinityWithCache with
  // the tiered locality below, PreferNodesWithoutCache) is injected into pods
  // when they are submitted.
  std::string injection = "none";
  core::TieredLocality tiered_locality;
  // "pod-by-pod" (the framework places each job in queue order) or "joint":
  // single-pod jobs ready at the same instant are placed together with the
  // cache workers of datasets that hold no data yet (scheduler/joint_placement.h).
  std::string placement = "pod-by-pod";
  // Job-level scheduling (docs/job-policies.md): which jobs run and which
  // running jobs are preempted, decided by a core::JobPolicy on every
  // arrival, completion and round. Empty `policy`: none (jobs are placed in
  // the scheduling queue's order and never preempted).
  struct Jobs {
    std::string policy;
    std::map<std::string, std::string> args;
    core::Duration round{0};       // 0: no periodic rounds
    core::Duration checkpoint{0};  // a preempted job holds its GPUs this long while it saves
    core::Duration restart{0};     // a resumed job restores this long before its work goes on
  } jobs;
};

// Cache elasticity (docs/elasticity.md): an autoscaler from core's registry
// drives every cache runtime's replicas.
struct ElasticitySpec {
  std::string policy = "static";
  std::map<std::string, std::string> args;
  core::Duration period = core::from_seconds(60);
  core::Duration worker_startup = core::from_seconds(60);
  std::string scale_in = "ordinal";  // or "least-cached"
  bool migrate_on_scale_in = false;
};

// How an ECI pod's FUSE sidecar ends after its app containers (the pod is
// billed until its last container ends).
struct ServerlessSpec {
  // "native": a native sidecar (init container, restartPolicy Always) ends
  // with the app; "app-controller": Fluid's application controller notices
  // the app ended and unmounts after `app_controller_delay`; "none": nothing
  // stops it, so the pod runs (and bills) until the end of the run.
  std::string sidecar_exit = "app-controller";
  core::Duration app_controller_delay = core::from_seconds(30);
};

// One fully resolved run.
struct ExperimentSpec {
  std::string name;
  std::string scenario = "default";
  std::uint64_t seed = 1;
  core::Duration horizon{0};  // 0: until every job has ended
  core::Duration sample_interval = core::from_seconds(300);
  std::vector<NodePoolSpec> node_pools;
  ObjectStoreSpec object_store;
  std::vector<FileServerSpec> file_servers;
  PageCacheSpec page_cache;
  core::FluidObjects fluid;
  CacheModelSpec cache;
  WorkloadSpec workload;
  PolicySpec policies;
  ElasticitySpec elasticity;
  ServerlessSpec serverless;
  std::string source_file;
  // The scenario's spec as loaded (the scenario's `set:` merged in, file
  // paths made absolute), in YAML; see resolved_experiment_yaml.
  std::string resolved_spec;
};

// A complete Experiment document for one scenario: its resolved spec with the
// seed it runs with. Loading it runs the same simulation from any folder.
std::string resolved_experiment_yaml(const ExperimentSpec& spec);

// An experiment file: one spec per scenario (a single "default" when the file
// names none). Scenario `set:` blocks are deep-merged over `spec` before parsing.
struct ExperimentPlan {
  std::string name;
  std::vector<ExperimentSpec> scenarios;
};

// Loads and validates an experiment file; every problem is reported in `diags`.
// Returns an error Status when diags has errors. Unknown fields are errors
// unless options.lenient (Fluid files it references stay lenient).
core::Result<ExperimentPlan> load_experiment_file(const std::string& path, core::Diagnostics& diags,
                                                  const core::LoadOptions& options = {});
core::Result<ExperimentPlan> load_experiment_yaml(const std::string& text, const std::string& file,
                                                  const std::string& base_dir,
                                                  core::Diagnostics& diags,
                                                  const core::LoadOptions& options = {});

}  // namespace aqueduct::sim
