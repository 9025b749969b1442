#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/core/quantity.h"
#include "aqueduct/sim/cache_sim.h"
#include "aqueduct/sim/cache_trace.h"
#include "aqueduct/sim/results.h"
#include "aqueduct/sim/rng.h"
#include "commands.h"
#include "output_format.h"
#include "python_plots.h"

namespace aqueduct::cli {
namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "64Mi", "1e6", or "10%" of the trace's footprint.
core::Result<std::int64_t> parse_size(const std::string& s, std::int64_t footprint) {
  if (!s.empty() && s.back() == '%') {
    char* end = nullptr;
    std::string num = s.substr(0, s.size() - 1);
    double pct = std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || pct <= 0 || pct > 1000) {
      return core::invalid_argument("--size " + s + ": expected a percentage such as 10%");
    }
    const double bytes = static_cast<double>(footprint) * pct / 100.0;
    return std::clamp<std::int64_t>(bytes >= static_cast<double>(core::kMaxCacheBytes)
                                        ? core::kMaxCacheBytes
                                        : static_cast<std::int64_t>(bytes),
                                    1, core::kMaxCacheBytes);
  }
  auto q = core::parse_quantity(s);
  if (!q.ok() || q->as_int() <= 0 || q->as_int() > core::kMaxCacheBytes) {
    return core::invalid_argument("--size " + s +
                                  ": expected a positive size in bytes up to 4Ei (64Mi, 1e9) "
                                  "or a percentage");
  }
  return q->as_int();
}

std::vector<std::string> split_colon(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ':')) out.push_back(item);
  return out;
}

// Epoch after epoch of Fisher-Yates shuffles of `blocks` 1 MiB blocks.
std::vector<core::CacheRequest> shuffled_epochs(long blocks, long epochs, std::uint64_t seed) {
  sim::Rng rng(seed);
  std::vector<std::uint64_t> order(static_cast<std::size_t>(blocks));
  for (long i = 0; i < blocks; ++i)
    order[static_cast<std::size_t>(i)] = static_cast<std::uint64_t>(i);
  std::vector<core::CacheRequest> t;
  t.reserve(static_cast<std::size_t>(blocks * epochs));
  for (long e = 0; e < epochs; ++e) {
    rng.shuffle(order);
    for (auto b : order) t.push_back({core::BlockKey{0, b}, 1 << 20});
  }
  return t;
}

}  // namespace

