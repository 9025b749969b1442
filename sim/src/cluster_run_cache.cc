#include "cluster_run_impl.h"

namespace aqueduct::sim::detail {

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
  std::vector<core::MediumType> media;  // where each moved block sat on the victim
  if (spec_.elasticity.migrate_on_scale_in) {
    moved = c.workers[victim].store.blocks();
    for (const auto& [b, bytes] : moved)
      media.push_back(c.workers[victim].store.spec(*c.workers[victim].store.peek(b)).medium);
  }
  const std::size_t from = c.workers[victim].node;
  std::string key = core::object_key(c.runtime->meta);
  AQ_RETURN_IF_ERROR(remove_cache_worker(key, c.workers[victim].node_name));
  // Hot blocks go to the workers that own them now (the ring without the
  // victim), each as a flow from the victim's medium over the two nodes'
  // NICs; a block is cached at its new owner when its bytes have arrived.
  for (std::size_t i = 0; i < moved.size() && !c.ring.empty(); ++i) {
    const auto& [b, bytes] = moved[i];
    const std::uint32_t f = new_fetch();
    Fetch& fe = fetches_[f];
    fe.migrate_cache = static_cast<int>(ci);
    fe.worker = c.ring.owner(b);
    fe.block = b.index;
    fe.bytes = bytes;
    const std::size_t to = c.workers[fe.worker].node;
    std::array<FlowNetwork::ResourceId, 3> path{media_[from][static_cast<int>(media[i])], 0, 0};
    std::size_t hops = 1;
    if (to != from) {
      path[hops++] = nic_out_[from];
      path[hops++] = nic_in_[to];
    }
    auto started = net_.start(std::span<const FlowNetwork::ResourceId>(path.data(), hops),
                              static_cast<double>(bytes), FlowNetwork::kUnlimited, f);
    AQ_CHECK(started.ok());
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
    cache.remove_from_ring(w);
    // Its blocks are lost; the slot stays so worker ids remain stable.
    auto fresh = new_worker_store(cache, cache.workers[w].node);
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
  // One loader per live worker, each reading the under-storage into its worker.
  std::int32_t loaders = 0;
  for (const auto& w : c->workers) loaders += w.live;
  loaders = std::max(loaders, 1);
  int r = new_reader(ls.dataset, -1, loaders, loaders, kInf, 1, /*shuffle=*/false,
                     static_cast<std::uint64_t>(load_runs_.size()));
  readers_[r].load_run = static_cast<int>(load_runs_.size());
  run.phase = "Executing";
  load_runs_.push_back(run);
  ++active_loaders_;
  sim_.schedule_at(sim_.now(), [this, r] {
    if (spec_.cache.fidelity == "analytical") {
      next_epoch_analytical(r);
    } else {
      pump(r);
    }
  });
}

}  // namespace aqueduct::sim::detail
