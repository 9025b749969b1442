#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/node_pools.h"

#include <algorithm>
#include <cmath>
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
#include "aqueduct/core/ports.h"
#include "aqueduct/runtime_adapters/engine_profile.h"
#include "aqueduct/scheduler/framework.h"
#include "aqueduct/scheduler/joint_placement.h"
#include "aqueduct/scheduler/scheduling_queue.h"
#include "aqueduct/sim/cache_cluster.h"
#include "aqueduct/sim/rng.h"
#include "aqueduct/sim/simulator.h"
#include "aqueduct/sim/workload.h"

namespace aqueduct::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

enum class Phase { kNotArrived, kPending, kRunning, kDone };
enum class Source { kNone, kStore, kWorker };

// A reader of a dataset: a job, or a DataLoad warming the cache.
struct Reader {
  int job = -1;  // index into jobs_, or -1 for a DataLoad
  int dataset = -1;
  std::int32_t streams = 1;    // parallel connections (pods, or loader workers)
  double compute_rate = kInf;  // bytes/s consumed at full speed
  std::int32_t epochs = 1;
  std::int32_t epoch = 0;
  std::uint64_t pos = 0;
  std::vector<std::uint32_t> order;  // block order of the current epoch
  Rng rng{0};
  bool shuffle = true;
  // The read in flight.
  Source source = Source::kNone;
  std::uint32_t worker = 0;
  std::uint64_t block = 0;
  std::int64_t block_bytes = 0;
  std::int64_t bytes_cache = 0;
  std::int64_t bytes_store = 0;
  std::vector<std::size_t> nodes;  // where the reader runs (for locality)
  double served_rate = 0;          // rate of the cache read in flight
  int load_run = -1;               // for DataLoads: index into load_runs_
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
};

class ClusterRun final : public core::ClusterView, public core::ActionSink {
 public:
  ClusterRun(const ExperimentSpec& spec, Workload workload,
             std::unique_ptr<scheduler::Framework> sched)
      : spec_(spec), workload_(std::move(workload)), scheduler_(std::move(sched)) {}

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

  // ActionSink
  core::Status bind(std::string_view pod_key, std::string_view node_name) override;
  core::Status patch_pod(std::string_view pod_key, const core::Pod& mutated) override;
  core::Status scale_runtime(std::string_view runtime_key, std::int32_t replicas) override;
  core::Status place_cache_worker(std::string_view runtime_key, std::string_view node) override;
  core::Status remove_cache_worker(std::string_view runtime_key, std::string_view node) override;
  core::Status start_data_load(const core::DataLoad& load) override;

 private:
  void build_nodes();
  core::Status build_caches();
  void arrive(int j);
  void inject_fluid_affinity(int j);
  void request_scheduling();
  void schedule_pass();
  std::vector<std::int64_t> joint_pass(std::vector<std::int64_t> ready);
  std::int64_t worker_moves_ = 0;
  void start_job(int j);
  void finish_job(int j);
  int new_reader(int dataset, int job, std::int32_t streams, double compute_rate,
                 std::int32_t epochs, bool shuffle, std::uint64_t seed_tag);
  void next_block(int r);
  void next_epoch_analytical(int r);
  std::vector<double> analytic_cached_;  // analytical fidelity: blocks cached per dataset
  void end_block(int r);
  void finish_reader(int r);
  void sample();
  void update_io(std::size_t node) {
    double nic = nodes_[node].nic_bandwidth;
    infos_[node].io_utilization = nic > 0 ? std::min(1.0, served_rate_[node] / nic) : 0;
  }
  std::int64_t block_count(int dataset) const;
  std::int64_t block_size_of(int dataset) const;
  CacheRuntimeSim* cache_for(int dataset) {
    int c = cache_of_dataset_[dataset];
    return c < 0 ? nullptr : &caches_[c];
  }
  int find_pod(std::string_view key, int* pod_index) const;
  int find_runtime_cache(std::string_view runtime_key) const;
  core::Status add_worker(CacheRuntimeSim& c, std::size_t node);

  const ExperimentSpec& spec_;
  Workload workload_;
  std::unique_ptr<scheduler::Framework> scheduler_;
  scheduler::SchedulingQueue queue_;
  core::TimerId wakeup_;
  std::vector<double> served_rate_;  // bytes/s cache workers on each node are serving
  Simulator sim_;
  std::vector<core::Node> nodes_;
  std::vector<core::NodeInfo> infos_;
  std::vector<JobState> jobs_;
  std::vector<int> pending_;  // job indexes in arrival order
  mutable std::vector<const core::Pod*> pending_view_;
  std::unordered_map<std::string, std::pair<int, int>> pod_index_;  // key -> (job, pod)
  mutable std::vector<core::CacheState> cache_states_;
  std::vector<CacheRuntimeSim> caches_;
  std::vector<int> cache_of_dataset_;
  std::vector<Reader> readers_;
  core::EvictionRegistry evictions_ = core::builtin_eviction_policies();
  bool scheduling_requested_ = false;
  std::int64_t store_streams_ = 0;
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
};

void ClusterRun::build_nodes() {
  nodes_ = build_pool_nodes(spec_.node_pools);
  served_rate_.assign(nodes_.size(), 0.0);
  for (const auto& n : nodes_) {
    infos_.push_back(core::NodeInfo{&n, {}, 0, 0.0});
    total_gpu_milli_ += n.allocatable.gpu_milli;
    total_cpu_milli_ += n.allocatable.cpu_milli;
  }
}

std::int64_t ClusterRun::block_size_of(int dataset) const {
  int c = cache_of_dataset_[dataset];
  if (c >= 0) return caches_[c].block_size;
  if (spec_.cache.block_size > 0) return spec_.cache.block_size;
  const core::Runtime* rt = spec_.fluid.runtime_for(spec_.fluid.datasets[dataset]);
  return rt ? runtime_adapters::engine_profile(rt->engine).block_size : 64LL << 20;
}

std::int64_t ClusterRun::block_count(int dataset) const {
  std::int64_t size = spec_.fluid.datasets[dataset].size_bytes;
  std::int64_t b = block_size_of(dataset);
  return (size + b - 1) / b;
}

core::Status ClusterRun::add_worker(CacheRuntimeSim& c, std::size_t node) {
  std::vector<core::TierSpec> tiers;
  for (const auto& t : c.runtime->tiers) {
    tiers.push_back(core::TierSpec{t.medium, t.quota_bytes, t.high, t.low});
  }
  AQ_ASSIGN_OR_RETURN(auto store,
                      core::TieredStore::create(tiers, evictions_, spec_.policies.eviction));
  auto id = static_cast<std::uint32_t>(c.workers.size());
  c.workers.push_back(CacheWorker{node, nodes_[node].meta.name, std::move(store), 0, true});
  c.ring.add(id, nodes_[node].meta.name);
  infos_[node].requested += c.runtime->worker.requests;
  std::int64_t mem = 0, disk = 0;
  for (const auto& t : c.runtime->tiers)
    (t.medium == core::MediumType::kMem ? mem : disk) += t.quota_bytes;
  core::label_node_for_worker(nodes_[node], spec_.fluid.datasets[c.dataset_id], *c.runtime, mem,
                              disk);
  return core::Status::ok();
}

