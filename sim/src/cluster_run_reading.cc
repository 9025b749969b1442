#include "cluster_run_impl.h"

#include <algorithm>

namespace aqueduct::sim::detail {

int ClusterRun::new_reader(int dataset, int job, std::int32_t loaders, std::int32_t buffer,
                           double compute_rate, std::int32_t epochs, bool shuffle,
                           std::uint64_t seed_tag) {
  Reader rd;
  rd.job = job;
  rd.dataset = dataset;
  rd.loaders = std::max<std::int32_t>(1, loaders);
  rd.buffer = std::max<std::int32_t>(rd.loaders, buffer);
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
  const bool resumed = st.start.count() >= 0;  // after a preemption
  if (!resumed) st.start = sim_.now();
  st.held_since = sim_.now();
  // Pods start after their node's image pull (ECS) or cold start (ECI): a
  // log-normal draw per pod from the job's own stream; the gang waits for the slowest.
  Rng rng =
      Rng::stream(spec_.seed, resumed ? "podstart/" + js.id + "/" + std::to_string(st.preemptions)
                                      : "podstart/" + js.id);
  double delay = 0;
  for (std::size_t n : st.nodes) {
    const core::Node& node = nodes_[n];
    double median = core::to_seconds(node.pod_start_median);
    if (median <= 0) continue;
    double d =
        node.pod_start_sigma > 0 ? median * std::exp(node.pod_start_sigma * rng.normal()) : median;
    delay = std::max(delay, d);
  }
  core::Duration wait = core::from_seconds(delay);
  if (resumed) {  // a restored checkpoint, then the work goes on
    wait += spec_.policies.jobs.restart;
    st.overhead_s += core::to_seconds(spec_.policies.jobs.restart);
  } else {
    st.startup = wait;
  }
  st.begin_timer = sim_.schedule_after(wait, [this, j] {
    jobs_[j].begin_timer = core::TimerId{};
    begin_work(j);
  });
}

void ClusterRun::begin_work(int j) {
  JobState& st = jobs_[j];
  const JobSpec& js = workload_.jobs[j];
  double speed = kInf;
  for (std::size_t n : st.nodes) speed = std::min(speed, job_speed_on(j, n));
  st.speed = speed;
  if (js.dataset < 0) {
    if (st.work_left_ref_s < 0) st.work_left_ref_s = core::to_seconds(js.compute_duration);
    st.work_since = sim_.now();
    core::Duration d = core::from_seconds(st.work_left_ref_s / speed);
    st.finish_timer = sim_.schedule_after(d, [this, j] {
      jobs_[j].finish_timer = core::TimerId{};
      finish_job(j);
    });
    return;
  }
  if (st.reader >= 0) {  // resumed after a preemption: on its new nodes, from where it was
    Reader& rd = readers_[st.reader];
    rd.nodes = st.nodes;
    rd.compute_rate = js.compute_rate * speed;
    rd.paused = false;
    consume(st.reader);
    pump(st.reader);
    return;
  }
  st.reader = new_reader(js.dataset, j, js.loaders, js.buffer_blocks, js.compute_rate * speed,
                         js.epochs, true, 0);
  if (spec_.cache.fidelity == "analytical") {
    next_epoch_analytical(st.reader);
  } else {
    pump(st.reader);
  }
}

// Analytical fidelity: one event per epoch, with the block level's pipeline
// in closed form. The epoch's hits come from core::predict_shuffled_epoch
// (LRU, uniformly shuffled reads) on the dataset's cached share. Loaders
// overlap hits, misses and compute, so the epoch lasts as long as its
// slowest stage: compute (size / C), misses at this reader's share of the
// object store, hits at the top tier's bandwidth, everything through the
// client's NICs; each stage pays its per-block latencies spread over the
// loaders.
void ClusterRun::next_epoch_analytical(int r) {
  Reader& rd = readers_[r];
  if (rd.epoch >= rd.epochs) {
    finish_reader(r);
    return;
  }
  const double bsize = static_cast<double>(block_size_of(rd.dataset));
  const double dsize = static_cast<double>(dataset_sizes_[static_cast<std::size_t>(rd.dataset)]);
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
  // The source's aggregate is shared among the loaders of every reader of
  // the same bucket or server (a node-local disk: each node has its own).
  const DataSource& src = sources_[static_cast<std::size_t>(rd.dataset)];
  std::int64_t& bucket_loaders = analytic_bucket_loaders_[dataset_store_[rd.dataset]];
  bucket_loaders += rd.loaders;
  const double loaders = rd.loaders;
  double aggregate = net_.capacity(dataset_store_[rd.dataset]);
  if (src.per_node) aggregate *= std::max<double>(1, static_cast<double>(rd.nodes.size()));
  double miss_rate =
      std::min({loaders * src.per_connection,
                aggregate * loaders / static_cast<double>(bucket_loaders), client_nic});
  double hit_rate = std::min(spec_.cache.medium_bandwidth[0], client_nic);
  const double engine = cache ? core::to_seconds(cache->engine_latency) : 0.0;
  const double miss_blocks = n - p.hit_blocks;
  const double miss_s = (miss_bytes > 0 ? miss_bytes / miss_rate : 0) +
                        miss_blocks * (core::to_seconds(src.latency) + engine) / loaders;
  double seconds = miss_s;
  if (rd.job >= 0) {  // a DataLoad skips what is cached; a job reads it
    const double hit_s =
        (hit_bytes > 0 ? hit_bytes / hit_rate : 0) +
        p.hit_blocks * (core::to_seconds(spec_.cache.hit_latency) + engine) / loaders;
    const double nic_s = (hit_bytes + miss_bytes) / client_nic;
    const double io_s = std::max({miss_s, hit_s, nic_s});
    const double compute_s = dsize / rd.compute_rate;
    // I/O and compute are two stages with the prefetch buffer between them:
    // the line's throughput is that of an M/M/1/K queue whose arrivals are
    // the loaders' blocks, whose server is compute and whose capacity K is
    // the buffer. It is below the slower stage's rate when the two are close,
    // because bursts of misses starve compute while bursts of hits fill the
    // buffer and stall the loaders.
    if (io_s <= 0 || compute_s <= 0) {
      seconds = std::max(io_s, compute_s);
    } else {
      const double rho = compute_s / io_s;  // offered load: I/O rate over compute rate
      const double k = rd.buffer;
      double share;  // of the I/O rate that gets through: (1 - rho^K) / (1 - rho^(K+1))
      if (std::abs(rho - 1) < 1e-9) {
        share = k / (k + 1);
      } else if (rho < 1) {
        share = (1 - std::pow(rho, k)) / (1 - std::pow(rho, k + 1));
      } else {
        const double t = std::pow(rho, -(k + 1));
        share = (t - 1 / rho) / (t - 1);
      }
      seconds = io_s / share;
    }
  }
  sim_.schedule_after(core::from_seconds(seconds), [this, r, hit_bytes, miss_bytes, p] {
    Reader& rr = readers_[r];
    analytic_bucket_loaders_[dataset_store_[rr.dataset]] -= rr.loaders;
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

std::uint32_t ClusterRun::new_fetch() {
  std::uint32_t f;
  if (!free_fetches_.empty()) {
    f = free_fetches_.back();
    free_fetches_.pop_back();
  } else {
    f = static_cast<std::uint32_t>(fetches_.size());
    fetches_.emplace_back();
  }
  fetches_[f] = Fetch{};
  return f;
}

// Starts fetches while a loader is free and the prefetch buffer has room.
void ClusterRun::pump(int r) {
  for (;;) {
    Reader& rd = readers_[r];
    if (rd.paused || rd.done_fetching || rd.in_flight >= rd.loaders) return;
    const auto held = static_cast<std::int64_t>(rd.in_flight) +
                      static_cast<std::int64_t>(rd.ready.size()) + (rd.computing ? 1 : 0);
    if (held >= rd.buffer) return;
    start_fetch(r);
  }
}

void ClusterRun::start_fetch(int r) {
  Reader& rd = readers_[r];
  CacheRuntimeSim* cache = cache_for(rd.dataset);
  const std::int64_t bsize = block_size_of(rd.dataset);
  const std::int64_t dsize = dataset_sizes_[static_cast<std::size_t>(rd.dataset)];
  for (;;) {
    if (rd.pos == rd.order.size()) {
      if (rd.epoch + 1 >= rd.epochs) {
        rd.done_fetching = true;
        if (rd.in_flight == 0 && rd.ready.empty() && !rd.computing) finish_reader(r);
        return;
      }
      ++rd.epoch;
      rd.pos = 0;
      if (rd.shuffle) rd.rng.shuffle(rd.order);
    }
    const std::uint64_t block = rd.order[rd.pos++];
    const std::int64_t bytes =
        std::min<std::int64_t>(bsize, dsize - static_cast<std::int64_t>(block) * bsize);
    core::BlockKey key{static_cast<std::uint32_t>(rd.dataset), block};
    std::optional<int> tier;
    std::uint32_t w = 0;
    if (cache && !cache->ring.empty()) {
      prefetch_ahead(rd, *cache);
      w = cache->owner(block);
      tier = rd.job < 0 ? cache->workers[w].store.peek(key) : cache->workers[w].store.lookup(key);
    }
    if (tier && rd.job < 0) continue;  // a DataLoad skips blocks already cached
    const DataSource& src = sources_[static_cast<std::size_t>(rd.dataset)];
    const bool via_worker = cache && !cache->ring.empty();
    // The pod this loader feeds: loaders go round-robin over the job's pods.
    const std::int64_t client =
        rd.nodes.empty() ? -1
                         : static_cast<std::int64_t>(rd.nodes[rd.next_node++ % rd.nodes.size()]);
    // Read straight from a file server, a block may still be in the client
    // node's page cache from an earlier read there.
    const bool page_hit = !tier && !via_worker && src.page_cached && client >= 0 &&
                          page_caches_[static_cast<std::size_t>(client)].lookup(key);
    const std::uint32_t f = new_fetch();
    Fetch& fe = fetches_[f];
    fe.reader = r;
    fe.block = block;
    fe.bytes = bytes;
    fe.worker = w;
    fe.client = client;
    fe.source = tier ? Source::kWorker : page_hit ? Source::kPageCache : Source::kStore;
    fe.via_worker = via_worker;
    if (fe.via_worker) ++cache->workers[w].active_reads;
    ++rd.in_flight;
    core::Duration latency{0};
    if (tier) {
      const bool cross_zone =
          !rd.nodes.empty() && nodes_[rd.nodes[0]].zone != nodes_[cache->workers[w].node].zone;
      latency = spec_.cache.hit_latency + cache->engine_latency +
                (cross_zone ? spec_.cache.cross_zone_latency : core::Duration(0));
    } else if (!page_hit) {
      latency = src.latency + (cache ? cache->engine_latency : core::Duration(0));
    }
    if (latency.count() > 0) {
      sim_.schedule_after(latency, [this, f] { start_flow(f); });
    } else {
      start_flow(f);
    }
    return;
  }
}

// A reader's next blocks are known (its epoch's order), so what their lookups
// will touch is fetched into the CPU's caches ahead of use, one dependent step
// per fetch and two blocks apart (a reader often starts fetches back to back).
// Counted from the block being fetched: the owner entry 8 blocks ahead, then
// the owner's index slot 6 ahead, the policy's entry 4 ahead and that entry's
// list neighbours 2 ahead. With hundreds of caches the tables do not fit the
// CPU's caches, and each step would otherwise stall. Hints only: nothing here
// changes state (const), so results do not depend on it.
void ClusterRun::prefetch_ahead(const Reader& rd, const CacheRuntimeSim& cache) const {
  constexpr int kStages = 3;
  const std::size_t n = rd.order.size();
  if (rd.pos + 2 * kStages + 1 < n) cache.prefetch_owner(rd.order[rd.pos + 2 * kStages + 1]);
  for (int stage = 0; stage < kStages; ++stage) {
    const std::size_t i = rd.pos + 2 * static_cast<std::size_t>(kStages - stage) - 1;
    if (i >= n) continue;
    const std::uint64_t b = rd.order[i];
    const std::uint32_t w = cache.known_owner(b);
    if (w == CacheRuntimeSim::kUnknownOwner) continue;
    cache.workers[w].store.prefetch(core::BlockKey{static_cast<std::uint32_t>(rd.dataset), b},
                                    stage);
  }
}

// The flow of a fetch: the resources the bytes cross (docs/simulation-model.md).
void ClusterRun::start_flow(std::uint32_t f) {
  const Fetch fe = fetches_[f];
  Reader& rd = readers_[fe.reader];
  CacheRuntimeSim* cache = cache_for(rd.dataset);
  const bool has_client = fe.client >= 0;
  const auto client = static_cast<std::size_t>(has_client ? fe.client : 0);
  std::array<FlowNetwork::ResourceId, FlowNetwork::kMaxPath> path{};
  std::size_t hops = 0;
  double cap = FlowNetwork::kUnlimited;
  auto hop = [&](FlowNetwork::ResourceId res) { path[hops++] = res; };
  const DataSource& src = sources_[static_cast<std::size_t>(rd.dataset)];
  if (fe.source == Source::kPageCache) {
    hop(media_[client][static_cast<int>(core::MediumType::kMem)]);
  } else if (fe.source == Source::kWorker) {
    const CacheWorker& wk = cache->workers[fe.worker];
    // The level it is read from (a block evicted during the latency is read
    // from the top level, where it was).
    int level =
        wk.store.peek(core::BlockKey{static_cast<std::uint32_t>(rd.dataset), fe.block}).value_or(0);
    hop(media_[wk.node][static_cast<int>(wk.store.spec(level).medium)]);
    if (has_client && client != wk.node) {
      hop(nic_out_[wk.node]);
      hop(nic_in_[client]);
      if (nodes_[client].zone != nodes_[wk.node].zone && spec_.cache.cross_zone_bandwidth > 0)
        hop(zone_link(wk.node, client));
    }
  } else {
    const CacheWorker* wk_ptr = fe.via_worker ? &cache->workers[fe.worker] : nullptr;
    if (src.per_node) {  // the disk of the node that reads it: no network to cross
      hop(server_disks_[static_cast<std::size_t>(src.server)][wk_ptr ? wk_ptr->node : client]);
    } else {
      hop(dataset_store_[rd.dataset]);
    }
    cap = src.per_connection;
    if (fe.via_worker) {
      // Through the owning worker, which caches it on the way (Fluid's
      // engines read the under-storage in their workers).
      const CacheWorker& wk = *wk_ptr;
      if (!src.per_node) hop(nic_in_[wk.node]);
      if (has_client && client != wk.node) {
        hop(nic_out_[wk.node]);
        hop(nic_in_[client]);
        if (nodes_[client].zone != nodes_[wk.node].zone && spec_.cache.cross_zone_bandwidth > 0)
          hop(zone_link(wk.node, client));
      }
    } else if (has_client && !src.per_node) {
      hop(nic_in_[client]);
    }
  }
  auto started = net_.start(std::span<const FlowNetwork::ResourceId>(path.data(), hops),
                            static_cast<double>(fe.bytes), cap, f);
  AQ_CHECK(started.ok());
}

void ClusterRun::end_fetch(std::uint32_t f) {
  const Fetch fe = fetches_[f];
  free_fetches_.push_back(f);
  if (fe.migrate_cache >= 0) {
    CacheWorker& to = caches_[fe.migrate_cache].workers[fe.worker];
    core::BlockKey key{caches_[fe.migrate_cache].dataset_id, fe.block};
    if (to.live && to.store.insert(key, fe.bytes).is_ok()) migrated_bytes_ += fe.bytes;
    return;
  }
  const int r = fe.reader;
  Reader& rd = readers_[r];
  CacheRuntimeSim* cache = cache_for(rd.dataset);
  if (rd.job >= 0) {
    iv_ds_read_[rd.dataset] += fe.bytes;
    el_read_[rd.dataset] += fe.bytes;
    if (fe.source == Source::kWorker) {
      iv_ds_hit_[rd.dataset] += fe.bytes;
      el_hit_[rd.dataset] += fe.bytes;
    }
  }
  if (fe.via_worker) --cache->workers[fe.worker].active_reads;
  if (fe.source == Source::kWorker) {
    rd.bytes_cache += fe.bytes;
    iv_cache_bytes_ += fe.bytes;
  } else if (fe.source == Source::kPageCache) {
    rd.bytes_page += fe.bytes;
    page_hit_bytes_ += fe.bytes;
    page_read_bytes_ += fe.bytes;
  } else {
    const DataSource& src = sources_[static_cast<std::size_t>(rd.dataset)];
    if (src.page_cached && !fe.via_worker && fe.client >= 0) {
      page_read_bytes_ += fe.bytes;
      page_caches_[static_cast<std::size_t>(fe.client)].insert(
          core::BlockKey{static_cast<std::uint32_t>(rd.dataset), fe.block}, fe.bytes);
    }
    rd.bytes_store += fe.bytes;
    iv_store_bytes_ += fe.bytes;
    if (rd.job < 0) dataload_bytes_ += fe.bytes;
    if (fe.via_worker && cache->workers[fe.worker].live) {
      // Cache on read: the block lands in the responsible worker's top tier.
      core::BlockKey key{static_cast<std::uint32_t>(rd.dataset), fe.block};
      (void)cache->workers[fe.worker].store.insert(key, fe.bytes);
    }
  }
  --rd.in_flight;
  if (rd.job < 0) {
    // A DataLoad consumes nothing: it is done when the last block landed.
    if (rd.done_fetching && rd.in_flight == 0) {
      finish_reader(r);
      return;
    }
    pump(r);
    return;
  }
  rd.ready.push_back(fe.bytes);
  consume(r);
  pump(r);
}

// Compute takes the next ready block; when it has consumed every block of
// every epoch the job is done.
void ClusterRun::consume(int r) {
  Reader& rd = readers_[r];
  if (rd.computing || rd.paused) return;
  if (rd.ready.empty()) {
    if (rd.done_fetching && rd.in_flight == 0 && !rd.order.empty()) finish_reader(r);
    return;
  }
  const std::int64_t bytes = rd.ready.front();
  rd.ready.pop_front();
  rd.computing = true;
  core::Duration dt = core::from_seconds(static_cast<double>(bytes) / rd.compute_rate);
  sim_.schedule_after(dt, [this, r, bytes] {
    readers_[r].computing = false;
    readers_[r].consumed += bytes;
    consume(r);
    pump(r);
  });
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
  const double held_s = core::to_seconds(st.end - st.held_since);
  st.attained_gpu_s += held_s * workload_.jobs[j].gpus;
  st.executed_s += held_s;
  st.held_since = core::Time{-1};
  std::erase(active_, j);
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
    double hours = (st.executed_s + linger) / 3600.0;
    sidecar_linger_s_ += linger;
    eci_cost_ += hours * (static_cast<double>(r.cpu_milli) / 1000.0 * n.price_per_cpu_hour +
                          static_cast<double>(r.memory_bytes) / (1LL << 30) * n.price_per_gib_hour +
                          static_cast<double>(r.gpu_milli) / 1000.0 * n.price_per_gpu_hour);
  }
  release_pods(j);
  ++done_jobs_;
  queue_.on_cluster_change(sim_.now());
  trigger_ = core::JobSnapshot::Trigger::kCompletion;
  request_scheduling();
}

void ClusterRun::release_pods(int j) {
  JobState& st = jobs_[j];
  for (std::size_t p = 0; p < st.pods.size(); ++p) {
    core::Resources req = st.pods[p].requests();
    infos_[st.nodes[p]].requested -= req;
    --infos_[st.nodes[p]].pod_count;
    if (!st.pods[p].pod_affinity.empty() || !st.pods[p].pod_anti_affinity.empty()) {
      --pods_with_affinity_;
    }
    auto& on_node = infos_[st.nodes[p]].pods;
    on_node.erase(std::remove(on_node.begin(), on_node.end(), &st.pods[p]), on_node.end());
    refresh_page_cache(st.nodes[p]);
  }
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
  s.gpu_allocation = total_gpu_milli_ > 0 ? static_cast<double>(gpu) / total_gpu_milli_ : 0;
  s.cpu_allocation = total_cpu_milli_ > 0 ? static_cast<double>(cpu) / total_cpu_milli_ : 0;
  for (const auto& st : jobs_) {
    s.running_jobs += st.phase == Phase::kRunning || st.phase == Phase::kSuspending;
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
  if (work_left && stalled(now)) {
    stalled_jobs_ = s.pending_jobs;
    work_left = false;
  }
  if (work_left) {
    sim_.schedule_after(spec_.sample_interval, [this] { sample(); });
  } else {
    finished_ = true;
  }
}

// Every job left is pending and has failed to fit, nothing runs, loads or
// arrives, and nothing that frees room (a job ending, workers scaling or
// moving, nodes) has happened for two of the queue's unschedulable-retry
// periods: no later event can change that, so the run ends here instead of
// sampling forever. The jobs still pending are reported as never placed.
bool ClusterRun::stalled(core::Time now) {
  bool quiet = active_loaders_ == 0;
  bool any_pending = false;
  for (const auto& st : jobs_) {
    if (st.phase == Phase::kRunning || st.phase == Phase::kSuspending ||
        st.phase == Phase::kNotArrived) {
      quiet = false;
    }
    any_pending |= st.phase == Phase::kPending;
  }
  const std::array<std::int64_t, 5> print{done_jobs_, scale_ups_, scale_downs_, worker_moves_,
                                          static_cast<std::int64_t>(nodes_.size())};
  if (!quiet || !any_pending || print != stall_print_) {
    stall_print_ = print;
    stall_since_ = quiet && any_pending ? now : core::Time::max();
    return false;
  }
  if (stall_since_ == core::Time::max()) {
    stall_since_ = now;
    return false;
  }
  return now - stall_since_ >= 2 * scheduler::QueueConfig{}.max_unschedulable;
}

}  // namespace aqueduct::sim::detail
