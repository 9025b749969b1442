// `aqueduct controller`: the live controllers (Datasets, runtimes, DataLoads,
// the sidecar-termination rule)
// under leader election on a Lease, so several replicas can run and one acts.
// Informers start at once on every replica (a standby keeps warm caches); the
// controllers run only while this replica leads. Until SIGTERM/SIGINT.

#include <iostream>
#include <sstream>

#include "aqueduct/core/quantity.h"
#include "aqueduct/k8s/controller_metrics.h"
#include "aqueduct/k8s/dataload_controller.h"
#include "aqueduct/k8s/dataset_controller.h"
#include "aqueduct/k8s/elasticity_controller.h"
#include "aqueduct/k8s/http_server.h"
#include "aqueduct/k8s/leader_election.h"
#include "aqueduct/k8s/runtime_controller.h"
#include "aqueduct/k8s/sidecar_exit.h"
#include "aqueduct/k8s/webhook_server.h"
#include "commands.h"
#include "stop_signals.h"

namespace aqueduct::cli {

int run_controller(const ControllerArgs& args) {
  const core::Logger log("controller", args.log.options());
  auto fail = [&log](const std::string& msg) {
    log.error(msg);
    return kExitErrors;
  };
  auto duration = [](const std::string& flag,
                     const std::string& v) -> core::Result<std::chrono::milliseconds> {
    auto d = core::parse_duration(v);
    if (!d || d->count() <= 0)
      return core::invalid_argument(flag + " \"" + v + "\": expected a duration like 15s");
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  };
  k8s::LeaderElectionConfig le;
  le.lease_namespace = args.lease_namespace;
  le.lease_name = args.lease_name;
  le.identity = args.identity;
  {
    auto d = duration("--lease-duration", args.lease_duration);
    if (!d) return fail(d.status().message());
    le.lease_duration = *d;
    auto r = duration("--renew-deadline", args.renew_deadline);
    if (!r) return fail(r.status().message());
    le.renew_deadline = *r;
    auto p = duration("--retry-period", args.retry_period);
    if (!p) return fail(p.status().message());
    le.retry_period = *p;
  }
  if (!(le.retry_period < le.renew_deadline && le.renew_deadline < le.lease_duration)) {
    return fail("expected --retry-period < --renew-deadline < --lease-duration");
  }
  if (args.profile != "instead" && args.profile != "alongside")
    return fail("--profile \"" + args.profile + "\": expected instead or alongside");
  const bool alongside = args.profile == "alongside";
  std::string runtime_kinds = args.runtime_kinds;
  if (alongside) {
    // Fluid's controllers own its runtime kinds; this one takes only its own.
    if (runtime_kinds == ControllerArgs{}.runtime_kinds) runtime_kinds = "AqueductRuntime";
    if (runtime_kinds != "AqueductRuntime")
      return fail(
          "--profile alongside: --runtime-kinds must be AqueductRuntime (Fluid's "
          "controllers own the others), got \"" +
          runtime_kinds + "\"");
  }
  std::vector<std::string> kinds;
  std::stringstream ss(runtime_kinds);
  for (std::string k; std::getline(ss, k, ',');) {
    if (k.empty()) continue;
    if (!k8s::resources::runtime(k).ok())
      return fail("--runtime-kinds: unknown kind \"" + k + "\"");
    kinds.push_back(k);
  }
  auto cfg = k8s::resolve_cluster_config(args.kubeconfig);
  if (!cfg) return fail(cfg.status().message());
  auto client = k8s::ApiClient::create(*cfg);
  if (!client) return fail(client.status().message());
  (*client)->set_logger(log);

  const StopSignals stop_signals;

  k8s::DatasetController datasets(**client, kinds, args.workers, alongside);
  k8s::RuntimeController runtimes(**client, kinds, args.workers);
  k8s::DataLoadController loads(**client, kinds, args.workers, alongside);
  k8s::SidecarExitController sidecars(**client, args.workers);
  auto period = duration("--elasticity-period", args.elasticity_period);
  if (!period) return fail(period.status().message());
  k8s::ElasticityController elasticity(**client, kinds, *period);
  datasets.start_informers();
  sidecars.start_informers();
  elasticity.start_informers();
  runtimes.start_informers();
  loads.start_informers();
  const auto sync = std::chrono::seconds(30);
  if (!datasets.wait_synced(sync) || !runtimes.wait_synced(sync) || !loads.wait_synced(sync) ||
      !sidecars.wait_synced(sync) || !elasticity.wait_synced(sync)) {
    log.warn("caches not synced after 30 s; going on");
  }
  k8s::LeaderElector elector(**client, le,
                             {[&] {
                                log.info("leading; reconciling");
                                datasets.start();
                                runtimes.start();
                                loads.start();
                                sidecars.start();
                                elasticity.start();
                              },
                              [&] {
                                log.info("no longer leading; standing by");
                                datasets.stop();
                                runtimes.stop();
                                loads.stop();
                                sidecars.stop();
                                elasticity.stop();
                              }});
  std::unique_ptr<k8s::HttpServer> metrics;
  if (!args.metrics_listen.empty()) {
    auto addr = k8s::parse_listen_address(args.metrics_listen);
    if (!addr) return fail("--metrics-listen: " + addr.status().message());
    k8s::HttpServerConfig hc;
    hc.name = "controller";
    hc.host = addr->first;
    hc.port = addr->second;
    hc.extra_metrics = [&] {
      return k8s::controller_metrics_text({datasets.loop().stats(), runtimes.loop().stats(),
                                           loads.loop().stats(), sidecars.loop().stats()},
                                          elector.is_leader());
    };
    auto server = k8s::HttpServer::start(std::move(hc),
                                         {{"GET", "/healthz", [](const k8s::HttpRequest&) {
                                             return k8s::HttpResponse{200, "ok\n", "text/plain"};
                                           }}});
    if (!server) return fail("--metrics-listen: " + server.status().message());
    metrics = std::move(*server);
    log.info("serving GET /metrics and /healthz on http://" + addr->first + ":" +
             std::to_string(metrics->port()));
  }
  log.info(elector.identity() + " campaigning for lease " + le.lease_namespace + "/" +
           le.lease_name);
  elector.start();
  const int sig = stop_signals.wait();
  log.info("signal " + std::to_string(sig) + ", stopping");
  elector.stop();  // stops the controllers and hands the lease back
  if (metrics) metrics->stop();
  datasets.stop_informers();
  runtimes.stop_informers();
  loads.stop_informers();
  sidecars.stop_informers();
  elasticity.stop_informers();
  return kExitOk;
}

}  // namespace aqueduct::cli