core::Status ClusterRun::build_caches() {
  cache_of_dataset_.assign(spec_.fluid.datasets.size(), -1);
  iv_ds_read_.assign(spec_.fluid.datasets.size(), 0);
  el_read_.assign(spec_.fluid.datasets.size(), 0);
  el_hit_.assign(spec_.fluid.datasets.size(), 0);
  analytic_cached_.assign(spec_.fluid.datasets.size(), 0.0);
  iv_ds_hit_.assign(spec_.fluid.datasets.size(), 0);
  if (!spec_.cache.enabled) return core::Status::ok();
  // Workers go round-robin over eligible nodes (ECS, engine supports the arch,
  // enough cache media for every tier level), in name order, one per node.
  for (std::size_t d = 0; d < spec_.fluid.datasets.size(); ++d) {
    const core::Dataset& ds = spec_.fluid.datasets[d];
    const core::Runtime* rt = spec_.fluid.runtime_for(ds);
    if (!rt) continue;
    if (rt->tiers.empty()) {
      return core::invalid_argument(
          core::object_key(rt->meta) + " (" + rt->meta.pos.to_string() +
          "): spec.tieredstore: the simulator needs at least one tier level "
          "to model the cache");
    }
    CacheRuntimeSim c;
    c.runtime = rt;
    c.dataset_id = static_cast<std::uint32_t>(d);
    const auto& prof = runtime_adapters::engine_profile(rt->engine);
    c.block_size = spec_.cache.block_size > 0 ? spec_.cache.block_size : prof.block_size;
    c.engine_latency = prof.metadata_latency;
    caches_.push_back(std::move(c));
    cache_of_dataset_[d] = static_cast<int>(caches_.size() - 1);
  }
  // Each node's cache media are shared by the workers placed on it.
  std::vector<std::array<std::int64_t, core::kMediumCount>> media_left(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    for (int m = 0; m < core::kMediumCount; ++m)
      media_left[i][m] = nodes_[i].cache_capacity_bytes[m];
  }
  std::size_t cursor = 0;
  for (auto& c : caches_) {
    std::vector<bool> used(nodes_.size(), false);
    std::string why_not = "no ECS node";
    const std::int32_t replicas =
        spec_.cache.replicas > 0 ? spec_.cache.replicas : c.runtime->replicas;
    for (std::int32_t r = 0; r < replicas; ++r) {
      bool placed = false;
      for (std::size_t k = 0; k < nodes_.size() && !placed; ++k) {
        std::size_t i = (cursor + k) % nodes_.size();
        const core::Node& n = nodes_[i];
        if (used[i] || n.kind != core::NodeKind::kEcs) continue;
        std::string conflict =
            core::worker_placement_conflict(n, spec_.fluid.datasets[c.dataset_id]);
        if (!conflict.empty()) {
          why_not = conflict;
          continue;
        }
        if (!runtime_adapters::engine_supports(c.runtime->engine, n.arch)) {
          why_not = std::string("the ") + core::runtime_engine_name(c.runtime->engine) +
                    " images do not support arch " + core::arch_name(n.arch);
          continue;
        }
        bool fits = true;
        for (const auto& t : c.runtime->tiers) {
          if (media_left[i][static_cast<int>(t.medium)] < t.quota_bytes) fits = false;
        }
        if (!fits) {
          why_not = "not enough cache media for the tier quotas";
          continue;
        }
        for (const auto& t : c.runtime->tiers)
          media_left[i][static_cast<int>(t.medium)] -= t.quota_bytes;
        used[i] = true;
        AQ_RETURN_IF_ERROR(add_worker(c, i));
        cursor = i + 1;
        placed = true;
      }
      if (!placed) {
        return core::failed_precondition(
            core::object_key(c.runtime->meta) + ": cannot place cache worker " +
            std::to_string(r + 1) + " of " + std::to_string(c.runtime->replicas) + ": " + why_not +
            " (each worker needs its own ECS node with the tier quotas free)");
      }
    }
  }
  return core::Status::ok();
}

core::Status ClusterRun::init() {
  build_nodes();
  AQ_RETURN_IF_ERROR(build_caches());
  jobs_.resize(workload_.jobs.size());
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    const JobSpec& js = workload_.jobs[j];
    for (std::int32_t p = 0; p < js.pods; ++p) {
      core::Pod pod;
      pod.meta.name = js.pods == 1 ? js.id : js.id + "-" + std::to_string(p);
      pod.owner_kind = "Job";
      pod.owner_name = js.id;
      core::Container c;
      c.name = "main";
      c.requests = js.per_pod;
      c.requests.pods = 0;
      pod.containers.push_back(std::move(c));
      if (js.dataset >= 0) {
        core::Volume v;
        v.name = "data";
        v.pvc_claim_name = spec_.fluid.datasets[js.dataset].meta.name;
        pod.volumes.push_back(v);
      }
      pod_index_[core::object_key(pod.meta)] = {static_cast<int>(j), p};
      jobs_[j].pods.push_back(std::move(pod));
    }
    sim_.schedule_at(js.arrival, [this, j] { arrive(static_cast<int>(j)); });
  }
  for (const auto& dl : spec_.fluid.dataloads) {
    AQ_RETURN_IF_ERROR(start_data_load(dl));
  }
  sim_.schedule_at(core::Time(0), [this] { sample(); });
  auto scalers = core::builtin_autoscalers();
  for (const auto& c : caches_) {
    AQ_ASSIGN_OR_RETURN(auto a, scalers.create(spec_.elasticity.policy, spec_.elasticity.args));
    scalers_.push_back(std::move(a));
    desired_.push_back(spec_.cache.replicas > 0 ? spec_.cache.replicas : c.runtime->replicas);
    starting_.push_back(0);
  }
  if (!caches_.empty() && spec_.elasticity.policy != "static") {
    sim_.schedule_at(core::Time(0) + spec_.elasticity.period, [this] { elasticity_tick(); });
  }
  return core::Status::ok();
}

double ClusterRun::worker_cost_per_hour(const CacheRuntimeSim& c, std::size_t node) const {
  // A worker costs the share of its node's price that its cache quota is of
  // the node's cache media.
  const core::Node& n = nodes_[node];
  double media = 0;
  for (int m = 0; m < core::kMediumCount; ++m)
    media += static_cast<double>(n.cache_capacity_bytes[m]);
  if (media <= 0) return 0;
  return n.price_per_hour * static_cast<double>(c.runtime->worker_quota_bytes()) / media;
}

void ClusterRun::accrue_worker_cost() {
  double hours = core::to_seconds(sim_.now() - cost_at_) / 3600.0;
  for (const auto& c : caches_) {
    for (const auto& w : c.workers) {
      if (w.live) worker_cost_ += hours * worker_cost_per_hour(c, w.node);
    }
  }
  cost_at_ = sim_.now();
}

