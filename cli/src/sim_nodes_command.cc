// `aqueduct sim nodes`: the cluster file's nodes, simulated on a real control
// plane (k8s/simulated_nodes.h), their pods run by the simulator's job model
// (sim/pod_run_model.h). Logs what it does on stderr; until SIGTERM/SIGINT.

#include <iostream>
#include <thread>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/quantity.h"
#include "aqueduct/k8s/kubeconfig.h"
#include "aqueduct/k8s/simulated_nodes.h"
#include "aqueduct/sim/cluster_file.h"
#include "aqueduct/sim/pod_run_model.h"
#include "commands.h"
#include "stop_signals.h"

namespace aqueduct::cli {

int run_sim_nodes(const SimNodesArgs& args) {
  const core::Logger log("sim-nodes", args.log.options());
  auto fail = [&log](const std::string& msg) {
    log.error(msg);
    return kExitErrors;
  };
  if (!(args.time_scale > 0)) return fail("--time-scale: expected a number > 0");
  auto heartbeat = core::parse_duration(args.heartbeat);
  if (!heartbeat || heartbeat->count() <= 0)
    return fail("--heartbeat \"" + args.heartbeat + "\": expected a duration like 10s");
  auto default_run = core::parse_duration(args.default_run);
  if (!default_run || default_run->count() < 0)
    return fail("--default-run \"" + args.default_run + "\": expected a duration like 10s");
  core::Diagnostics diags;
  auto cluster = sim::load_cluster_file(args.cluster, diags, {args.lenient});
  for (const auto& line : diags.report_lines()) {
    if (line.find(": error: ") != std::string::npos) {
      log.error(line);
    } else {
      log.warn(line);
    }
  }
  if (!cluster || diags.has_errors())
    return fail(args.cluster + ": " +
                (cluster ? std::string("errors above") : cluster.status().message()));
  if (cluster->nodes.empty()) return fail(args.cluster + ": the cluster has no nodes");

  auto cfg = k8s::resolve_cluster_config(args.kubeconfig);
  if (!cfg) return fail(cfg.status().message());
  auto client = k8s::ApiClient::create(*cfg);
  if (!client) return fail(client.status().message());
  (*client)->set_logger(log);

  const StopSignals stop_signals;

  sim::PodRunModelSpec spec;
  spec.seed = args.seed;
  spec.default_run = *default_run;
  auto model = [spec](const k8s::PodRunRequest& r) -> core::Result<k8s::PodRunPlan> {
    sim::PodCacheFacts facts{r.has_dataset, r.cached_here, r.cached_elsewhere, r.has_runtime};
    const std::string uid = (*r.pod)["metadata"].value("uid", "");
    AQ_ASSIGN_OR_RETURN(sim::PodRun run,
                        sim::model_pod_run(r.annotations, *r.node, facts, uid, spec));
    return k8s::PodRunPlan{run.start_delay, run.run, run.exit_code, false};
  };
  k8s::SimulatedNodesConfig config;
  config.time_scale = args.time_scale;
  config.heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(*heartbeat);
  k8s::SimulatedNodes nodes(**client, cluster->nodes, model, config);
  if (auto st = nodes.register_nodes(); !st.is_ok()) return fail(st.message());
  log.info(std::to_string(cluster->nodes.size()) + " nodes of " + args.cluster +
           " registered and Ready");
  nodes.start();

  std::atomic<bool> done{false};
  std::thread logger([&] {
    k8s::SimulatedNodesStats last;
    while (!done) {
      for (int i = 0; i < 10 && !done; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      for (const auto& line : nodes.take_log()) log.info(line);
      auto s = nodes.stats();
      if (s.pods_started != last.pods_started || s.pods_succeeded != last.pods_succeeded ||
          s.pods_failed != last.pods_failed || s.pods_deleted != last.pods_deleted) {
        log.info("pods started " + std::to_string(s.pods_started) + ", succeeded " +
                 std::to_string(s.pods_succeeded) + ", failed " + std::to_string(s.pods_failed) +
                 ", deleted " + std::to_string(s.pods_deleted) + ", sidecars ended " +
                 std::to_string(s.sidecars_ended));
        last = s;
      }
    }
  });
  const int sig = stop_signals.wait();
  log.info("signal " + std::to_string(sig) + ", stopping (the nodes stay registered)");
  done = true;
  logger.join();
  nodes.stop();
  return kExitOk;
}

}  // namespace aqueduct::cli