int run_cache_sim(const CacheSimArgs& args) {
  sim::CacheTraceOptions opts;
  opts.format = args.format;
  if (!args.key_column.empty()) opts.key_column = args.key_column;
  if (!args.size_column.empty()) opts.size_column = args.size_column;
  opts.max_requests = args.max_requests;
  auto fail = [](const std::string& msg) {
    std::cerr << "error: " << msg << "\n";
    return 2;
  };
  std::unique_ptr<sim::CacheTraceReader> reader;
  std::string trace_name = args.trace == "-" ? "<stdin>" : args.trace;
  if (!args.shuffled_epochs.empty()) {
    auto parts = split_colon(args.shuffled_epochs);
    if (parts.size() < 2 || parts.size() > 3)
      return fail("--shuffled-epochs " + args.shuffled_epochs + ": expected BLOCKS:EPOCHS[:SEED]");
    char* e1 = nullptr;
    char* e2 = nullptr;
    long blocks = std::strtol(parts[0].c_str(), &e1, 10),
         epochs = std::strtol(parts[1].c_str(), &e2, 10);
    std::uint64_t seed = parts.size() == 3 ? std::strtoull(parts[2].c_str(), nullptr, 10) : 1;
    if (*e1 != '\0' || *e2 != '\0' || blocks <= 0 || epochs <= 0 || blocks * epochs > 100'000'000) {
      return fail("--shuffled-epochs " + args.shuffled_epochs +
                  ": expected positive BLOCKS and EPOCHS (at most 1e8 reads)");
    }
    reader = sim::memory_trace_reader(shuffled_epochs(blocks, epochs, seed));
    trace_name = "shuffled epochs (" + args.shuffled_epochs + ")";
  } else if (!args.trace.empty()) {
    auto r = sim::open_cache_trace(args.trace, opts);
    if (!r.ok()) return fail(r.status().message());
    reader = std::move(*r);
  } else {
    return fail("give a trace (-f FILE) or --shuffled-epochs");
  }
  if (!args.write_binary.empty()) {
    // Converting needs the whole trace; then it is replayed from memory.
    std::vector<core::CacheRequest> all;
    std::vector<core::CacheRequest> batch(1 << 16);
    for (;;) {
      auto n = reader->read(batch);
      if (!n.ok()) return fail(n.status().message());
      if (*n == 0) break;
      all.insert(all.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    core::Status st = sim::write_binary_cache_trace(args.write_binary, all);
    if (!st.is_ok()) return fail(st.message());
    std::cerr << "wrote " << all.size() << " requests to " << args.write_binary << "\n";
    if (args.policies.empty()) return 0;
    reader = sim::memory_trace_reader(std::move(all));
  }
  auto registry = core::builtin_eviction_policies();
  std::vector<std::string> policies = split(args.policies.empty() ? "lru" : args.policies);
  if (policies.size() == 1 && policies[0] == "all") policies = registry.names();
  for (const auto& p : policies) {
    auto probe = registry.create(p);
    if (!probe.ok()) return fail("--policy: " + probe.status().message());
  }
  // The footprint only when a size is a share of it (one more pass).
  const std::vector<std::string> size_args = split(args.sizes.empty() ? "10%" : args.sizes);
  std::optional<core::Footprint> fp;
  if (std::any_of(size_args.begin(), size_args.end(),
                  [](const std::string& s) { return !s.empty() && s.back() == '%'; })) {
    auto f = sim::trace_footprint(*reader);
    if (!f.ok()) {
      if (args.trace == "-") {
        return fail(
            "a --size in % needs the footprint, so the trace is read twice, and "
            "standard input can be read once: give sizes in bytes (64Mi, 1e9)");
      }
      return fail(f.status().message());
    }
    fp = *f;
  }
  std::vector<std::int64_t> sizes;
  for (const auto& s : size_args) {
    auto b = parse_size(s, fp ? fp->bytes : 0);
    if (!b.ok()) return fail(b.status().message());
    sizes.push_back(*b);
  }
  std::sort(sizes.begin(), sizes.end());
  std::vector<sim::CacheConfig> configs;
  for (const auto& p : policies) {
    for (std::int64_t size : sizes) configs.push_back({p, size});
  }
  sim::CacheSimOptions sim_opts;
  sim_opts.replay.on_hit_size =
      args.on_hit_size == "update" ? core::OnHitSize::kUpdate : core::OnHitSize::kKeep;
  sim_opts.threads = args.threads;
  sim_opts.sample_rate = args.sample;
  const bool tty = !args.quiet && isatty(STDERR_FILENO);
  if (tty) {
    sim_opts.progress = [last = std::chrono::steady_clock::time_point()](
                            double frac, std::uint64_t requests) mutable {
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(100)) return;
      last = now;
      if (frac >= 0) {
        fmt::print(stderr, "\r{:5.1f}%  {} requests   ", 100 * frac, requests);
      } else {
        fmt::print(stderr, "\r{} requests   ", requests);
      }
    };
  }
  auto run = sim::simulate_caches(*reader, configs, registry, sim_opts);
  if (tty) fmt::print(stderr, "\r\033[K");
  if (!run.ok()) return fail(run.status().message());
  const std::vector<core::ReplayResult>& results = *run;
  for (const auto& r : results) {
    if (r.method == "shards") {
      std::cerr << "note: lru: a SHARDS estimate from the keys sampled at rate " << args.sample
                << " (docs/cache.md gives its measured error)\n";
      break;
    }
  }
  if (!results.empty() && results[0].zero_byte_requests > 0) {
    std::cerr << "note: " << results[0].zero_byte_requests
              << " zero-byte requests skipped (as libCacheSim's readers skip them)\n";
  }
  const OutputFormat format = parse_output_format(args.output);
  if (format != OutputFormat::kTable) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      out.push_back({{"policy", r.policy},
                     {"cache_size_bytes", r.capacity_bytes},
                     {"requests", r.requests},
                     {"misses", r.misses},
                     {"miss_ratio", r.miss_ratio()},
                     {"byte_miss_ratio", r.byte_miss_ratio()}});
    }
    write_rows(out, format, std::cout);
  } else {
    const std::uint64_t requests = results.empty() ? 0 : results[0].requests;
    if (fp) {
      fmt::print("trace {}: {} requests, {} objects, footprint {}\n", trace_name, requests,
                 fp->objects, core::format_bytes(static_cast<double>(fp->bytes)));
    } else {
      fmt::print("trace {}: {} requests\n", trace_name, requests);
    }
    fmt::print("{:<8} {:>14} {:>12} {:>12} {:>10} {:>10}\n", "policy", "cache size", "requests",
               "misses", "miss", "byte miss");
    for (const auto& r : results) {
      fmt::print("{:<8} {:>14} {:>12} {:>12} {:>9.4f} {:>10.4f}\n", r.policy,
                 core::format_bytes(static_cast<double>(r.capacity_bytes)), r.requests, r.misses,
                 r.miss_ratio(), r.byte_miss_ratio());
    }
  }
  if (!args.mrc.empty()) {
    // The curve's data next to the figure (FIGURE.csv), then the figure.
    const std::string csv = std::filesystem::path(args.mrc).replace_extension(".csv").string();
    std::ofstream f(csv, std::ios::trunc);
    f << "policy,cache_size_bytes,requests,misses,miss_ratio,byte_miss_ratio\n";
    for (const auto& r : results) {
      f << fmt::format("{},{},{},{},{:.6f},{:.6f}\n", r.policy, r.capacity_bytes, r.requests,
                       r.misses, r.miss_ratio(), r.byte_miss_ratio());
    }
    f.close();
    if (!f) {
      std::cerr << "error: --mrc: cannot write " << csv << "\n";
      return 2;
    }
    core::Status st =
        run_plots({"mrc", csv, "-o", args.mrc, "--title",
                   "miss-ratio curve: " + trace_name.substr(trace_name.rfind('/') + 1), "--quiet"});
    if (!st.is_ok()) {
      std::cerr << "error: --mrc: " << st.message() << " (the data is in " << csv << ")\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace aqueduct::cli