core::Status ClusterRun::scale_in_one(std::size_t ci) {
  CacheRuntimeSim& c = caches_[ci];
  // The victim: the highest ordinal (Fluid's StatefulSet scale-in), or the
  // worker holding the least cached data.
  int victim = -1;
  for (int w = static_cast<int>(c.workers.size()) - 1; w >= 0; --w) {
    if (!c.workers[w].live) continue;
    if (victim < 0) victim = w;
    if (spec_.elasticity.scale_in == "least-cached" &&
        c.workers[w].store.used_bytes() < c.workers[victim].store.used_bytes()) {
      victim = w;
    }
  }
  if (victim < 0) return core::failed_precondition("no live worker");
  std::vector<std::pair<core::BlockKey, std::int64_t>> moved;
  if (spec_.elasticity.migrate_on_scale_in) moved = c.workers[victim].store.blocks();
  std::string key = core::object_key(c.runtime->meta);
  AQ_RETURN_IF_ERROR(remove_cache_worker(key, c.workers[victim].node_name));
  // Hot blocks go to the workers that own them now (the ring without the victim).
  for (const auto& [b, bytes] : moved) {
    if (c.ring.empty()) break;
    if (c.workers[c.ring.owner(b)].store.insert(b, bytes).is_ok()) migrated_bytes_ += bytes;
  }
  return core::Status::ok();
}

void ClusterRun::elasticity_tick() {
  accrue_worker_cost();
  for (std::size_t ci = 0; ci < caches_.size(); ++ci) {
    CacheRuntimeSim& c = caches_[ci];
    const core::Dataset& ds = spec_.fluid.datasets[c.dataset_id];
    core::RuntimeMetrics m;
    m.now = sim_.now();
    m.replicas = desired_[ci];
    std::size_t any_node = 0;
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      ++m.ready_replicas;
      m.capacity_bytes += w.store.capacity_bytes();
      m.used_bytes += w.store.used_bytes();
      any_node = w.node;
    }
    m.dataset_bytes = ds.size_bytes;
    m.worker_capacity_bytes = c.runtime->worker_quota_bytes();
    std::int64_t read = el_read_[c.dataset_id];
    m.hit_ratio =
        read > 0 ? static_cast<double>(el_hit_[c.dataset_id]) / static_cast<double>(read) : -1;
    el_read_[c.dataset_id] = el_hit_[c.dataset_id] = 0;
    for (const auto& rd : readers_) {
      if (rd.job < 0 || rd.dataset != static_cast<int>(c.dataset_id) || rd.order.empty()) continue;
      if (jobs_[rd.job].phase != Phase::kRunning) continue;
      ++m.active_readers;
      m.demand_bps += rd.compute_rate;
    }
    m.shortfall_bps = m.demand_bps * (m.hit_ratio >= 0 ? 1.0 - m.hit_ratio : 1.0);
    m.worker_cost_per_hour = worker_cost_per_hour(c, any_node);
    core::ScaleDecision d = scalers_[ci]->decide(m);
    std::int32_t live = m.ready_replicas + starting_[ci];
    if (d.replicas != desired_[ci]) {
      scale_events_.push_back({core::to_seconds(sim_.now()), core::object_key(c.runtime->meta),
                               desired_[ci], d.replicas, d.reason});
      desired_[ci] = d.replicas;
    }
    std::string key = core::object_key(c.runtime->meta);
    // Up: new workers serve after their start-up time, which comes from the
    // node that will host them (or the elasticity default).
    for (; live < desired_[ci]; ++live) {
      ++starting_[ci];
      ++scale_ups_;
      core::Duration startup = spec_.elasticity.worker_startup;
      for (const auto& n : nodes_) {
        bool hosts = false;
        for (const auto& w : c.workers) hosts = hosts || (w.live && w.node_name == n.meta.name);
        if (!hosts && n.kind == core::NodeKind::kEcs && n.worker_startup.count() > 0) {
          startup = n.worker_startup;
          break;
        }
      }
      sim_.schedule_after(startup, [this, ci, key] {
        --starting_[ci];
        accrue_worker_cost();
        bool added = false;
        for (std::size_t i = 0; i < nodes_.size() && !added; ++i) {
          added = place_cache_worker(key, nodes_[i].meta.name).is_ok();
        }
        if (!added) {
          scale_events_.push_back({core::to_seconds(sim_.now()), key, desired_[ci], desired_[ci],
                                   "no node can take another worker"});
        }
      });
    }
    // Down: one victim at a time, never below what the desired count allows;
    // a worker serving reads is retried next period.
    while (m.ready_replicas > desired_[ci] && m.ready_replicas > 0) {
      if (!scale_in_one(ci).is_ok()) break;
      --m.ready_replicas;
      ++scale_downs_;
    }
  }
  bool work_left = done_jobs_ < static_cast<std::int64_t>(jobs_.size());
  if (work_left) sim_.schedule_after(spec_.elasticity.period, [this] { elasticity_tick(); });
}

void ClusterRun::arrive(int j) {
  jobs_[j].phase = Phase::kPending;
  pending_.push_back(j);
  if (spec_.policies.injection == "fluid") inject_fluid_affinity(j);
  queue_.add(j, j);
  request_scheduling();
}

void ClusterRun::inject_fluid_affinity(int j) {
  // What Fluid's webhook does at pod creation: NodeAffinityWithCache for pods
  // with datasets, PreferNodesWithoutCache for the others.
  std::vector<std::string> keys;
  for (const auto& [name, w] : spec_.policies.tiered_locality.preferred) keys.push_back(name);
  for (const auto& name : spec_.policies.tiered_locality.required) keys.push_back(name);
  for (auto& pod : jobs_[j].pods) {
    core::Pod mutated = pod;
    std::vector<core::MountedDataset> mounted;
    for (const auto& claim : pod.claim_names()) {
      for (std::size_t d = 0; d < spec_.fluid.datasets.size(); ++d) {
        const auto& ds = spec_.fluid.datasets[d];
        if (ds.meta.name != claim || ds.meta.namespace_ != pod.meta.namespace_) continue;
        core::MountedDataset m;
        m.ns = ds.meta.namespace_;
        m.name = ds.meta.name;
        CacheRuntimeSim* c = cache_for(static_cast<int>(d));
        m.has_runtime = c != nullptr;
        if (c) {
          std::vector<const core::Node*> worker_nodes;
          for (const auto& w : c->workers) worker_nodes.push_back(&nodes_[w.node]);
          m.cache_affinity = core::cache_affinity_from_nodes(worker_nodes, keys);
          m.fuse_node_selector = c->runtime->fuse.node_selector;
        }
        mounted.push_back(std::move(m));
      }
    }
    bool changed = mounted.empty() ? core::prefer_nodes_without_cache(mutated)
                                   : core::node_affinity_with_cache(mutated, mounted,
                                                                    spec_.policies.tiered_locality);
    if (changed) AQ_CHECK(patch_pod(core::object_key(pod.meta), mutated).is_ok());
  }
}

void ClusterRun::request_scheduling() {
  if (scheduling_requested_) return;
  scheduling_requested_ = true;
  // One pass after every event at this instant: arrivals at the same second
  // are considered together, in arrival order.
  sim_.schedule_at(sim_.now(), [this] {
    scheduling_requested_ = false;
    schedule_pass();
  });
}

