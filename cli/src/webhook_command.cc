// `aqueduct webhook`: the mutating admission webhook over HTTPS. Serves until
// SIGTERM/SIGINT; one log line per request (core::Logger: text or JSON).

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "aqueduct/k8s/cluster_informers.h"
#include "aqueduct/k8s/live_dataset_resolver.h"
#include "aqueduct/k8s/webhook_server.h"
#include "commands.h"
#include "input_files.h"
#include "stop_signals.h"

namespace aqueduct::cli {

core::Result<core::InjectionOptions> injection_options(const InjectArgs& a);
core::Result<core::DatasetResolver> resolver_from_files(const std::vector<std::string>& paths,
                                                        InputFiles& inputs);

int run_webhook(const WebhookArgs& args) {
  const core::Logger log("webhook", args.log.options());
  auto fail = [&log](const std::string& msg) {
    log.error(msg);
    return kExitErrors;
  };
  auto opts = injection_options(args.inject);
  if (!opts) return fail(opts.status().message());
  // Block the stop signals in every thread; this one waits for them.
  const StopSignals stop_signals;
  // Datasets and runtimes: live from the cluster, or from files.
  const bool live = !args.kubeconfig.empty() || args.in_cluster;
  if (live && !args.inject.objects.empty())
    return fail("--objects and --kubeconfig/--in-cluster exclude each other");
  std::unique_ptr<k8s::ApiClient> client;
  std::unique_ptr<k8s::LiveDatasetResolver> live_resolver;
  core::Result<core::DatasetResolver> resolve = core::DatasetResolver();
  if (live) {
    auto cfg = args.in_cluster ? k8s::in_cluster_config() : k8s::load_kubeconfig(args.kubeconfig);
    if (!cfg) return fail(cfg.status().message());
    auto c = k8s::ApiClient::create(*cfg);
    if (!c) return fail(c.status().message());
    client = std::move(*c);
    client->set_logger(log);
    live_resolver = std::make_unique<k8s::LiveDatasetResolver>(*client, k8s::all_runtime_kinds());
    live_resolver->start();
    if (!live_resolver->wait_synced(std::chrono::seconds(30))) {
      log.warn("the Dataset caches are not synced after 30 s; serving anyway");
    }
    resolve = live_resolver->resolver();
  } else {
    if (auto st = check_one_stdin(args.inject.objects, "--objects"); !st.is_ok())
      return fail(st.message());
    InputFiles inputs(std::cin);
    resolve = resolver_from_files(args.inject.objects, inputs);
  }
  if (!resolve) return fail(resolve.status().message());
  if (args.profile == "alongside") {
    // Fluid's own webhook mutates pods of its datasets; this one only Aqueduct's.
    resolve = core::restrict_to_engine(*resolve, "aqueduct");
  } else if (args.profile != "instead") {
    return fail("--profile \"" + args.profile + "\": expected instead or alongside");
  }
  auto addr = k8s::parse_listen_address(args.listen);
  if (!addr) return fail(addr.status().message());
  if (args.self_signed) {
    auto st =
        k8s::write_self_signed_certificate(args.cert, args.key, args.dns_names, {"127.0.0.1"});
    if (!st.is_ok()) return fail(st.message());
  }
  k8s::WebhookConfig cfg;
  cfg.cert_file = args.cert;
  cfg.key_file = args.key;
  cfg.host = addr->first;
  cfg.port = addr->second;
  cfg.threads = args.threads;
  cfg.max_body_bytes = args.max_body_bytes;
  cfg.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(args.deadline_s * 1000));
  cfg.max_connections = args.max_connections;
  cfg.injection = *opts;
  if (!args.quiet) cfg.log = [log](const std::string& line) { log.info(line); };

  auto server = k8s::WebhookServer::create(std::move(cfg), *resolve);
  if (!server) return fail(server.status().message());
  log.info("serving POST /mutate-fluid-pods, GET /healthz and GET /metrics on https://" +
           addr->first + ":" + std::to_string((*server)->port()));
  if (!args.ready_file.empty()) {
    std::ofstream(args.ready_file) << addr->first << ":" << (*server)->port() << "\n";
  }
  std::thread serving([&] { (*server)->serve(); });
  const int sig = stop_signals.wait();
  log.info("signal " + std::to_string(sig) + ", stopping");
  (*server)->stop();
  serving.join();
  if (live_resolver) live_resolver->stop();
  return kExitOk;
}

}  // namespace aqueduct::cli
