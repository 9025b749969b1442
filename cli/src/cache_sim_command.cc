#include <fmt/core.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aqueduct/core/cache/cache_replay.h"
#include "aqueduct/core/quantity.h"
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
  core::Result<std::vector<core::CacheRequest>> trace =
      core::invalid_argument("give --trace or --shuffled-epochs");
  std::string trace_name = args.trace;
  if (!args.shuffled_epochs.empty()) {
    auto parts = split_colon(args.shuffled_epochs);
    if (parts.size() < 2 || parts.size() > 3) {
      trace = core::invalid_argument("--shuffled-epochs " + args.shuffled_epochs +
                                     ": expected BLOCKS:EPOCHS[:SEED]");
    } else {
      char* e1 = nullptr;
      char* e2 = nullptr;
      long blocks = std::strtol(parts[0].c_str(), &e1, 10),
           epochs = std::strtol(parts[1].c_str(), &e2, 10);
      std::uint64_t seed = parts.size() == 3 ? std::strtoull(parts[2].c_str(), nullptr, 10) : 1;
      if (*e1 != '\0' || *e2 != '\0' || blocks <= 0 || epochs <= 0 ||
          blocks * epochs > 100'000'000) {
        trace = core::invalid_argument("--shuffled-epochs " + args.shuffled_epochs +
                                       ": expected positive BLOCKS and EPOCHS (at most 1e8 reads)");
      } else {
        trace = shuffled_epochs(blocks, epochs, seed);
        trace_name = "shuffled epochs (" + args.shuffled_epochs + ")";
      }
    }
  } else if (!args.trace.empty()) {
    trace = sim::read_cache_trace(args.trace, opts);
  }
  if (!trace.ok()) {
    std::cerr << "error: " << trace.status().message() << "\n";
    return 2;
  }
  if (!args.write_binary.empty()) {
    core::Status st = sim::write_binary_cache_trace(args.write_binary, *trace);
    if (!st.is_ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return 2;
    }
    std::cerr << "wrote " << trace->size() << " requests to " << args.write_binary << "\n";
    if (args.policies.empty()) return 0;
  }
  auto fp = core::footprint(*trace);
  auto registry = core::builtin_eviction_policies();
  std::vector<std::string> policies = split(args.policies.empty() ? "lru" : args.policies);
  if (policies.size() == 1 && policies[0] == "all") policies = registry.names();
  std::vector<std::int64_t> sizes;
  for (const auto& s : split(args.sizes.empty() ? "10%" : args.sizes)) {
    auto b = parse_size(s, fp.bytes);
    if (!b.ok()) {
      std::cerr << "error: " << b.status().message() << "\n";
      return 2;
    }
    sizes.push_back(*b);
  }
  std::sort(sizes.begin(), sizes.end());
  std::vector<std::uint64_t> next;
  std::vector<core::ReplayResult> results;
  for (const auto& p : policies) {
    auto probe = registry.create(p);
    if (!probe.ok()) {
      std::cerr << "error: --policy: " << probe.status().message() << "\n";
      return 2;
    }
    if ((*probe)->needs_future() && next.empty()) next = core::next_uses(*trace);
    for (std::int64_t size : sizes) {
      auto r = core::replay(*trace, p, size, registry, next);
      if (!r.ok()) {
        std::cerr << "error: " << r.status().message() << "\n";
        return 2;
      }
      results.push_back(*r);
    }
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
    fmt::print("trace {}: {} requests, {} objects, footprint {}\n", trace_name, trace->size(),
               fp.objects, core::format_bytes(static_cast<double>(fp.bytes)));
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