std::vector<std::int64_t> ClusterRun::joint_pass(std::vector<std::int64_t> ready) {
  // Single-pod jobs go to the joint placer; gangs stay with the framework.
  // Keep queue order: the batch is the longest prefix of ready single-pod
  // jobs whose total GPU and CPU requests fit in what is free; the flow then
  // chooses where, not who (min-cost max-flow would otherwise trade old jobs
  // for many small ones).
  std::vector<std::int64_t> rest, batch;
  core::Resources free_total;
  for (const auto& info : infos_) free_total += info.free();
  core::Resources want;
  bool prefix_open = true;
  for (std::int64_t id : ready) {
    if (jobs_[id].pods.size() != 1 || !prefix_open) {
      rest.push_back(id);
      continue;
    }
    core::Resources r = jobs_[id].pods[0].requests();
    if (!free_total.fits(want + r)) {
      prefix_open = false;
      rest.push_back(id);
      continue;
    }
    want += r;
    batch.push_back(id);
  }
  if (batch.empty()) return rest;
  std::vector<const core::Pod*> pods;
  for (std::int64_t id : batch) pods.push_back(&jobs_[id].pods[0]);
  std::vector<scheduler::DatasetSites> sites;
  for (auto& c : caches_) {
    scheduler::DatasetSites ds;
    ds.dataset = c.dataset_id;
    bool has_data = false, busy = false;
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      ds.workers.push_back(w.node);
      has_data = has_data || w.store.used_bytes() > 0;
      busy = busy || w.active_reads > 0;
    }
    ds.movable = !has_data && !busy;
    if (ds.movable) {
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const core::Node& n = nodes_[i];
        if (n.kind != core::NodeKind::kEcs) continue;
        if (!runtime_adapters::engine_supports(c.runtime->engine, n.arch)) continue;
        bool fits = true;
        for (const auto& t : c.runtime->tiers) {
          if (n.cache_capacity_bytes[static_cast<int>(t.medium)] < t.quota_bytes) fits = false;
        }
        bool mine = std::find(ds.workers.begin(), ds.workers.end(), i) != ds.workers.end();
        if (fits &&
            (mine ||
             core::worker_placement_conflict(n, spec_.fluid.datasets[c.dataset_id]).empty())) {
          ds.eligible.push_back(i);
        }
      }
    }
    sites.push_back(std::move(ds));
  }
  scheduler::JointPlacer placer(*scheduler_);
  scheduler::JointResult r = placer.place(*this, pods, sites);
  // Move cold workers first (through the sink), then bind the pods.
  for (std::size_t k = 0; k < r.sites.size(); ++k) {
    CacheRuntimeSim* c = cache_for(static_cast<int>(r.sites[k].dataset));
    std::vector<std::size_t> before = sites[k].workers, after = r.sites[k].workers;
    std::sort(before.begin(), before.end());
    if (before == after) continue;
    std::string key = core::object_key(c->runtime->meta);
    for (std::size_t old : before) {
      if (!std::binary_search(after.begin(), after.end(), old)) {
        AQ_CHECK(remove_cache_worker(key, nodes_[old].meta.name).is_ok());
      }
    }
    for (std::size_t nw : after) {
      if (!std::binary_search(before.begin(), before.end(), nw)) {
        core::Status st = place_cache_worker(key, nodes_[nw].meta.name);
        AQ_CHECK(st.is_ok());
      }
    }
    ++worker_moves_;
  }
  for (std::size_t k = 0; k < batch.size(); ++k) {
    int j = static_cast<int>(batch[k]);
    if (r.pod_nodes[k] == core::kNoNode) {
      rest.push_back(batch[k]);  // the framework gives the reason
      continue;
    }
    AQ_CHECK(
        bind(core::object_key(jobs_[j].pods[0].meta), nodes_[r.pod_nodes[k]].meta.name).is_ok());
    queue_.done(batch[k]);
    std::erase(pending_, j);
    start_job(j);
  }
  std::sort(rest.begin(), rest.end());
  return rest;
}

void ClusterRun::schedule_pass() {
  core::Time now = sim_.now();
  std::vector<std::int64_t> ready = queue_.pop_ready(now);
  if (spec_.policies.placement == "joint") ready = joint_pass(std::move(ready));
  // Jobs identical in shape to one that just failed would fail too: skip them
  // (only when pods carry no per-job affinity that could make them differ).
  std::vector<std::pair<core::Resources, std::int32_t>> failed_shapes;
  const bool shapes_comparable = spec_.policies.injection == "none";
  for (std::int64_t id : ready) {
    int j = static_cast<int>(id);
    const JobSpec& js = workload_.jobs[j];
    bool skip = false;
    for (const auto& [res, pods] : failed_shapes) {
      if (shapes_comparable && pods <= js.pods && js.per_pod.cpu_milli >= res.cpu_milli &&
          js.per_pod.memory_bytes >= res.memory_bytes && js.per_pod.gpu_milli >= res.gpu_milli) {
        skip = true;
      }
    }
    if (skip) {
      queue_.mark_unschedulable(id, now);
      continue;
    }
    std::vector<const core::Pod*> pods;
    for (const auto& p : jobs_[j].pods) pods.push_back(&p);
    scheduler::GangDecision d = scheduler_->place(*this, pods);
    if (!d.placed) {
      jobs_[j].reason = d.reason;
      failed_shapes.push_back({js.per_pod, js.pods});
      queue_.mark_unschedulable(id, now);
      continue;
    }
    core::Status bound = scheduler_->bind(*this, *this, pods, d);
    AQ_CHECK(bound.is_ok());
    queue_.done(id);
    std::erase(pending_, j);
    start_job(j);
  }
  // Wake up for backoff expiries and the unschedulable flush.
  if (wakeup_) sim_.cancel(wakeup_);
  wakeup_ = core::TimerId{};
  if (auto t = queue_.next_wakeup()) {
    wakeup_ = sim_.schedule_at(*t, [this] {
      wakeup_ = core::TimerId{};
      request_scheduling();
    });
  }
}

int ClusterRun::find_pod(std::string_view key, int* pod_index) const {
  auto it = pod_index_.find(std::string(key));
  if (it == pod_index_.end()) return -1;
  if (jobs_[it->second.first].phase != Phase::kPending) return -1;
  *pod_index = it->second.second;
  return it->second.first;
}

core::Status ClusterRun::bind(std::string_view pod_key, std::string_view node_name) {
  int p = 0;
  int j = find_pod(pod_key, &p);
  if (j < 0) return core::not_found("no pending pod " + std::string(pod_key));
  core::Pod& pod = jobs_[j].pods[p];
  if (!pod.node_name.empty())
    return core::failed_precondition(std::string(pod_key) + " is already bound");
  auto it =
      std::lower_bound(nodes_.begin(), nodes_.end(), node_name,
                       [](const core::Node& n, std::string_view v) { return n.meta.name < v; });
  if (it == nodes_.end() || it->meta.name != node_name) {
    return core::not_found("no node " + std::string(node_name));
  }
  auto i = static_cast<std::size_t>(it - nodes_.begin());
  core::Resources req = pod.requests();
  if (!infos_[i].free().fits(req)) {
    return core::resource_exhausted(std::string(pod_key) + " does not fit on " +
                                    std::string(node_name));
  }
  infos_[i].requested += req;
  ++infos_[i].pod_count;
  pod.node_name = std::string(node_name);
  if (jobs_[j].nodes.size() < jobs_[j].pods.size()) jobs_[j].nodes.resize(jobs_[j].pods.size());
  jobs_[j].nodes[p] = i;
  return core::Status::ok();
}

core::Status ClusterRun::patch_pod(std::string_view pod_key, const core::Pod& mutated) {
  int p = 0;
  int j = find_pod(pod_key, &p);
  if (j < 0) return core::not_found("no pending pod " + std::string(pod_key));
  if (!jobs_[j].pods[p].node_name.empty()) {
    return core::failed_precondition(std::string(pod_key) +
                                     " is bound; only pending pods can be patched");
  }
  core::ObjectMeta meta = jobs_[j].pods[p].meta;
  jobs_[j].pods[p] = mutated;
  jobs_[j].pods[p].meta.name = meta.name;
  jobs_[j].pods[p].meta.namespace_ = meta.namespace_;
  return core::Status::ok();
}

