#include "aqueduct/sim/cluster_run.h"

#include "cluster_run_impl.h"

namespace aqueduct::sim {
namespace detail {

void ClusterRun::build_nodes() {
  nodes_ = build_pool_nodes(spec_.node_pools);
  for (const auto& n : nodes_) {
    infos_.push_back(core::NodeInfo{&n, {}, 0, 0.0, {}});
    total_gpu_milli_ += n.allocatable.gpu_milli;
    total_cpu_milli_ += n.allocatable.cpu_milli;
  }
}

void ClusterRun::build_network() {
  net_.set_done_handler([this](std::uint64_t tag) { end_fetch(static_cast<std::uint32_t>(tag)); });
  build_sources();
  for (const auto& n : nodes_) {
    double nic = n.nic_bandwidth > 0 ? n.nic_bandwidth : FlowNetwork::kUnlimited;
    nic_in_.push_back(net_.add_resource(nic));
    nic_out_.push_back(net_.add_resource(nic));
    std::array<FlowNetwork::ResourceId, core::kMediumCount> media{};
    for (int m = 0; m < core::kMediumCount; ++m)
      media[m] = net_.add_resource(spec_.cache.medium_bandwidth[m]);
    media_.push_back(media);
  }
  page_caches_.resize(nodes_.size());
  for (std::size_t n = 0; n < nodes_.size(); ++n) refresh_page_cache(n);
}

// Where each dataset's misses come from: the file server whose mount prefix
// matches its first mount point, else the object store bucket (the scheme
// and host of the mount point). Readers of one bucket or shared server share
// one resource; a per-node server is a disk resource on every node.
void ClusterRun::build_sources() {
  const auto& servers = spec_.file_servers;
  server_disks_.assign(servers.size(), {});
  for (std::size_t s = 0; s < servers.size(); ++s) {
    if (!servers[s].per_node) continue;
    for (std::size_t n = 0; n < nodes_.size(); ++n)
      server_disks_[s].push_back(net_.add_resource(servers[s].bandwidth));
  }
  for (const auto& ds : spec_.fluid.datasets) {
    const std::string mp = ds.mounts.empty() ? std::string() : ds.mounts[0].mount_point;
    DataSource src;
    for (std::size_t s = 0; s < servers.size() && src.server < 0; ++s) {
      if (servers[s].serves(mp)) src.server = static_cast<int>(s);
    }
    // The resource whose capacity all readers share: a bucket of the object
    // store (the scheme and host of the mount point) or a shared file server.
    std::string pool;
    double capacity;
    if (src.server >= 0) {
      const FileServerSpec& fs = servers[static_cast<std::size_t>(src.server)];
      src.per_node = fs.per_node;
      src.page_cached = spec_.page_cache.enabled;
      src.per_connection =
          fs.per_connection_bandwidth > 0 ? fs.per_connection_bandwidth : fs.bandwidth;
      src.latency = fs.latency;
      pool = "server/" + fs.name;
      capacity = fs.bandwidth;
    } else {
      src.per_connection = spec_.object_store.per_connection_bandwidth;
      src.latency = spec_.object_store.request_latency;
      auto scheme = mp.find("://");
      auto host_end = scheme == std::string::npos ? std::string::npos : mp.find('/', scheme + 3);
      pool = "bucket/" + mp.substr(0, host_end);
      capacity = spec_.object_store.aggregate_bandwidth;
    }
    auto it = buckets_.find(pool);
    if (it == buckets_.end()) it = buckets_.emplace(pool, net_.add_resource(capacity)).first;
    dataset_store_.push_back(it->second);
    sources_.push_back(src);
  }
}

// The page cache holds what memory pods have not requested and the node's
// MEM cache tier does not use.
void ClusterRun::refresh_page_cache(std::size_t node) {
  const core::Node& n = nodes_[node];
  std::int64_t free = n.allocatable.memory_bytes - infos_[node].requested.memory_bytes -
                      n.cache_capacity_bytes[static_cast<int>(core::MediumType::kMem)];
  page_caches_[node].set_capacity(std::max<std::int64_t>(0, free));
}

FlowNetwork::ResourceId ClusterRun::zone_link(std::size_t from_node, std::size_t to_node) {
  auto key = std::make_pair(nodes_[from_node].zone, nodes_[to_node].zone);
  auto it = zone_links_.find(key);
  if (it != zone_links_.end()) return it->second;
  auto r = net_.add_resource(spec_.cache.cross_zone_bandwidth);
  zone_links_.emplace(key, r);
  return r;
}

void ClusterRun::refresh_io() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    double cap = net_.capacity(nic_out_[i]);
    infos_[i].io_utilization =
        cap < FlowNetwork::kUnlimited ? std::min(1.0, net_.load(nic_out_[i]) / cap) : 0.0;
  }
}

