// `aqueduct csi`: the CSI node plugin (fuse.csi.fluid.io) of a node, serving
// the kubelet on a unix socket, with FUSE recovery, until SIGTERM/SIGINT.

#include <unistd.h>

#include "aqueduct/core/quantity.h"
#include "aqueduct/core/version.h"
#include "aqueduct/k8s/csi_server.h"
#include "aqueduct/k8s/http_server.h"
#include "aqueduct/k8s/plugin_registration.h"
#include "aqueduct/k8s/webhook_server.h"  // parse_listen_address
#include "commands.h"
#include "stop_signals.h"

namespace aqueduct::cli {

namespace {
core::Result<std::chrono::milliseconds> duration_flag(const std::string& flag, const std::string& v,
                                                      bool zero_ok) {
  auto d = core::parse_duration(v);
  if (!d || d->count() < 0 || (!zero_ok && d->count() == 0))
    return core::invalid_argument(flag + " \"" + v + "\": expected a duration like 5s" +
                                  (zero_ok ? " (0 turns it off)" : ""));
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

std::string csi_metrics_text(const k8s::CsiNodePlugin& plugin) {
  const auto t = plugin.recovery_totals();
  std::string out;
  auto counter = [&out](const char* name, const char* help, long v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name +
           " " + std::to_string(v) + "\n";
  };
  counter("aqueduct_csi_recovery_checks_total", "Published targets looked at by FUSE recovery.",
          t.checked);
  counter("aqueduct_csi_recoveries_total",
          "Pods' bind mounts made again onto a restarted FUSE mount.", t.rebound);
  counter("aqueduct_csi_recovery_waits_total",
          "Checks that found the dataset's FUSE not mounted (yet).", t.waiting);
  counter("aqueduct_csi_recovery_failures_total", "Re-binds that failed.", t.failed);
  out +=
      "# HELP aqueduct_csi_published_targets Pods' targets this node publishes now.\n"
      "# TYPE aqueduct_csi_published_targets gauge\naqueduct_csi_published_targets " +
      std::to_string(plugin.published().size()) + "\n";
  return out;
}
}  // namespace

int run_csi(const CsiArgs& args) {
  const core::Logger log("csi", args.log.options());
  auto fail = [&log](const std::string& msg) {
    log.error(msg);
    return kExitErrors;
  };
  k8s::CsiNodeConfig nc;
  nc.driver_name = args.driver_name;
  nc.node_id = args.node_id;
  nc.kubelet_dir = args.kubelet_dir;
  nc.state_dir = args.state_dir.empty()
                     ? args.kubelet_dir + "/plugins/" + args.driver_name + "/published"
                     : args.state_dir;
  auto timeout = duration_flag("--mount-timeout", args.mount_timeout, false);
  if (!timeout) return fail(timeout.status().message());
  nc.mount_timeout = *timeout;
  auto period = duration_flag("--recover-period", args.recover_period, true);
  if (!period) return fail(period.status().message());
  if (auto sock = k8s::csi_socket_path(args.endpoint); !sock) return fail(sock.status().message());
  if (args.registration_dir.empty() && !args.kubelet_registration_path.empty())
    return fail("--kubelet-registration-path needs --registration-dir");

  auto cfg = k8s::resolve_cluster_config(args.kubeconfig);
  if (!cfg) return fail(cfg.status().message());
  auto client = k8s::ApiClient::create(*cfg);
  if (!client) return fail(client.status().message());
  (*client)->set_logger(log);
  auto plugin = k8s::CsiNodePlugin::create(nc, client->get(), log);
  if (!plugin) return fail(plugin.status().message());

  const StopSignals stop_signals;
  k8s::CsiServerConfig sc;
  sc.endpoint = args.endpoint;
  sc.vendor_version = core::version();
  sc.recover_period = *period;
  auto server = k8s::CsiServer::start(sc, **plugin);
  if (!server) return fail(server.status().message());
  log.info(nc.driver_name + " node plugin for node " + nc.node_id + " serving on " +
           (*server)->socket_path() +
           (period->count() > 0 ? "; FUSE recovery every " + args.recover_period
                                : "; FUSE recovery off"));

  std::unique_ptr<k8s::PluginRegistration> registration;
  if (!args.registration_dir.empty()) {
    k8s::PluginRegistrationConfig rc;
    rc.registration_dir = args.registration_dir;
    rc.driver_name = nc.driver_name;
    rc.endpoint = args.kubelet_registration_path.empty() ? (*server)->socket_path()
                                                         : args.kubelet_registration_path;
    auto reg = k8s::PluginRegistration::start(rc, log);
    if (!reg) return fail(reg.status().message());
    registration = std::move(*reg);
    log.info("registering with the kubelet through " + registration->socket_path());
  }

  std::unique_ptr<k8s::HttpServer> metrics;
  if (!args.metrics_listen.empty()) {
    auto addr = k8s::parse_listen_address(args.metrics_listen);
    if (!addr) return fail("--metrics-listen: " + addr.status().message());
    k8s::HttpServerConfig hc;
    hc.name = "csi";
    hc.host = addr->first;
    hc.port = addr->second;
    k8s::CsiNodePlugin* p = plugin->get();
    hc.extra_metrics = [p] { return csi_metrics_text(*p); };
    auto http = k8s::HttpServer::start(std::move(hc),
                                       {{"GET", "/healthz", [](const k8s::HttpRequest&) {
                                           return k8s::HttpResponse{200, "ok\n", "text/plain"};
                                         }}});
    if (!http) return fail("--metrics-listen: " + http.status().message());
    metrics = std::move(*http);
    log.info("serving GET /metrics and /healthz on http://" + addr->first + ":" +
             std::to_string(metrics->port()));
  }
  const int sig = stop_signals.wait();
  log.info("signal " + std::to_string(sig) + ", stopping");
  if (metrics) metrics->stop();
  if (registration) registration->stop();
  (*server)->stop();
  return kExitOk;
}

}  // namespace aqueduct::cli