int ClusterRun::find_runtime_cache(std::string_view runtime_key) const {
  for (std::size_t c = 0; c < caches_.size(); ++c) {
    if (core::object_key(caches_[c].runtime->meta) == runtime_key) return static_cast<int>(c);
  }
  return -1;
}

core::Status ClusterRun::place_cache_worker(std::string_view runtime_key, std::string_view node) {
  int c = find_runtime_cache(runtime_key);
  if (c < 0) return core::not_found("no cache runtime " + std::string(runtime_key));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].meta.name != node) continue;
    for (const auto& w : caches_[c].workers) {
      if (w.live && w.node == i)
        return core::failed_precondition(std::string(runtime_key) + " already has a worker on " +
                                         std::string(node));
    }
    if (nodes_[i].kind != core::NodeKind::kEcs) {
      return core::failed_precondition("cache workers run on ECS nodes; " + std::string(node) +
                                       " is ECI");
    }
    if (!runtime_adapters::engine_supports(caches_[c].runtime->engine, nodes_[i].arch)) {
      return core::failed_precondition(std::string("the engine's images do not support arch ") +
                                       core::arch_name(nodes_[i].arch));
    }
    return add_worker(caches_[c], i);
  }
  return core::not_found("no node " + std::string(node));
}

core::Status ClusterRun::remove_cache_worker(std::string_view runtime_key, std::string_view node) {
  int c = find_runtime_cache(runtime_key);
  if (c < 0) return core::not_found("no cache runtime " + std::string(runtime_key));
  auto& cache = caches_[c];
  for (std::uint32_t w = 0; w < cache.workers.size(); ++w) {
    if (!cache.workers[w].live || cache.workers[w].node_name != node) continue;
    if (cache.workers[w].active_reads > 0) {
      return core::failed_precondition("worker on " + std::string(node) + " is serving reads");
    }
    cache.ring.remove(w);
    // Its blocks are lost; the slot stays so worker ids remain stable.
    auto tiers = cache.runtime->tiers;
    std::vector<core::TierSpec> specs;
    for (const auto& t : tiers)
      specs.push_back(core::TierSpec{t.medium, t.quota_bytes, t.high, t.low});
    auto fresh = core::TieredStore::create(specs, evictions_, spec_.policies.eviction);
    if (fresh.ok()) cache.workers[w].store = std::move(*fresh);
    infos_[cache.workers[w].node].requested -= cache.runtime->worker.requests;
    core::unlabel_node_for_worker(nodes_[cache.workers[w].node],
                                  spec_.fluid.datasets[cache.dataset_id], *cache.runtime);
    cache.workers[w].live = false;
    return core::Status::ok();
  }
  return core::not_found(std::string(runtime_key) + " has no worker on " + std::string(node));
}

core::Status ClusterRun::scale_runtime(std::string_view runtime_key, std::int32_t replicas) {
  int c = find_runtime_cache(runtime_key);
  if (c < 0) return core::not_found("no cache runtime " + std::string(runtime_key));
  auto live = [&] {
    std::int32_t n = 0;
    for (const auto& w : caches_[c].workers) n += w.live;
    return n;
  };
  while (live() < replicas) {
    bool added = false;
    for (std::size_t i = 0; i < nodes_.size() && !added; ++i) {
      added = place_cache_worker(runtime_key, nodes_[i].meta.name).is_ok();
    }
    if (!added)
      return core::resource_exhausted("no node can take another worker of " +
                                      std::string(runtime_key));
  }
  while (live() > replicas) {
    for (auto it = caches_[c].workers.rbegin(); it != caches_[c].workers.rend(); ++it) {
      if (it->live) {
        AQ_RETURN_IF_ERROR(remove_cache_worker(runtime_key, it->node_name));
        break;
      }
    }
  }
  return core::Status::ok();
}

core::Status ClusterRun::start_data_load(const core::DataLoad& load) {
  int d = -1;
  for (std::size_t i = 0; i < spec_.fluid.datasets.size(); ++i) {
    const auto& ds = spec_.fluid.datasets[i];
    if (ds.meta.name == load.dataset_name && ds.meta.namespace_ == load.dataset_namespace)
      d = static_cast<int>(i);
  }
  if (d < 0) {
    return core::not_found("DataLoad " + core::object_key(load.meta) + " names Dataset " +
                           load.dataset_namespace + "/" + load.dataset_name +
                           ", which is not defined");
  }
  if (load.policy == core::DataLoadPolicy::kOnEvent) {
    return core::failed_precondition("DataLoad " + core::object_key(load.meta) +
                                     ": policy OnEvent is not simulated (Once and Cron are)");
  }
  LoadSpec ls{load, d, std::nullopt};
  if (load.policy == core::DataLoadPolicy::kCron) {
    auto cron = core::parse_cron(load.schedule);
    if (!cron.ok()) return cron.status().with_context("DataLoad " + core::object_key(load.meta));
    ls.cron = *cron;
  }
  loads_.push_back(std::move(ls));
  int idx = static_cast<int>(loads_.size() - 1);
  if (load.policy == core::DataLoadPolicy::kOnce) {
    begin_load_run(idx);
  } else {
    schedule_next_firing(idx);
  }
  return core::Status::ok();
}

void ClusterRun::schedule_next_firing(int idx) {
  core::Time t = loads_[idx].cron->next_after(sim_.now());
  if (t == core::Time::max()) return;
  ++pending_firings_;
  sim_.schedule_at(t, [this, idx] {
    --pending_firings_;
    // Fire only while there is work to warm the cache for.
    if (done_jobs_ >= static_cast<std::int64_t>(jobs_.size())) return;
    bool running = false;
    for (const auto& run : load_runs_) running = running || (run.load == idx && run.end_s < 0);
    if (running) {
      ++loads_[idx].skipped;  // Fluid does not start a run while the last one executes
    } else {
      begin_load_run(idx);
    }
    schedule_next_firing(idx);
  });
}

void ClusterRun::begin_load_run(int idx) {
  const LoadSpec& ls = loads_[idx];
  LoadRun run;
  run.load = idx;
  run.number = 1;
  for (const auto& r : load_runs_) run.number += r.load == idx;
  run.start_s = core::to_seconds(sim_.now());
  CacheRuntimeSim* c = cache_for(ls.dataset);
  if (!c) {
    // No cache (or cache disabled): nothing to warm; the run completes at once.
    run.end_s = run.start_s;
    run.phase = "Complete";
    load_runs_.push_back(run);
    return;
  }
  std::int32_t streams = 0;
  for (const auto& w : c->workers) streams += w.live;
  int r = new_reader(ls.dataset, -1, std::max(streams, 1), kInf, 1, /*shuffle=*/false,
                     static_cast<std::uint64_t>(load_runs_.size()));
  readers_[r].load_run = static_cast<int>(load_runs_.size());
  run.phase = "Executing";
  load_runs_.push_back(run);
  ++active_loaders_;
  sim_.schedule_at(sim_.now(), [this, r] { next_block(r); });
}