std::int64_t ClusterRun::block_size_of(int dataset) const {
  return block_sizes_[static_cast<std::size_t>(dataset)];
}

// Block sizes by dataset, resolved once (the runtime lookup compares names).
void ClusterRun::resolve_block_sizes() {
  block_sizes_.clear();
  dataset_sizes_.clear();
  for (std::size_t d = 0; d < spec_.fluid.datasets.size(); ++d) {
    int c = cache_of_dataset_[d];
    std::int64_t b;
    if (c >= 0) {
      b = caches_[c].block_size;
    } else if (spec_.cache.block_size > 0) {
      b = spec_.cache.block_size;
    } else {
      const core::Runtime* rt = spec_.fluid.runtime_for(spec_.fluid.datasets[d]);
      b = rt ? runtime_adapters::engine_profile(rt->engine).block_size : 64LL << 20;
    }
    block_sizes_.push_back(b);
    dataset_sizes_.push_back(spec_.fluid.datasets[d].size_bytes);
  }
}

std::int64_t ClusterRun::block_count(int dataset) const {
  std::int64_t size = dataset_sizes_[static_cast<std::size_t>(dataset)];
  std::int64_t b = block_size_of(dataset);
  return (size + b - 1) / b;
}

std::int64_t ClusterRun::scaled_quota(const CacheRuntimeSim& c, std::size_t level,
                                      std::size_t node) const {
  const auto& t = c.runtime->tiers[level];
  const auto want =
      static_cast<std::int64_t>(std::floor(static_cast<double>(t.quota_bytes) * c.quota_scale));
  return std::min<std::int64_t>(want,
                                nodes_[node].cache_capacity_bytes[static_cast<int>(t.medium)]);
}

core::Result<core::TieredStore> ClusterRun::new_worker_store(const CacheRuntimeSim& c,
                                                             std::size_t node) {
  std::vector<core::TierSpec> tiers;
  for (const auto& t : c.runtime->tiers) {
    tiers.push_back(core::TierSpec{t.medium, t.quota_bytes, t.high, t.low});
  }
  AQ_ASSIGN_OR_RETURN(auto store,
                      core::TieredStore::create(tiers, evictions_, spec_.policies.eviction));
  if (c.quota_scale != 1.0) {
    for (std::size_t l = 0; l < tiers.size(); ++l) {
      store.set_quota(static_cast<int>(l), scaled_quota(c, l, node));
    }
  }
  return store;
}

void ClusterRun::set_cache_capacity(CacheRuntimeSim& c, std::int64_t bytes) {
  std::int64_t live = 0;
  for (const auto& w : c.workers) live += w.live;
  const std::int64_t configured = c.runtime->worker_quota_bytes() * live;
  if (configured <= 0) return;  // no workers: nothing to size
  c.quota_scale = static_cast<double>(bytes) / static_cast<double>(configured);
  for (auto& w : c.workers) {
    if (!w.live) continue;
    for (int l = 0; l < w.store.level_count(); ++l) {
      w.store.set_quota(l, scaled_quota(c, static_cast<std::size_t>(l), w.node));
    }
  }
}

core::Status ClusterRun::add_worker(CacheRuntimeSim& c, std::size_t node) {
  AQ_ASSIGN_OR_RETURN(auto store, new_worker_store(c, node));
  auto id = static_cast<std::uint32_t>(c.workers.size());
  c.workers.push_back(CacheWorker{node, nodes_[node].meta.name, std::move(store), 0, true});
  c.add_to_ring(id, nodes_[node].meta.name);
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
            std::to_string(r + 1) + " of " + std::to_string(replicas) + ": " + why_not +
            " (each worker needs its own ECS node with the tier quotas free)");
      }
    }
  }
  return core::Status::ok();
}

