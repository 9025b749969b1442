// `aqueduct worker`: a cache worker (gRPC) with Prometheus metrics; serves
// until SIGTERM/SIGINT. `aqueduct worker-tls`: certificates for its mutual TLS.

#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <thread>

#include "aqueduct/fuse/block_allocator.h"
#include "aqueduct/fuse/worker.h"
#include "aqueduct/k8s/certificates.h"
#include "commands.h"
#include "stop_signals.h"

namespace aqueduct::cli {

core::Result<std::string> read_token_file(const std::string& flag, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return core::not_found(flag + " " + path + ": cannot read it");
  }
  if ((st.st_mode & S_IROTH) != 0) {
    return core::invalid_argument(flag + " " + path +
                                  ": anyone on this machine can read it (chmod o-r)");
  }
  std::ifstream in(path);
  std::string token((std::istreambuf_iterator<char>(in)), {});
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (!in.good() && !in.eof()) return core::io_error(flag + " " + path + ": cannot read it");
  if (token.empty()) return core::invalid_argument(flag + " " + path + ": the file is empty");
  return token;
}

int run_worker_tls(const WorkerTlsArgs& args) {
  auto issued = k8s::issue_mutual_tls(args.dns_names, args.ip_addresses, args.days);
  if (!issued) {
    std::cerr << "error: worker-tls: " << issued.status().message()
              << " (give --dns NAME or --ip ADDRESS)\n";
    return kExitErrors;
  }
  if (auto st = k8s::write_tls_files(args.out, *issued); !st.is_ok()) {
    std::cerr << "error: worker-tls: " << st.message() << "\n";
    return kExitErrors;
  }
  std::cout << "wrote " << args.out << "/ca.crt, " << args.out << "/tls.crt and " << args.out
            << "/tls.key (owner-only)\n";
  return kExitOk;
}

int run_worker(const WorkerArgs& args) {
  fuse::keep_block_memory();
  const core::Logger log("worker", args.log.options());
  auto fail = [&log](const std::string& msg) {
    log.error(msg);
    return kExitErrors;
  };
  fuse::WorkerConfig cfg;
  cfg.listen = args.listen;
  cfg.eviction = args.eviction;
  cfg.metrics_listen = args.metrics_listen;
  cfg.data_listen = args.data_listen;
  if (!args.token_file.empty()) {
    auto token = read_token_file("--token-file", args.token_file);
    if (!token) return fail(token.status().message());
    cfg.auth_token = *token;
  } else {
    log.warn("no --token-file: anyone who reaches the port can read and write blocks");
  }
  if (!args.tls_ca.empty() || !args.tls_cert.empty() || !args.tls_key.empty()) {
    auto tls = fuse::load_worker_tls("--tls", args.tls_ca, args.tls_cert, args.tls_key);
    if (!tls) return fail(tls.status().message());
    cfg.tls = *tls;
  } else if (!args.token_file.empty()) {
    log.warn("no --tls-cert: the token and blocks travel in clear text (see docs/data-plane.md)");
  }
  for (const auto& t : args.tiers) {
    auto tier = fuse::parse_tier(t);
    if (!tier) return fail(tier.status().message());
    cfg.tiers.push_back(*tier);
  }
  const StopSignals stop_signals;
  auto worker = fuse::Worker::start(cfg);
  if (!worker) return fail(worker.status().message());
  std::string host = cfg.listen.substr(0, cfg.listen.rfind(':'));
  log.info("serving gRPC on " + host + ":" + std::to_string((*worker)->port()) +
           ((*worker)->metrics_port()
                ? ", metrics on :" + std::to_string((*worker)->metrics_port()) + "/metrics"
                : std::string()));
  if (!args.ready_file.empty()) {
    std::ofstream(args.ready_file) << host << ":" << (*worker)->port() << "\n";
  }
  const int sig = stop_signals.wait();
  log.info("signal " + std::to_string(sig) + ", stopping");
  (*worker)->stop();
  return kExitOk;
}

}  // namespace aqueduct::cli