int ClusterRun::new_reader(int dataset, int job, std::int32_t streams, double compute_rate,
                           std::int32_t epochs, bool shuffle, std::uint64_t seed_tag) {
  Reader rd;
  rd.job = job;
  rd.dataset = dataset;
  rd.streams = streams;
  rd.compute_rate = compute_rate;
  rd.epochs = epochs;
  rd.shuffle = shuffle;
  std::string stream_name =
      job >= 0 ? "job/" + workload_.jobs[job].id : "dataload/" + std::to_string(seed_tag);
  rd.rng = Rng::stream(spec_.seed, stream_name);
  std::int64_t n = block_count(dataset);
  rd.order.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) rd.order[i] = static_cast<std::uint32_t>(i);
  if (shuffle) rd.rng.shuffle(rd.order);
  if (job >= 0) rd.nodes = jobs_[job].nodes;
  readers_.push_back(std::move(rd));
  return static_cast<int>(readers_.size() - 1);
}

void ClusterRun::start_job(int j) {
  JobState& st = jobs_[j];
  const JobSpec& js = workload_.jobs[j];
  st.phase = Phase::kRunning;
  st.start = sim_.now();
  double speed = kInf;
  for (std::size_t n : st.nodes) speed = std::min(speed, nodes_[n].speed_factor);
  if (js.dataset < 0) {
    core::Duration d = core::from_seconds(core::to_seconds(js.compute_duration) / speed);
    sim_.schedule_after(d, [this, j] { finish_job(j); });
    return;
  }
  st.reader = new_reader(js.dataset, j, js.streams, js.compute_rate * speed, js.epochs, true, 0);
  next_block(st.reader);
}

// Analytical fidelity: one event per epoch. The epoch's hits come from
// core::predict_shuffled_epoch (LRU, uniformly shuffled reads) on the
// dataset's cached share; hits read at the top tier's bandwidth, misses at
// this reader's share of the object store, plus the per-block latencies.
void ClusterRun::next_epoch_analytical(int r) {
  Reader& rd = readers_[r];
  if (rd.epoch >= rd.epochs) {
    finish_reader(r);
    return;
  }
  const double bsize = static_cast<double>(block_size_of(rd.dataset));
  const double dsize = static_cast<double>(spec_.fluid.datasets[rd.dataset].size_bytes);
  const double n = std::ceil(dsize / bsize);
  CacheRuntimeSim* cache = cache_for(rd.dataset);
  double capacity = 0;
  if (cache) {
    for (const auto& w : cache->workers) {
      if (!w.live) continue;
      for (int l = 0; l < w.store.level_count(); ++l) {
        capacity += w.store.spec(l).high * static_cast<double>(w.store.spec(l).quota_bytes);
      }
    }
  }
  double& cached = analytic_cached_[rd.dataset];  // blocks
  core::EpochPrediction p;
  if (rd.job < 0) {
    p.hit_blocks = cached;  // a DataLoad reads only what is missing
    p.cached_after = std::min(capacity / bsize, n);
  } else {
    p = core::predict_shuffled_epoch(n, capacity / bsize, cached);
  }
  const double hit_bytes = std::min(dsize, p.hit_blocks * bsize);
  const double miss_bytes = std::max(0.0, dsize - hit_bytes);
  double client_nic = 0;
  for (std::size_t nd : rd.nodes) client_nic += nodes_[nd].nic_bandwidth;
  if (rd.nodes.empty()) client_nic = kInf;
  const auto& os = spec_.object_store;
  store_streams_ += rd.streams;
  double miss_rate =
      std::min({rd.streams * std::min(os.per_connection_bandwidth,
                                      os.aggregate_bandwidth / static_cast<double>(store_streams_)),
                client_nic, rd.compute_rate});
  double hit_rate = std::min(spec_.cache.medium_bandwidth[0], rd.compute_rate);
  core::Duration engine = cache ? cache->engine_latency : core::Duration(0);
  const double miss_blocks = n - p.hit_blocks;
  double seconds = (miss_bytes > 0 ? miss_bytes / miss_rate : 0) +
                   miss_blocks * core::to_seconds(os.request_latency + engine);
  if (rd.job >= 0) {  // a DataLoad skips what is cached; a job reads it
    seconds += (hit_bytes > 0 ? hit_bytes / hit_rate : 0) +
               p.hit_blocks * core::to_seconds(spec_.cache.hit_latency + engine);
  }
  sim_.schedule_after(core::from_seconds(seconds), [this, r, hit_bytes, miss_bytes, p] {
    Reader& rr = readers_[r];
    store_streams_ -= rr.streams;
    auto hb = static_cast<std::int64_t>(hit_bytes), mb = static_cast<std::int64_t>(miss_bytes);
    if (rr.job >= 0) {
      rr.bytes_cache += hb;
      iv_cache_bytes_ += hb;
      iv_ds_read_[rr.dataset] += hb + mb;
      iv_ds_hit_[rr.dataset] += hb;
    } else {
      dataload_bytes_ += mb;
    }
    rr.bytes_store += mb;
    iv_store_bytes_ += mb;
    if (cache_for(rr.dataset))
      analytic_cached_[rr.dataset] = std::max(analytic_cached_[rr.dataset], p.cached_after);
    ++rr.epoch;
    next_epoch_analytical(r);
  });
}

void ClusterRun::next_block(int r) {
  if (spec_.cache.fidelity == "analytical") {
    next_epoch_analytical(r);
    return;
  }
  Reader& rd = readers_[r];
  if (rd.pos == rd.order.size()) {
    ++rd.epoch;
    if (rd.epoch >= rd.epochs) {
      finish_reader(r);
      return;
    }
    rd.pos = 0;
    if (rd.shuffle) rd.rng.shuffle(rd.order);
  }
  const std::int64_t bsize = block_size_of(rd.dataset);
  const std::int64_t dsize = spec_.fluid.datasets[rd.dataset].size_bytes;
  rd.block = rd.order[rd.pos];
  rd.block_bytes =
      std::min<std::int64_t>(bsize, dsize - static_cast<std::int64_t>(rd.block) * bsize);
  CacheRuntimeSim* cache = cache_for(rd.dataset);
  core::BlockKey key{static_cast<std::uint32_t>(rd.dataset), rd.block};
  double rate = kInf;
  core::Duration latency{0};
  std::optional<int> tier;
  std::uint32_t w = 0;
  if (cache && !cache->ring.empty()) {
    w = cache->ring.owner(key);
    tier = rd.job < 0 ? cache->workers[w].store.peek(key) : cache->workers[w].store.lookup(key);
  }
  // Client-side NIC: the sum over the reader's pods' nodes.
  double client_nic = 0;
  for (std::size_t n : rd.nodes) client_nic += nodes_[n].nic_bandwidth;
  if (rd.nodes.empty()) client_nic = kInf;
  if (tier) {
    if (rd.job < 0) {  // a DataLoad skips blocks already cached
      ++rd.pos;
      sim_.schedule_at(sim_.now(), [this, r] { next_block(r); });
      return;
    }
    CacheWorker& wk = cache->workers[w];
    ++wk.active_reads;
    double n = wk.active_reads;
    rate = spec_.cache.medium_bandwidth[*tier] / n;
    bool local = std::find(rd.nodes.begin(), rd.nodes.end(), wk.node) != rd.nodes.end();
    if (!local) rate = std::min({rate, nodes_[wk.node].nic_bandwidth / n, client_nic});
    bool cross_zone = !rd.nodes.empty() && nodes_[rd.nodes[0]].zone != nodes_[wk.node].zone;
    if (cross_zone && spec_.cache.cross_zone_bandwidth > 0)
      rate = std::min(rate, spec_.cache.cross_zone_bandwidth);
    rd.served_rate = std::min(rate, rd.compute_rate);
    served_rate_[wk.node] += rd.served_rate;
    update_io(wk.node);
    latency = spec_.cache.hit_latency + cache->engine_latency +
              (cross_zone ? spec_.cache.cross_zone_latency : core::Duration(0));
    rd.source = Source::kWorker;
    rd.worker = w;
  } else {
    store_streams_ += rd.streams;
    const auto& os = spec_.object_store;
    double per_stream = std::min(os.per_connection_bandwidth,
                                 os.aggregate_bandwidth / static_cast<double>(store_streams_));
    rate = std::min(per_stream * rd.streams, client_nic);
    latency = os.request_latency + (cache ? cache->engine_latency : core::Duration(0));
    rd.source = Source::kStore;
    rd.worker = w;
  }
  double eff = std::min(rate, rd.compute_rate);
  core::Duration dt = latency + core::from_seconds(static_cast<double>(rd.block_bytes) / eff);
  sim_.schedule_after(dt, [this, r] { end_block(r); });
}

