#include "cluster_run_impl.h"

namespace aqueduct::sim::detail {

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
  // Pods start after their node's image pull (ECS) or cold start (ECI): a
  // log-normal draw per pod from the job's own stream; the gang waits for the slowest.
  Rng rng = Rng::stream(spec_.seed, "podstart/" + js.id);
  double delay = 0;
  for (std::size_t n : st.nodes) {
    const core::Node& node = nodes_[n];
    double median = core::to_seconds(node.pod_start_median);
    if (median <= 0) continue;
    double d =
        node.pod_start_sigma > 0 ? median * std::exp(node.pod_start_sigma * rng.normal()) : median;
    delay = std::max(delay, d);
  }
  st.startup = core::from_seconds(delay);
  sim_.schedule_after(st.startup, [this, j] { begin_work(j); });
}

void ClusterRun::begin_work(int j) {
  JobState& st = jobs_[j];
  const JobSpec& js = workload_.jobs[j];
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
  // Serverless pods are billed per second of their life on their requests;
  // the life ends when the FUSE sidecar ends too (ServerlessSpec).
  for (std::size_t p = 0; p < st.pods.size(); ++p) {
    const core::Node& n = nodes_[st.nodes[p]];
    if (n.kind != core::NodeKind::kEci) continue;
    const JobSpec& js = workload_.jobs[j];
    double linger = 0;
    // With injection on, the pod itself says whether it has a sidecar that
    // outlives the app (a fluid-fuse container) or ends with it (a native
    // sidecar, or none); without, every dataset pod has an implicit one.
    bool container_sidecar = js.dataset >= 0;
    if (spec_.policies.injection == "fluid") {
      container_sidecar = false;
      for (const auto& c : st.pods[p].containers) {
        container_sidecar = container_sidecar || c.name.rfind("fluid-fuse-", 0) == 0;
      }
    }
    if (container_sidecar) {
      const auto& sv = spec_.serverless;
      if (sv.sidecar_exit == "app-controller") {
        linger = core::to_seconds(sv.app_controller_delay);
      } else if (sv.sidecar_exit == "none") {
        lingering_pods_.push_back({j, static_cast<int>(p)});  // billed until the run ends
        continue;
      }
    }
    core::Resources r = st.pods[p].requests();
    double hours = (core::to_seconds(st.end - st.start) + linger) / 3600.0;
    sidecar_linger_s_ += linger;
    eci_cost_ += hours * (static_cast<double>(r.cpu_milli) / 1000.0 * n.price_per_cpu_hour +
                          static_cast<double>(r.memory_bytes) / (1LL << 30) * n.price_per_gib_hour +
                          static_cast<double>(r.gpu_milli) / 1000.0 * n.price_per_gpu_hour);
  }
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

}  // namespace aqueduct::sim::detail
