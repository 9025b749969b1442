#include "aqueduct/sim/cache_sim.h"

#include "aqueduct/core/cache/lru_stack.h"

#include <algorithm>
#include <barrier>
#include <memory>
#include <thread>

namespace aqueduct::sim {
namespace {

// Requests with their next uses, as a batch.
struct Batch {
  std::vector<core::CacheRequest> requests;
  std::vector<std::uint64_t> next;
  std::size_t size = 0;
  std::uint64_t first = 0;  // number of its first request in the trace
};

// Feeds batches from memory (a trace read whole for offline policies).
core::Result<std::size_t> fill_from_memory(const std::vector<core::CacheRequest>& trace,
                                           const std::vector<std::uint64_t>& next, std::size_t& at,
                                           Batch& b) {
  const std::size_t n = std::min(b.requests.size(), trace.size() - at);
  std::copy_n(trace.begin() + static_cast<std::ptrdiff_t>(at), n, b.requests.begin());
  std::copy_n(next.begin() + static_cast<std::ptrdiff_t>(at), n, b.next.begin());
  at += n;
  return n;
}

}  // namespace

core::Result<core::Footprint> trace_footprint(CacheTraceReader& reader) {
  core::FootprintCounter counter;
  std::vector<core::CacheRequest> batch(1 << 16);
  for (;;) {
    AQ_ASSIGN_OR_RETURN(std::size_t n, reader.read(batch));
    if (n == 0) break;
    counter.add(std::span(batch).first(n));
  }
  AQ_RETURN_IF_ERROR(reader.rewind());
  return counter.result();
}

namespace {

// One read of the trace feeds every replayer and, when given, the LRU curve.
core::Result<std::vector<core::ReplayResult>> replay_caches(CacheTraceReader& reader,
                                                            const std::vector<CacheConfig>& configs,
                                                            const core::EvictionRegistry& registry,
                                                            const CacheSimOptions& options,
                                                            core::LruStackDistance* curve) {
  std::vector<std::unique_ptr<core::CacheReplayer>> caches;
  bool future = false;
  for (const auto& c : configs) {
    AQ_ASSIGN_OR_RETURN(
        auto r, core::CacheReplayer::create(c.policy, c.capacity_bytes, registry, options.replay));
    future = future || r->needs_future();
    caches.push_back(std::move(r));
  }
  // Offline policies need each request's next use: from the format, or from
  // the whole trace in memory.
  std::vector<core::CacheRequest> whole;
  std::vector<std::uint64_t> whole_next;
  const bool in_memory = future && !reader.has_next_use();
  if (in_memory) {
    std::vector<core::CacheRequest> batch(1 << 16);
    for (;;) {
      AQ_ASSIGN_OR_RETURN(std::size_t n, reader.read(batch));
      if (n == 0) break;
      whole.insert(whole.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
    }
    whole_next = core::next_uses(whole);
  }
  std::size_t at = 0;
  const std::size_t batch_size = std::max<std::size_t>(options.batch, 1);
  Batch batches[2];
  for (auto& b : batches) {
    b.requests.resize(batch_size);
    if (future) b.next.resize(batch_size);
  }
  std::uint64_t read = 0;
  auto fill = [&](Batch& b) -> core::Status {
    core::Result<std::size_t> n =
        in_memory
            ? fill_from_memory(whole, whole_next, at, b)
            : reader.read(b.requests, future ? std::span(b.next) : std::span<std::uint64_t>{});
    if (!n.ok()) return n.status();
    b.size = *n;
    b.first = read;
    read += *n;
    return core::Status::ok();
  };
  std::vector<core::Status> errors(caches.size());
  auto replay = [&](const Batch& b, std::size_t cache) {
    if (!errors[cache].is_ok()) return;
    auto reqs = std::span(b.requests).first(b.size);
    auto next = future ? std::span<const std::uint64_t>(b.next).first(b.size)
                       : std::span<const std::uint64_t>{};
    errors[cache] = caches[cache]->replay(reqs, b.first,
                                          caches[cache]->needs_future() ? next : decltype(next){});
  };
  // The curve is one more consumer, after the caches.
  const std::size_t consumers = caches.size() + (curve != nullptr);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::clamp(options.threads > 0 ? options.threads : cores, 1,
                                 static_cast<int>(std::max<std::size_t>(consumers, 1)));
  // Double buffering: workers replay batch k while this thread reads batch k+1.
  AQ_RETURN_IF_ERROR(fill(batches[0]));
  int current = 0;
  bool done = batches[0].size == 0;
  core::Status read_error;
  std::barrier sync(threads + 1);
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (;;) {
          sync.arrive_and_wait();  // a batch is ready (or done)
          if (done) return;
          const Batch& b = batches[current];
          for (std::size_t c = static_cast<std::size_t>(t); c < consumers;
               c += static_cast<std::size_t>(threads)) {
            if (c < caches.size()) {
              replay(b, c);
            } else {
              curve->add(std::span(b.requests).first(b.size));
            }
          }
          sync.arrive_and_wait();  // the batch is replayed
        }
      });
    }
    while (!done) {
      sync.arrive_and_wait();  // start the workers on batches[current]
      Batch& spare = batches[1 - current];
      read_error = fill(spare);
      sync.arrive_and_wait();  // wait for them
      if (options.progress) options.progress(reader.progress(), read);
      current = 1 - current;
      done = !read_error.is_ok() || batches[current].size == 0;
    }
    sync.arrive_and_wait();  // release the workers to see `done`
  }
  AQ_RETURN_IF_ERROR(read_error);
  std::vector<core::ReplayResult> out;
  for (std::size_t c = 0; c < caches.size(); ++c) {
    AQ_RETURN_IF_ERROR(errors[c]);
    out.push_back(caches[c]->result());
  }
  return out;
}

}  // namespace