void ClusterRun::end_block(int r) {
  Reader& rd = readers_[r];
  CacheRuntimeSim* cache = cache_for(rd.dataset);
  if (rd.job >= 0) {
    iv_ds_read_[rd.dataset] += rd.block_bytes;
    el_read_[rd.dataset] += rd.block_bytes;
    if (rd.source == Source::kWorker) {
      iv_ds_hit_[rd.dataset] += rd.block_bytes;
      el_hit_[rd.dataset] += rd.block_bytes;
    }
  }
  if (rd.source == Source::kWorker) {
    --cache->workers[rd.worker].active_reads;
    std::size_t wn = cache->workers[rd.worker].node;
    served_rate_[wn] = std::max(0.0, served_rate_[wn] - rd.served_rate);
    update_io(wn);
    rd.bytes_cache += rd.block_bytes;
    iv_cache_bytes_ += rd.block_bytes;
  } else {
    store_streams_ -= rd.streams;
    rd.bytes_store += rd.block_bytes;
    iv_store_bytes_ += rd.block_bytes;
    if (rd.job < 0) dataload_bytes_ += rd.block_bytes;
    if (cache && !cache->ring.empty()) {
      // Cache on read: the block lands in the responsible worker's top tier.
      core::BlockKey key{static_cast<std::uint32_t>(rd.dataset), rd.block};
      (void)cache->workers[rd.worker].store.insert(key, rd.block_bytes);
    }
  }
  rd.source = Source::kNone;
  ++rd.pos;
  next_block(r);
}

void ClusterRun::finish_reader(int r) {
  Reader& rd = readers_[r];
  if (rd.job >= 0) {
    finish_job(rd.job);
  } else {
    --active_loaders_;
    if (rd.load_run >= 0) {
      LoadRun& run = load_runs_[rd.load_run];
      run.end_s = core::to_seconds(sim_.now());
      run.bytes_loaded = rd.bytes_store;
      run.phase = "Complete";
    }
  }
  rd.order.clear();
  rd.order.shrink_to_fit();
}

void ClusterRun::finish_job(int j) {
  JobState& st = jobs_[j];
  st.phase = Phase::kDone;
  st.end = sim_.now();
  for (std::size_t p = 0; p < st.pods.size(); ++p) {
    core::Resources req = st.pods[p].requests();
    infos_[st.nodes[p]].requested -= req;
    --infos_[st.nodes[p]].pod_count;
  }
  ++done_jobs_;
  queue_.on_cluster_change(sim_.now());
  request_scheduling();
}

void ClusterRun::sample() {
  core::Time now = sim_.now();
  double span = core::to_seconds(now - last_sample_);
  Sample s;
  s.time_s = core::to_seconds(now);
  std::int64_t gpu = 0, cpu = 0;
  for (const auto& info : infos_) {
    gpu += info.requested.gpu_milli;
    cpu += info.requested.cpu_milli;
  }
  s.gpu_utilization = total_gpu_milli_ > 0 ? static_cast<double>(gpu) / total_gpu_milli_ : 0;
  s.cpu_utilization = total_cpu_milli_ > 0 ? static_cast<double>(cpu) / total_cpu_milli_ : 0;
  for (const auto& st : jobs_) {
    s.running_jobs += st.phase == Phase::kRunning;
    s.pending_jobs += st.phase == Phase::kPending;
  }
  for (const auto& c : caches_) {
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      s.cache_used_bytes += w.store.used_bytes();
      s.cache_capacity_bytes += w.store.capacity_bytes();
    }
  }
  std::int64_t read = iv_cache_bytes_ + iv_store_bytes_;
  s.hit_ratio = read > 0 ? static_cast<double>(iv_cache_bytes_) / static_cast<double>(read) : -1;
  s.store_throughput = span > 0 ? static_cast<double>(iv_store_bytes_) / span : 0;
  s.cache_throughput = span > 0 ? static_cast<double>(iv_cache_bytes_) / span : 0;
  iv_cache_bytes_ = iv_store_bytes_ = 0;
  last_sample_ = now;
  // Fluid's per-dataset cache status (status.cacheStates), hit ratio over the interval.
  for (const auto& c : caches_) {
    CacheStatusSample cs;
    cs.time_s = s.time_s;
    const auto& ds = spec_.fluid.datasets[c.dataset_id];
    cs.dataset = core::object_key(ds.meta);
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      cs.capacity_bytes += w.store.capacity_bytes();
      cs.cached_bytes += w.store.dataset_bytes(c.dataset_id);
    }
    if (spec_.cache.fidelity == "analytical") {
      cs.cached_bytes = std::min<std::int64_t>(
          ds.size_bytes, static_cast<std::int64_t>(analytic_cached_[c.dataset_id] *
                                                   static_cast<double>(c.block_size)));
    }
    cs.cached_percentage =
        ds.size_bytes > 0 ? 100.0 * static_cast<double>(cs.cached_bytes) / ds.size_bytes : 0;
    std::int64_t read = iv_ds_read_[c.dataset_id];
    cs.hit_ratio =
        read > 0 ? static_cast<double>(iv_ds_hit_[c.dataset_id]) / static_cast<double>(read) : -1;
    iv_ds_read_[c.dataset_id] = iv_ds_hit_[c.dataset_id] = 0;
    cache_status_.push_back(std::move(cs));
  }
  samples_.push_back(s);
  bool work_left = done_jobs_ < static_cast<std::int64_t>(jobs_.size()) || active_loaders_ > 0;
  if (work_left) {
    sim_.schedule_after(spec_.sample_interval, [this] { sample(); });
  } else {
    finished_ = true;
  }
}