namespace {
std::string arch_list(const std::vector<core::Arch>& arches) {
  std::string out;
  for (auto a : arches) out += (out.empty() ? "" : ", ") + std::string(core::arch_name(a));
  return "[" + out + "]";
}
}  // namespace

core::Status ClusterRun::init() {
  build_nodes();
  build_network();
  AQ_RETURN_IF_ERROR(build_caches());
  resolve_block_sizes();
  AQ_RETURN_IF_ERROR(prepare_injection());
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
      if (js.dataset >= 0) {
        core::Volume v;
        v.name = "data";
        v.pvc_claim_name = spec_.fluid.datasets[js.dataset].meta.name;
        pod.volumes.push_back(v);
        c.volume_mounts.push_back({"data", "/data", "", false, ""});
      }
      pod.containers.push_back(std::move(c));
      pod.image_arches = js.image_arches;
      // A pod that mounts a cached dataset runs the engine's FUSE client on
      // its node (DaemonSet or sidecar), so the engine's images bound its arches.
      if (js.dataset >= 0) {
        if (const CacheRuntimeSim* rc = cache_for(js.dataset)) {
          const auto& ok = runtime_adapters::engine_profile(rc->runtime->engine).arches;
          if (pod.image_arches.empty()) {
            pod.image_arches = ok;
          } else {
            std::erase_if(pod.image_arches, [&](core::Arch a) {
              return std::find(ok.begin(), ok.end(), a) == ok.end();
            });
            if (pod.image_arches.empty()) {
              return core::failed_precondition("job " + js.id + ": its images run on " +
                                               arch_list(js.image_arches) + " but the " +
                                               core::runtime_kind_name(rc->runtime->engine) +
                                               " FUSE client only on " + arch_list(ok));
            }
          }
        }
      }
      if (js.serverless) {
        // Fluid 0.8's ECI opt-in: the pod runs on a virtual-kubelet node and
        // gets an (unprivileged) FUSE sidecar when injection is on.
        pod.meta.labels["alibabacloud.com/eci"] = "true";
        pod.meta.labels["alibabacloud.com/fluid-sidecar-target"] = "eci";
        pod.node_selector["type"] = "virtual-kubelet";
        pod.tolerations.push_back({core::kVirtualKubeletTaintKey, "Exists", "", "", -1});
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
  const auto& scalers = autoscalers_;
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

double ClusterRun::eci_pod_price_per_hour(int j, int p) const {
  const core::Node& n = nodes_[jobs_[j].nodes[static_cast<std::size_t>(p)]];
  core::Resources r = jobs_[j].pods[static_cast<std::size_t>(p)].requests();
  return static_cast<double>(r.cpu_milli) / 1000.0 * n.price_per_cpu_hour +
         static_cast<double>(r.memory_bytes) / (1LL << 30) * n.price_per_gib_hour +
         static_cast<double>(r.gpu_milli) / 1000.0 * n.price_per_gpu_hour;
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
  schedule_round();
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
    if (options.should_stop && options.should_stop()) {
      stopped_ = true;
      break;
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
      rec.bytes_from_page_cache = readers_[st.reader].bytes_page;
    }
    for (std::size_t p = 0; p < st.nodes.size(); ++p) {
      rec.nodes += (p ? ";" : "") + nodes_[st.nodes[p]].meta.name;
    }
    if (st.phase == Phase::kPending) rec.last_unschedulable_reason = st.reason;
    rec.startup_s = core::to_seconds(st.startup);
    rec.preemptions = st.preemptions;
    rec.preemption_overhead_s = st.overhead_s;
    out.summary.preemptions += st.preemptions;
    if (rec.completed()) {
      jcts.push_back(rec.jct_s());
      makespan = std::max(makespan, rec.end_s);
    }
    if (rec.start_s >= 0) queues.push_back(rec.queue_s());
    out.summary.bytes_from_cache += rec.bytes_from_cache;
    out.summary.bytes_from_store += rec.bytes_from_store;
    out.summary.bytes_from_page_cache += rec.bytes_from_page_cache;
    out.jobs.push_back(std::move(rec));
  }
  Summary& s = out.summary;
  s.experiment = spec_.name;
  s.scenario = spec_.scenario;
  s.seed = spec_.seed;
  s.scheduler = scheduler_->profile().name;
  s.job_policy = job_policy_ ? std::string(job_policy_->name()) : "";
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
  std::int64_t read = s.bytes_from_cache + s.bytes_from_store + s.bytes_from_page_cache;
  s.hit_ratio = read > 0 ? static_cast<double>(s.bytes_from_cache) / static_cast<double>(read) : 0;
  s.dataload_bytes = dataload_bytes_;
  double price = 0;  // ECS nodes bill by the hour; ECI pods per second (eci_cost)
  for (const auto& n : nodes_) {
    if (n.kind == core::NodeKind::kEcs) price += n.price_per_hour;
  }
  // Pods whose sidecar never exits bill until the end of the run.
  for (const auto& [j, p] : lingering_pods_) {
    double linger = core::to_seconds(sim_.now() - jobs_[j].end);
    sidecar_linger_s_ += linger;
    eci_cost_ += (core::to_seconds(jobs_[j].end - jobs_[j].start) + linger) / 3600.0 *
                 eci_pod_price_per_hour(j, p);
  }
  s.eci_cost = eci_cost_;
  s.sidecar_linger_s = sidecar_linger_s_;
  s.node_cost = price * makespan / 3600.0;
  s.events = sim_.events_processed();
  s.flow_resolve_events = net_.stats().flushes;
  s.simulated_s = core::to_seconds(sim_.now());
  s.trace_rows = workload_.trace_rows;
  s.trace_rows_skipped = static_cast<std::int64_t>(workload_.skipped_rows.size());
  s.trace_rows_outside_window = workload_.trace_outside_window;
  s.never_placed = stalled_jobs_;
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

}  // namespace detail

using detail::ClusterRun;

core::Result<RunResult> run_experiment(const ExperimentSpec& spec, const RunOptions& options) {
  // Ties between equally good nodes are broken from the experiment's seed.
  const scheduler::PluginRegistry plugins =
      options.plugins ? *options.plugins : scheduler::builtin_plugins();
  const core::EvictionRegistry evictions =
      options.evictions ? *options.evictions : core::builtin_eviction_policies();
  const core::AutoscalerRegistry autoscalers =
      options.autoscalers ? *options.autoscalers : core::builtin_autoscalers();
  AQ_ASSIGN_OR_RETURN(auto sched,
                      scheduler::Framework::create(spec.policies.scheduler, plugins, nullptr,
                                                   Rng::stream(spec.seed, "scheduler").next_u64()));
  // Fail early on an unknown eviction policy or autoscaler, before any worker is built.
  AQ_ASSIGN_OR_RETURN(auto probe, evictions.create(spec.policies.eviction));
  (void)probe;
  AQ_ASSIGN_OR_RETURN(auto scaler_probe,
                      autoscalers.create(spec.elasticity.policy, spec.elasticity.args));
  (void)scaler_probe;
  std::unique_ptr<core::JobPolicy> job_policy;
  if (!spec.policies.jobs.policy.empty()) {
    const core::JobPolicyRegistry jobs =
        options.job_policies ? *options.job_policies : core::builtin_job_policies();
    if (spec.policies.placement == "joint") {
      return core::invalid_argument(
          "policies.jobs and policies.placement joint cannot be combined: the job policy "
          "decides which jobs start, the joint placer would start others");
    }
    auto made = jobs.create(spec.policies.jobs.policy, spec.policies.jobs.args);
    if (!made.ok()) return made.status().with_context("policies.jobs.policy");
    job_policy = std::move(*made);
  }
  AQ_ASSIGN_OR_RETURN(auto workload, build_workload(spec));
  auto run = std::make_unique<ClusterRun>(spec, std::move(workload), std::move(sched));
  run->use_registries(evictions, autoscalers);
  run->use_job_policy(std::move(job_policy));
  AQ_RETURN_IF_ERROR(run->init());
  RunResult result = run->run(options);
  if (!run->failure().is_ok()) return run->failure();
  if (run->stopped()) {
    return core::Status(core::StatusCode::kFailedPrecondition, "the run was stopped early");
  }
  result.resolved_experiment = resolved_experiment_yaml(spec);
  return result;
}

}  // namespace aqueduct::sim