core::Result<std::vector<core::ReplayResult>> simulate_caches(
    CacheTraceReader& reader, const std::vector<CacheConfig>& configs,
    const core::EvictionRegistry& registry, const CacheSimOptions& options) {
  std::vector<std::size_t> lru;  // configs the curve serves
  for (std::size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].policy == "lru") lru.push_back(i);
  }
  const bool sampled = options.sample_rate < 1.0;
  if (!(options.lru_stack && (lru.size() >= 2 || (sampled && !lru.empty())))) {
    return replay_caches(reader, configs, registry, options, nullptr);
  }
  std::vector<CacheConfig> others;
  std::vector<std::int64_t> sizes;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].policy == "lru") {
      if (configs[i].capacity_bytes <= 0 || configs[i].capacity_bytes > core::kMaxCacheBytes) {
        return core::invalid_argument("cache size " + std::to_string(configs[i].capacity_bytes) +
                                      " B is outside 1 B .. 4 EiB");
      }
      sizes.push_back(configs[i].capacity_bytes);
    } else {
      others.push_back(configs[i]);
    }
  }
  core::LruStackDistance curve(sizes, options.sample_rate, options.replay.on_hit_size);
  AQ_ASSIGN_OR_RETURN(auto rest, replay_caches(reader, others, registry, options, &curve));
  std::vector<core::ReplayResult> lru_results = curve.results();
  for (auto& r : lru_results) r.method = sampled ? "shards" : "stack";
  if (!sampled && !curve.exact()) {
    // An object larger than a size, or a key that changed size under
    // kKeep: replay LRU at each size instead (a second read).
    core::Status st = reader.rewind();
    if (!st.is_ok()) {
      return core::invalid_argument(
          "LRU's one-pass curve is not exact for this trace (an object larger than a cache "
          "size, or a key whose size changes), and replaying each size needs a second read: " +
          st.message());
    }
    std::vector<CacheConfig> lru_configs;
    for (std::size_t i : lru) lru_configs.push_back(configs[i]);
    CacheSimOptions again = options;
    again.lru_stack = false;
    again.progress = nullptr;
    AQ_ASSIGN_OR_RETURN(lru_results, replay_caches(reader, lru_configs, registry, again, nullptr));
  }
  std::vector<core::ReplayResult> out(configs.size());
  std::size_t li = 0, oi = 0;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    out[i] = configs[i].policy == "lru" ? lru_results[li++] : rest[oi++];
  }
  return out;
}

}  // namespace aqueduct::sim
