// `aqueduct worker`: a cache worker (gRPC) with Prometheus metrics; serves
// until SIGTERM/SIGINT.

#include <fstream>
#include <iostream>
#include <thread>

#include "aqueduct/fuse/worker.h"
#include "commands.h"
#include "stop_signals.h"

namespace aqueduct::cli {

int run_worker(const WorkerArgs& args) {
  auto fail = [](const std::string& msg) {
    std::cerr << "aqueduct worker: " << msg << "\n";
    return kExitErrors;
  };
  fuse::WorkerConfig cfg;
  cfg.listen = args.listen;
  cfg.eviction = args.eviction;
  cfg.metrics_listen = args.metrics_listen;
  for (const auto& t : args.tiers) {
    auto tier = fuse::parse_tier(t);
    if (!tier) return fail(tier.status().message());
    cfg.tiers.push_back(*tier);
  }
  const StopSignals stop_signals;
  auto worker = fuse::Worker::start(cfg);
  if (!worker) return fail(worker.status().message());
  std::string host = cfg.listen.substr(0, cfg.listen.rfind(':'));
  std::cerr << "aqueduct worker: serving gRPC on " << host << ":" << (*worker)->port();
  if ((*worker)->metrics_port())
    std::cerr << ", metrics on :" << (*worker)->metrics_port() << "/metrics";
  std::cerr << "\n";
  if (!args.ready_file.empty()) {
    std::ofstream(args.ready_file) << host << ":" << (*worker)->port() << "\n";
  }
  const int sig = stop_signals.wait();
  std::cerr << "aqueduct worker: signal " << sig << ", stopping\n";
  (*worker)->stop();
  return kExitOk;
}

}  // namespace aqueduct::cli
