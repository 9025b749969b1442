// `aqueduct fuse mount` (a read-only dataset mount through the cache) and
// `aqueduct load` (warm the cache: Fluid's DataLoad, resumable and
// bandwidth-limited).
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "aqueduct/core/quantity.h"
#include "aqueduct/fuse/block_allocator.h"
#include "aqueduct/fuse/mount.h"
#include "commands.h"

namespace aqueduct::cli {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string p;
  while (std::getline(ss, p, ',')) {
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

core::Result<fuse::ReaderOptions> reader_options(const FuseArgs& a) {
  fuse::ReaderOptions o;
  o.dataset = a.dataset;
  auto bytes = [](const std::string& flag, const std::string& v) -> core::Result<std::int64_t> {
    if (v.empty()) return std::int64_t{0};
    auto q = core::parse_quantity(v);
    if (!q || q->as_int() < 0)
      return core::invalid_argument(flag + " \"" + v + "\": expected a size like 4Mi");
    return q->as_int();
  };
  AQ_ASSIGN_OR_RETURN(o.block_size, bytes("--block-size", a.block_size));
  if (o.block_size <= 0) return core::invalid_argument("--block-size: expected > 0");
  if (!a.mem.empty()) {
    AQ_ASSIGN_OR_RETURN(o.mem_cache_bytes, bytes("--mem", a.mem));
  }
  o.cache_dir = a.cache_dir;
  AQ_ASSIGN_OR_RETURN(o.cache_dir_bytes, bytes("--cache-dir-size", a.cache_dir_size));
  auto ttl = core::parse_duration(a.meta_ttl);
  if (!ttl)
    return core::invalid_argument("--meta-ttl \"" + a.meta_ttl + "\": expected a duration like 5s");
  o.meta_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(*ttl);
  o.readahead_blocks = a.readahead;
  o.short_circuit = !a.no_short_circuit;
  if (!a.worker_token_file.empty()) {
    AQ_ASSIGN_OR_RETURN(o.worker_token,
                        read_token_file("--worker-token-file", a.worker_token_file));
  }
  if (!a.worker_tls_ca.empty() || !a.worker_tls_cert.empty() || !a.worker_tls_key.empty()) {
    AQ_ASSIGN_OR_RETURN(auto tls, fuse::load_worker_tls("--worker-tls", a.worker_tls_ca,
                                                        a.worker_tls_cert, a.worker_tls_key));
    tls.server_name = a.worker_tls_server_name;
    o.worker_tls = std::move(tls);
  } else if (!a.worker_tls_server_name.empty()) {
    return core::invalid_argument(
        "--worker-tls-server-name needs --worker-tls-ca, --worker-tls-cert and --worker-tls-key");
  }
  return o;
}

}  // namespace

int run_fuse_mount(const FuseArgs& args) {
  fuse::keep_block_memory();
  const core::Logger log("fuse", args.log.options());
  auto opts = reader_options(args);
  if (!opts) {
    log.error(opts.status().message());
    return kExitErrors;
  }
  opts->log = log;
  fuse::MountConfig cfg;
  cfg.source = args.source;
  cfg.workers = split_commas(args.workers);
  cfg.mountpoint = args.mountpoint;
  cfg.reader = *opts;
  cfg.exit_when_done = args.exit_when_done;
  cfg.recover = args.recover;
  cfg.allow_other = args.allow_other;
  cfg.metrics_listen = args.metrics_listen;
  cfg.log = log;
  log.info("mounting " + args.source + " at " + args.mountpoint + " (" +
           std::to_string(cfg.workers.size()) + " workers)");
  core::Status st = fuse::run_mount(cfg, [&] {
    log.info("mounted (read-only)");
    if (!args.ready_file.empty()) std::ofstream(args.ready_file) << args.mountpoint << "\n";
  });
  if (!st.is_ok()) {
    log.error(st.message());
    return kExitErrors;
  }
  log.info("unmounted " + args.mountpoint);
  return kExitOk;
}

int run_load(const FuseArgs& args) {
  fuse::keep_block_memory();
  const core::Logger log("load", args.log.options());
  auto fail = [&log](const std::string& m) {
    log.error(m);
    return kExitErrors;
  };
  auto opts = reader_options(args);
  if (!opts) return fail(opts.status().message());
  opts->log = log;
  opts->readahead_blocks = 0;
  opts->wait_for_puts = true;  // every block must reach its worker
  double rate = 0;             // bytes/s from the source; 0: unlimited
  if (!args.rate.empty()) {
    auto r = core::parse_bandwidth(args.rate);
    if (!r || *r <= 0)
      return fail("--rate \"" + args.rate + "\": expected a bandwidth like 100MiB/s");
    rate = *r;
  }
  auto workers = split_commas(args.workers);
  if (workers.empty()) return fail("--workers: at least one worker to load into");
  auto source = fuse::open_source(args.source);
  if (!source) return fail(source.status().message());
  auto rd = fuse::DatasetReader::create(std::move(*source), workers, *opts);
  if (!rd) return fail(rd.status().message());
  // Resumable: files finished in an earlier run are listed in the state file.
  std::set<std::string> done;
  if (!args.state_file.empty()) {
    std::ifstream in(args.state_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) done.insert(line);
    }
  }
  std::ofstream state;
  if (!args.state_file.empty()) state.open(args.state_file, std::ios::app);
  // Walk the requested paths.
  std::vector<std::pair<std::string, std::int64_t>> files;
  std::vector<std::string> stack = args.paths.empty() ? std::vector<std::string>{"/"} : args.paths;
  while (!stack.empty()) {
    std::string p = stack.back();
    stack.pop_back();
    auto info = (*rd)->stat(p);
    if (!info) return fail(info.status().message());
    if (!info->is_dir) {
      files.emplace_back(p, info->size);
      continue;
    }
    auto entries = (*rd)->list(p);
    if (!entries) return fail(entries.status().message());
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
      stack.push_back((p == "/" ? "" : p) + "/" + it->name);
    }
  }
  std::int64_t total = 0, skipped = 0;
  for (const auto& [p, s] : files) total += done.count(p) ? 0 : s;
  const bool tty = ::isatty(2);
  const auto start = std::chrono::steady_clock::now();
  std::int64_t loaded = 0;
  std::uint64_t before = (*rd)->stats().source_reads;
  std::uint64_t blocks = 0;
  for (const auto& [path, size] : files) {
    if (done.count(path)) {
      ++skipped;
      continue;
    }
    const std::uint64_t lost_before = (*rd)->stats().puts_lost;
    const std::int64_t bs = opts->block_size;
    for (std::int64_t off = 0; off < size || (size == 0 && off == 0); off += bs) {
      auto b = (*rd)->block(path, static_cast<std::uint64_t>(off / bs));
      if (!b) return fail(path + ": " + b.status().message());
      loaded += static_cast<std::int64_t>((*b)->size());
      ++blocks;
      if (rate > 0) {  // hold the average at or below --rate
        double ahead =
            loaded / rate -
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (ahead > 0) std::this_thread::sleep_for(std::chrono::duration<double>(ahead));
      }
      if (tty) {
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        fmt::print(stderr, "\raqueduct load: {:.1f}% ({} of {} MiB, {:.0f} MiB/s)",
                   total > 0 ? 100.0 * loaded / total : 100.0, loaded >> 20, total >> 20,
                   secs > 0 ? loaded / secs / (1 << 20) : 0.0);
      }
      if (size == 0) break;
    }
    if (state.is_open()) {
      // Listed as done only once all its blocks are on their workers.
      (*rd)->flush();
      if ((*rd)->stats().puts_lost == lost_before) state << path << "\n" << std::flush;
    }
  }
  (*rd)->flush();
  if (tty) fmt::print(stderr, "\n");
  auto s = (*rd)->stats();
  if (s.puts_lost > 0) {
    // A load that left blocks out of the cache has not done its job: say so
    // (and how many), instead of reporting success.
    return fail(std::to_string(s.puts_lost) + " of " + std::to_string(blocks) +
                " blocks were read but not stored on the workers (first: " + s.first_put_error +
                "); run it again to load the rest");
  }
  log.info(std::to_string(files.size()) + " files (" + std::to_string(skipped) +
           " done earlier), " + std::to_string(loaded >> 20) + " MiB, " +
           std::to_string(s.source_reads - before) + " blocks read from the source, " +
           std::to_string(s.worker_hits) + " already cached");
  return kExitOk;
}

}  // namespace aqueduct::cli