std::span<const core::CacheState> ClusterRun::cache_states() const {
  cache_states_.clear();
  for (const auto& c : caches_) {
    core::CacheState cs;
    const auto& ds = spec_.fluid.datasets[c.dataset_id];
    cs.dataset = core::object_key(ds.meta);
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      cs.capacity_bytes += w.store.capacity_bytes();
      cs.cached_bytes += w.store.dataset_bytes(c.dataset_id);
      cs.workers.push_back({w.node_name, w.store.capacity_bytes(), w.store.used_bytes(),
                            w.store.dataset_bytes(c.dataset_id)});
    }
    cs.cached_percentage =
        ds.size_bytes > 0 ? 100.0 * static_cast<double>(cs.cached_bytes) / ds.size_bytes : 0;
    std::sort(cs.workers.begin(), cs.workers.end(),
              [](const auto& a, const auto& b) { return a.node_name < b.node_name; });
    cache_states_.push_back(std::move(cs));
  }
  std::sort(cache_states_.begin(), cache_states_.end(),
            [](const auto& a, const auto& b) { return a.dataset < b.dataset; });
  return cache_states_;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  // Nearest-rank percentile.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  if (rank == 0) rank = 1;
  return v[std::min(rank, v.size()) - 1];
}

RunResult ClusterRun::run(const RunOptions& options) {
  core::Time horizon = spec_.horizon.count() > 0 ? spec_.horizon : core::Time::max();
  const std::uint64_t kChunk = 20000;
  const double total = static_cast<double>(std::max<std::size_t>(jobs_.size(), 1));
  while (!finished_ && sim_.pending() > 0) {
    std::uint64_t ran = 0;
    while (ran < kChunk && !finished_ && sim_.next_event_time() <= horizon && sim_.step()) ++ran;
    if (options.progress) {
      double frac = spec_.horizon.count() > 0
                        ? core::to_seconds(sim_.now()) / core::to_seconds(spec_.horizon)
                        : static_cast<double>(done_jobs_) / total;
      options.progress(std::min(frac, 1.0), sim_.now(), sim_.events_processed());
    }
    if (ran == 0) break;
  }
  if (spec_.horizon.count() > 0 && !finished_) sample();  // final partial interval

  RunResult out;
  std::vector<double> jcts, queues;
  double makespan = 0;
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    const JobSpec& js = workload_.jobs[j];
    const JobState& st = jobs_[j];
    JobRecord rec;
    rec.id = js.id;
    rec.application = js.application;
    rec.dataset = js.dataset >= 0 ? core::object_key(spec_.fluid.datasets[js.dataset].meta) : "";
    rec.gpus = js.gpus;
    rec.pods = js.pods;
    rec.arrival_s = core::to_seconds(js.arrival);
    rec.start_s = st.start.count() >= 0 ? core::to_seconds(st.start) : -1;
    rec.end_s = st.phase == Phase::kDone ? core::to_seconds(st.end) : -1;
    if (st.reader >= 0) {
      rec.bytes_from_cache = readers_[st.reader].bytes_cache;
      rec.bytes_from_store = readers_[st.reader].bytes_store;
    }
    for (std::size_t p = 0; p < st.nodes.size(); ++p) {
      rec.nodes += (p ? ";" : "") + nodes_[st.nodes[p]].meta.name;
    }
    if (st.phase == Phase::kPending) rec.last_unschedulable_reason = st.reason;
    if (rec.completed()) {
      jcts.push_back(rec.jct_s());
      makespan = std::max(makespan, rec.end_s);
    }
    if (rec.start_s >= 0) queues.push_back(rec.queue_s());
    out.summary.bytes_from_cache += rec.bytes_from_cache;
    out.summary.bytes_from_store += rec.bytes_from_store;
    out.jobs.push_back(std::move(rec));
  }
  Summary& s = out.summary;
  s.experiment = spec_.name;
  s.scenario = spec_.scenario;
  s.seed = spec_.seed;
  s.scheduler = scheduler_->profile().name;
  s.eviction = spec_.policies.eviction;
  s.cache_enabled = spec_.cache.enabled;
  s.jobs = static_cast<std::int64_t>(jobs_.size());
  s.completed = static_cast<std::int64_t>(jcts.size());
  double sum = 0;
  for (double v : jcts) sum += v;
  s.mean_jct_s = jcts.empty() ? 0 : sum / static_cast<double>(jcts.size());
  s.p50_jct_s = percentile(jcts, 50);
  s.p95_jct_s = percentile(jcts, 95);
  s.p99_jct_s = percentile(jcts, 99);
  double qsum = 0;
  for (double v : queues) qsum += v;
  s.mean_queue_s = queues.empty() ? 0 : qsum / static_cast<double>(queues.size());
  s.makespan_s = makespan;
  std::int64_t read = s.bytes_from_cache + s.bytes_from_store;
  s.hit_ratio = read > 0 ? static_cast<double>(s.bytes_from_cache) / static_cast<double>(read) : 0;
  s.dataload_bytes = dataload_bytes_;
  double price = 0;
  for (const auto& n : nodes_) price += n.price_per_hour;
  s.node_cost = price * makespan / 3600.0;
  s.events = sim_.events_processed();
  s.simulated_s = core::to_seconds(sim_.now());
  s.trace_rows = workload_.trace_rows;
  s.trace_rows_skipped = static_cast<std::int64_t>(workload_.skipped_rows.size());
  s.trace_rows_outside_window = workload_.trace_outside_window;
  s.cache_worker_moves = worker_moves_;
  accrue_worker_cost();
  s.cache_cost = worker_cost_;
  s.scale_ups = scale_ups_;
  s.scale_downs = scale_downs_;
  s.migrated_bytes = migrated_bytes_;
  for (const auto& e : scale_events_) {
    out.scale_events.push_back({e.time_s, e.runtime, e.from, e.to, e.reason});
  }
  for (std::size_t i = 0; i < workload_.skipped_rows.size() && i < 20; ++i) {
    s.skipped_reasons.push_back("line " + std::to_string(workload_.skipped_rows[i].line) + ": " +
                                workload_.skipped_rows[i].reason);
  }
  out.samples = std::move(samples_);
  out.cache_status = std::move(cache_status_);
  for (const auto& run : load_runs_) {
    DataLoadRecord rec;
    const LoadSpec& ls = loads_[run.load];
    rec.name = core::object_key(ls.load.meta);
    rec.dataset = core::object_key(spec_.fluid.datasets[ls.dataset].meta);
    rec.policy = ls.cron ? "Cron" : "Once";
    rec.run = run.number;
    rec.phase = run.phase;
    rec.start_s = run.start_s;
    rec.end_s = run.end_s;
    rec.bytes_loaded = run.bytes_loaded;
    out.dataloads.push_back(std::move(rec));
  }
  return out;
}

}  // namespace

core::Result<RunResult> run_experiment(const ExperimentSpec& spec, const RunOptions& options) {
  // Ties between equally good nodes are broken from the experiment's seed.
  AQ_ASSIGN_OR_RETURN(auto sched, scheduler::Framework::create(
                                      spec.policies.scheduler, scheduler::builtin_plugins(),
                                      nullptr, Rng::stream(spec.seed, "scheduler").next_u64()));
  // Fail early on an unknown eviction policy, before any worker is built.
  AQ_ASSIGN_OR_RETURN(auto probe, core::builtin_eviction_policies().create(spec.policies.eviction));
  (void)probe;
  AQ_ASSIGN_OR_RETURN(auto workload, build_workload(spec));
  auto run = std::make_unique<ClusterRun>(spec, std::move(workload), std::move(sched));
  AQ_RETURN_IF_ERROR(run->init());
  return run->run(options);
}

}  // namespace aqueduct::sim
