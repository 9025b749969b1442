// aqueduct: the single command-line entry point; subcommands are thin wiring
// over the libraries.
#include <CLI/CLI.hpp>
#include <iostream>

#include "aqueduct/core/version.h"
#include "commands.h"
#include "completion.h"
#include "usage_errors.h"

namespace {

// The limits of the webhook's and the extender's HTTP server (HttpServer).
void add_server_flags(CLI::App* c, int& threads, double& deadline_s, std::size_t& max_connections) {
  c->add_option("--threads", threads, "event-loop threads (default 2)")->check(CLI::Range(1, 256));
  c->add_option("--request-deadline", deadline_s,
                "seconds a request may take to arrive in full (default 10)")
      ->check(CLI::Range(0.001, 3600.0));
  c->add_option("--max-connections", max_connections,
                "connections open at once; more are refused (default 1024)")
      ->check(CLI::Range(1, 1000000));
}

// --log-level and --log-format of a long-running command.
void add_log_flags(CLI::App* c, aqueduct::cli::LogArgs& log) {
  c->add_option("--log-level", log.level, "debug, info, warn, error or off (default info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  c->add_option("--log-format", log.format, "text, or json: one object per line (default text)")
      ->check(CLI::IsMember({"text", "json"}));
}

// -o/--output of a command whose output has a shape: a table for people,
// or the same rows as JSON, YAML or CSV (output_format.h).
void add_output_flag(CLI::App* c, std::string& output,
                     const std::vector<std::string>& formats = {"table", "json", "yaml", "csv"}) {
  std::string list;
  for (std::size_t i = 0; i < formats.size(); ++i)
    list += (i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + formats[i];
  c->add_option("-o,--output", output, list + " (default " + formats.front() + ")")
      ->check(CLI::IsMember(formats));
}

// Figure formats: a comma-separated list of png, pdf and svg.
CLI::Validator figure_formats() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        std::size_t at = 0;
        while (at <= v.size()) {
          std::size_t comma = v.find(',', at);
          std::string f = v.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
          if (f != "png" && f != "pdf" && f != "svg") {
            return "unknown figure format \"" + f + "\" (expected png, pdf or svg)";
          }
          if (comma == std::string::npos) break;
          at = comma + 1;
        }
        return "";
      },
      "png,pdf,svg");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Aqueduct: data-aware scheduling and caching for data-intensive jobs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aqueduct " + aqueduct::core::version_line());
  auto* version_cmd =
      app.add_subcommand("version", "Print the version, the git commit and the build options");
  std::string version_output = "table";
  add_output_flag(version_cmd, version_output, {"table", "json", "yaml"});

  aqueduct::cli::ValidateArgs va;
  auto* validate = app.add_subcommand(
      "validate",
      "Check Fluid YAML (Dataset, runtimes, DataLoad, workloads) or experiment files.\n"
      "Exit status: 0 no problems, 1 warnings only, 2 errors.");
  validate->add_option("files,-f,--file", va.files, "YAML files (- for standard input)")
      ->required();
  validate->add_flag("-q,--quiet", va.quiet, "no summary line");
  validate->add_flag("--lenient", va.lenient,
                     "unknown fields in experiment and cluster files are warnings, not errors");
  add_output_flag(validate, va.output);

  auto* simc = app.add_subcommand("sim", "Simulate experiments");
  simc->require_subcommand(1);
  aqueduct::cli::SimRunArgs sargs;
  std::uint64_t seed = 0;
  auto* run = simc->add_subcommand("run", "Run an experiment file (every scenario in it)");
  run->add_option("experiment,-f,--file", sargs.experiment,
                  "experiment YAML (- for standard input)")
      ->required();
  run->add_option("--out", sargs.out_dir, "output folder (default out/<experiment name>)");
  auto* seed_opt = run->add_option("--seed", seed, "override the experiment seed");
  run->add_option("--scenario", sargs.scenarios, "run only these scenarios");
  run->add_flag("-q,--quiet", sargs.quiet, "print only the summary table");
  run->add_flag("!--no-progress", sargs.progress, "no progress line");
  run->add_flag("--force", sargs.force,
                "replace the results of an earlier run in the output folder");
  run->add_flag("--lenient", sargs.lenient, "unknown experiment fields are warnings, not errors");
  run->add_flag("!--no-plots", sargs.plots, "do not draw the figures (see `aqueduct plot`)");
  run->add_option("--plot-format", sargs.plot_formats, "figure formats: png, pdf, svg (png)")
      ->check(figure_formats());
  add_output_flag(run, sargs.output);

  aqueduct::cli::PlotArgs pargs;
  auto* plot = app.add_subcommand(
      "plot", "Draw the figures of a `sim run` output folder (needs Python with matplotlib)");
  plot->add_option("dir", pargs.dir, "the run's output folder")->required();
  plot->add_option("--format", pargs.formats, "comma-separated: png, pdf, svg (default png)")
      ->check(figure_formats());
  plot->add_flag("-q,--quiet", pargs.quiet, "do not list the files written");

  std::string completion_shell;
  auto* completion = app.add_subcommand(
      "completion", "Print a shell completion script: eval \"$(aqueduct completion bash)\"");
  completion->add_option("shell", completion_shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));

  std::string schema_output = "table";
  auto* schema_cmd = app.add_subcommand(
      "schema", "Print the result model: every column of the files `sim run` writes");
  add_output_flag(schema_cmd, schema_output, {"table", "json", "yaml", "csv", "markdown"});

  aqueduct::cli::SimNodesArgs sn;
  auto* simnodes = simc->add_subcommand(
      "nodes",
      "Register a cluster's nodes with a real apiserver (like KWOK), keep them Ready and run\n"
      "the pods bound to them through the simulator's job model, until SIGTERM/SIGINT.");
  simnodes->add_option("--kubeconfig", sn.kubeconfig,
                       "kubeconfig (default $KUBECONFIG, in-cluster, ~/.kube/config)");
  simnodes->add_option("--cluster", sn.cluster, "Cluster YAML with the nodes or pools")->required();
  simnodes->add_option("--time-scale", sn.time_scale,
                       "virtual seconds per wall-clock second (default 1)");
  simnodes->add_option("--heartbeat", sn.heartbeat, "node status heartbeat period (10s)");
  simnodes->add_option("--default-run", sn.default_run,
                       "run time of batch pods without sim.aqueduct.io/ annotations (10s)");
  simnodes->add_option("--seed", sn.seed, "seeds the pods' start-delay draws (1)");
  simnodes->add_flag("--lenient", sn.lenient, "unknown cluster fields are warnings, not errors");

  aqueduct::cli::ScheduleArgs schargs;
  auto* sched = app.add_subcommand(
      "schedule",
      "Place pods on a described cluster and print each placement (with --explain the per-plugin\n"
      "scores, and the affinity Fluid injects), or why a pod is unschedulable.\n"
      "Exit status: 0 all placed, 1 some unschedulable, 2 bad input.");
  sched
      ->add_option("--cluster", schargs.cluster,
                   "Cluster YAML (nodes, caches, scheduler profile; - for standard input)")
      ->required();
  sched
      ->add_option("files,-f,--file", schargs.objects,
                   "Fluid/workload YAML with the pods to place (- for standard input)")
      ->required();
  sched->add_flag("--explain", schargs.explain, "show scores per plugin for the best nodes");
  sched->add_flag("--gang", schargs.gang, "place each workload's pods all or none");
  sched->add_option("--top", schargs.top, "nodes shown per pod with --explain (default 5)");
  sched->add_flag("--lenient", schargs.lenient, "unknown cluster fields are warnings, not errors");
  add_output_flag(sched, schargs.output);

  aqueduct::cli::CalibrateArgs cal;
  auto* calibrate = app.add_subcommand(
      "calibrate",
      "Run the calibration cases (published results the simulator must reproduce) and print\n"
      "target, measured, error and verdict. Exit status: 0 all within tolerance, 1 a miss,\n"
      "2 bad input.");
  calibrate->add_option("paths", cal.paths,
                        "case folders, calibration.yaml files or folders of cases "
                        "(default examples/calibration)");
  add_output_flag(calibrate, cal.output);

  aqueduct::cli::CacheSimArgs cs;
  auto* cache_sim = app.add_subcommand(
      "cache-sim", "Replay a block/object trace against eviction policies and print miss ratios.");
  cache_sim->add_option("trace,-f,--file,--trace", cs.trace, "trace file (- for standard input)");
  cache_sim->add_option("--shuffled-epochs", cs.shuffled_epochs,
                        "BLOCKS:EPOCHS[:SEED]: the deep-learning pattern instead of a trace file");
  cache_sim
      ->add_option("--format", cs.format,
                   "csv (default), cloudphysics, cachelib-block, cachelib-kv, twitter, msr, "
                   "binary or oracleGeneral; zstd-compressed input is recognised")
      ->check(CLI::IsMember({"csv", "cloudphysics", "cachelib-block", "cachelib-kv", "twitter",
                             "msr", "binary", "oracleGeneral"}));
  cache_sim
      ->add_option("--on-hit-size", cs.on_hit_size,
                   "a hit naming another size: keep the admitted size (default, as "
                   "libCacheSim) or update to the new one")
      ->check(CLI::IsMember({"keep", "update"}));
  cache_sim->add_option("--threads", cs.threads, "replay threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  cache_sim->add_flag("-q,--quiet", cs.quiet, "no progress line");
  cache_sim
      ->add_option("--sample", cs.sample,
                   "LRU's curve from a sample of the keys at this rate (SHARDS), e.g. 0.01")
      ->check(CLI::Range(1e-6, 1.0));
  cache_sim->add_option("--key-column", cs.key_column, "csv: the key column (default key)");
  cache_sim->add_option("--size-column", cs.size_column, "csv: the size column (default size)");
  cache_sim->add_option("--policy", cs.policies, "policies, comma-separated, or all (default lru)");
  cache_sim->add_option("--size", cs.sizes,
                        "cache sizes, comma-separated: 64Mi, 1e9 or 10% (default 10%)");
  add_output_flag(cache_sim, cs.output);
  cache_sim->add_option("--mrc", cs.mrc,
                        "draw the miss-ratio curve into this figure (.png, .pdf or .svg); its data "
                        "goes to the same name with .csv");
  cache_sim->add_option("--write-binary", cs.write_binary,
                        "also write the trace in the binary format");
  cache_sim->add_option("--max-requests", cs.max_requests, "replay at most this many requests");

  aqueduct::cli::InjectArgs ia;
  auto* inject = app.add_subcommand(
      "inject",
      "Apply Fluid's pod injection (FUSE sidecar, cache affinity, labels) to a Pod or workload\n"
      "manifest and print the result, as the admission webhook would mutate it.\n"
      "Exit status: 0 ok, 2 bad input.");
  inject
      ->add_option("file,-f,--file", ia.file,
                   "Pod/Job/Deployment/... YAML or JSON (- for standard input)")
      ->required();
  inject
      ->add_option("--objects", ia.objects,
                   "YAML with the Datasets and runtimes (- for standard input)")
      ->required();
  inject->add_option("-o,--output", ia.output, "yaml (default) or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  inject->add_flag("--native-sidecar", ia.native_sidecar,
                   "inject the sidecar as an init container with restartPolicy Always");
  inject->add_flag("--serverful-opt-in", ia.serverful_opt_in,
                   "serverful pods need fuse.serverful.fluid.io/inject=true");
  inject->add_flag("--no-arch-affinity", ia.no_arch_affinity,
                   "do not add a kubernetes.io/arch term for single-arch sidecar images");
  inject->add_option("--platform-label", ia.platform_label,
                     "the serverless-platform label KEY=VALUE (default "
                     "alibabacloud.com/fluid-sidecar-target=eci)");
  inject->add_flag("-q,--quiet", ia.quiet, "no per-pod summary on stderr");

  aqueduct::cli::WebhookArgs wa;
  auto* webhook = app.add_subcommand(
      "webhook",
      "Serve the mutating admission webhook (AdmissionReview admission.k8s.io/v1) over HTTPS:\n"
      "POST /mutate-fluid-pods, GET /healthz. Stops on SIGTERM/SIGINT.");
  webhook->add_option("--tls-cert", wa.cert, "PEM certificate")->required();
  webhook->add_option("--tls-key", wa.key, "PEM private key")->required();
  webhook->add_option("--listen", wa.listen, "HOST:PORT or :PORT (default :8443; port 0: any)");
  webhook->add_option("--objects", wa.inject.objects,
                      "YAML with the Datasets and runtimes (none: only pods without datasets; "
                      "- for standard input)");
  webhook->add_option("--kubeconfig", wa.kubeconfig,
                      "resolve Datasets and runtimes live from this cluster instead of --objects");
  webhook->add_flag("--in-cluster", wa.in_cluster,
                    "resolve them live from the cluster the webhook runs in (service account)");
  webhook->add_flag("--self-signed", wa.self_signed,
                    "first write a self-signed certificate and key to --tls-cert/--tls-key");
  webhook->add_option("--dns-name", wa.dns_names, "DNS names for --self-signed");
  webhook->add_option("--ready-file", wa.ready_file, "write HOST:PORT here once listening");
  webhook
      ->add_option("--profile", wa.profile,
                   "instead (of Fluid's webhook: every dataset, the default) or alongside (only "
                   "AqueductRuntime datasets; Fluid's webhook keeps the others)")
      ->check(CLI::IsMember({"instead", "alongside"}));
  add_server_flags(webhook, wa.threads, wa.deadline_s, wa.max_connections);
  webhook->add_option("--max-body", wa.max_body_bytes, "largest request body in bytes (6 MiB)");
  webhook->add_flag("--native-sidecar", wa.inject.native_sidecar,
                    "inject the sidecar as an init container with restartPolicy Always");
  webhook->add_flag("--serverful-opt-in", wa.inject.serverful_opt_in,
                    "serverful pods need fuse.serverful.fluid.io/inject=true");
  webhook->add_flag("--no-arch-affinity", wa.inject.no_arch_affinity,
                    "do not add a kubernetes.io/arch term for single-arch sidecar images");
  webhook->add_option("--platform-label", wa.inject.platform_label,
                      "the serverless-platform label KEY=VALUE");
  webhook->add_flag("-q,--quiet", wa.quiet, "no per-request log lines");

  aqueduct::cli::WorkerArgs wk;
  auto* worker = app.add_subcommand(
      "worker",
      "Serve a cache worker over gRPC: blocks of datasets in a tiered store (MEM/SSD/HDD),\n"
      "checksummed, with Prometheus metrics. Stops on SIGTERM/SIGINT.");
  worker->add_option("--listen", wk.listen, "gRPC HOST:PORT (default 127.0.0.1:7070; port 0: any)");
  worker
      ->add_option("--tier", wk.tiers,
                   "mem:SIZE, mem:TMPFS_PATH:SIZE, ssd:PATH:SIZE or hdd:PATH:SIZE, fastest first")
      ->required();
  worker->add_option("--eviction", wk.eviction, "eviction policy (default lru)");
  worker->add_option("--metrics-listen", wk.metrics_listen, "HOST:PORT for GET /metrics");
  worker->add_option("--data-listen", wk.data_listen,
                     "HOST:PORT of the data port for small reads (default: the --listen host, any "
                     "port; off: none; always off with TLS)");
  worker->add_option("--ready-file", wk.ready_file, "write HOST:PORT here once serving");
  worker->add_option("--token-file", wk.token_file,
                     "a file holding the shared secret every client must send (recommended)");
  worker->add_option("--tls-ca", wk.tls_ca,
                     "mutual TLS: the CA (PEM) that must have signed every client's certificate");
  worker->add_option("--tls-cert", wk.tls_cert, "mutual TLS: this worker's certificate (PEM)");
  worker->add_option("--tls-key", wk.tls_key,
                     "mutual TLS: its private key (PEM, not world-readable)");

  aqueduct::cli::WorkerTlsArgs wt;
  auto* worker_tls = app.add_subcommand(
      "worker-tls",
      "Issue mutual-TLS files for workers and their clients: a new CA and one certificate it\n"
      "signs, as OUT/ca.crt, OUT/tls.crt and OUT/tls.key (owner-only). Live clusters get them\n"
      "from the runtime controller instead.");
  worker_tls->add_option("--out", wt.out, "the folder to write them to")->required();
  worker_tls->add_option("--dns", wt.dns_names, "a name the workers are reached by (repeatable)");
  worker_tls->add_option("--ip", wt.ip_addresses, "an address they are reached by (repeatable)");
  worker_tls->add_option("--days", wt.days, "how long the certificates are valid (3650)")
      ->check(CLI::Range(1, 36500));

  aqueduct::cli::ExtenderArgs ea;
  auto* extender = app.add_subcommand(
      "extender",
      "Serve the kube-scheduler extender (POST /filter, /prioritize) decided by Aqueduct's\n"
      "scheduling plugins; datasets, runtimes and bound pods come from the cluster or --objects.");
  extender->add_option("--listen", ea.listen, "HOST:PORT or :PORT (default :8888; port 0: any)");
  extender->add_option("--profile", ea.profile, "a scheduler preset (default data-aware)");
  extender->add_option("--kubeconfig", ea.kubeconfig,
                       "kubeconfig (default: $KUBECONFIG, in-cluster)");
  extender->add_option("--objects", ea.objects,
                       "YAML/JSON files with Nodes, Pods, Datasets, runtimes (- for standard "
                       "input)");
  extender->add_option("--tls-cert", ea.cert, "PEM certificate (with --tls-key: HTTPS)");
  extender->add_option("--tls-key", ea.key, "PEM private key");
  extender->add_option("--ready-file", ea.ready_file, "write HOST:PORT here once listening");
  add_server_flags(extender, ea.threads, ea.deadline_s, ea.max_connections);
  extender->add_flag("-q,--quiet", ea.quiet, "no per-request log lines");

  aqueduct::cli::ControllerArgs ca;
  auto* controller =
      app.add_subcommand("controller",
                         "Run the live controllers (Dataset -> PV/PVC, runtime -> "
                         "StatefulSets and the FUSE DaemonSet,\n"
                         "status, node labels; DataLoad -> Job) under leader election on a Lease,\n"
                         "so several replicas can run and one acts.");
  controller->add_option("--kubeconfig", ca.kubeconfig,
                         "kubeconfig (default: $KUBECONFIG, in-cluster)");
  controller->add_option("--lease-namespace", ca.lease_namespace,
                         "namespace of the Lease (aqueduct-system)");
  controller->add_option("--lease-name", ca.lease_name, "name of the Lease (aqueduct-controller)");
  controller->add_option("--identity", ca.identity, "this replica's name (default hostname_pid)");
  controller->add_option("--lease-duration", ca.lease_duration,
                         "how long a silent leader keeps the lease (15s)");
  controller->add_option("--renew-deadline", ca.renew_deadline,
                         "a leader that cannot renew this long steps down (10s)");
  controller->add_option("--retry-period", ca.retry_period, "between attempts and renewals (2s)");
  controller->add_option("--runtime-kinds", ca.runtime_kinds,
                         "runtime kinds to watch, comma-separated (default: all five)");
  controller
      ->add_option("--max-concurrent-reconciles", ca.workers,
                   "objects of each kind reconciled at once (2)")
      ->check(CLI::Range(1, 64));
  controller->add_option("--elasticity-period", ca.elasticity_period,
                         "how often runtimes' autoscalers (aqueduct.io/autoscaler) decide (60s)");
  controller
      ->add_option("--profile", ca.profile,
                   "instead (of Fluid: all runtime kinds, the default) or alongside (an installed "
                   "Fluid keeps its kinds and datasets; only AqueductRuntime here)")
      ->check(CLI::IsMember({"instead", "alongside"}));
  controller->add_option("--metrics-listen", ca.metrics_listen,
                         "serve Prometheus metrics (GET /metrics) and GET /healthz over plain "
                         "HTTP on HOST:PORT (default: off)");

  aqueduct::cli::CsiArgs csa;
  auto* csi = app.add_subcommand(
      "csi",
      "Serve the CSI node plugin (fuse.csi.fluid.io) for the kubelet: NodeStage labels the\n"
      "node for the dataset's lazy FUSE, NodePublish bind-mounts the dataset into the pod;\n"
      "pods' mounts are bound again when the FUSE restarts.");
  csi->add_option("--endpoint", csa.endpoint, "unix:///path of the socket (unix:///csi/csi.sock)");
  csi->add_option("--node-id", csa.node_id, "this node's name (e.g. from spec.nodeName)")
      ->required();
  csi->add_option("--driver-name", csa.driver_name, "the CSI driver name (fuse.csi.fluid.io)");
  csi->add_option("--kubeconfig", csa.kubeconfig, "kubeconfig (default: $KUBECONFIG, in-cluster)");
  csi->add_option("--kubelet-dir", csa.kubelet_dir, "the kubelet's root folder (/var/lib/kubelet)");
  csi->add_option("--state-dir", csa.state_dir,
                  "where published targets are recorded (default: KUBELET-DIR/plugins/DRIVER/"
                  "published)");
  csi->add_option("--mount-timeout", csa.mount_timeout,
                  "how long NodePublish waits for the dataset's FUSE (60s)");
  csi->add_option("--recover-period", csa.recover_period,
                  "how often pods' mounts are checked against a restarted FUSE (5s; 0: off)");
  csi->add_option("--registration-dir", csa.registration_dir,
                  "register with the kubelet through its plugins_registry folder, mounted here\n"
                  "(instead of a node-driver-registrar sidecar)");
  csi->add_option("--kubelet-registration-path", csa.kubelet_registration_path,
                  "the CSI socket's path on the node, as the kubelet dials it (default: the\n"
                  "--endpoint path)");
  csi->add_option("--metrics-listen", csa.metrics_listen,
                  "serve Prometheus metrics (GET /metrics) and GET /healthz on HOST:PORT");

  aqueduct::cli::FuseArgs fa;
  auto add_reader_flags = [&](CLI::App* c) {
    c->add_option("--source", fa.source, "local:///path or http(s)://host[:port]/prefix")
        ->required();
    c->add_option("--workers", fa.workers, "cache workers HOST:PORT,HOST:PORT,...");
    c->add_option("--dataset", fa.dataset,
                  "the label blocks are stored under (default \"default\")");
    c->add_option("--block-size", fa.block_size, "block size (default 4Mi)");
    c->add_option("--mem", fa.mem, "a local memory tier of this size (e.g. 1Gi)");
    c->add_option("--cache-dir", fa.cache_dir, "a local disk tier in this folder");
    c->add_option("--cache-dir-size", fa.cache_dir_size, "its size (e.g. 20Gi)");
    c->add_option("--meta-ttl", fa.meta_ttl, "how long listings and sizes are cached (default 5s)");
    c->add_flag("--no-short-circuit", fa.no_short_circuit,
                "always read through gRPC, also from a worker on this node");
    c->add_option("--worker-token-file", fa.worker_token_file,
                  "a file holding the workers' shared secret (their --token-file)");
    c->add_option("--worker-tls-ca", fa.worker_tls_ca,
                  "mutual TLS: the CA (PEM) that signed the workers' certificates");
    c->add_option("--worker-tls-cert", fa.worker_tls_cert,
                  "mutual TLS: the certificate (PEM) this client presents to workers");
    c->add_option("--worker-tls-key", fa.worker_tls_key,
                  "mutual TLS: its private key (PEM, not world-readable)");
    c->add_option("--worker-tls-server-name", fa.worker_tls_server_name,
                  "the name the workers' certificates carry (default: the host in --workers)");
  };
  auto* fusec = app.add_subcommand("fuse", "The dataset FUSE mount");
  fusec->require_subcommand(1);
  auto* mount = fusec->add_subcommand(
      "mount",
      "Mount a dataset read-only through the cache workers; ends on SIGTERM, on\n"
      "--exit-when-done, or when unmounted.");
  add_reader_flags(mount);
  mount->add_option("mountpoint", fa.mountpoint, "an empty directory")->required();
  mount->add_option("--readahead", fa.readahead, "blocks fetched ahead of sequential reads (4)");
  mount->add_option("--exit-when-done", fa.exit_when_done,
                    "unmount and exit once this file exists (serverless sidecars)");
  mount->add_flag("--recover", fa.recover, "clear a dead mount at MOUNTPOINT first, then mount");
  mount->add_flag("--allow-other", fa.allow_other, "let other users read the mount");
  mount->add_option("--ready-file", fa.ready_file, "written once the mount is live");
  mount->add_option("--metrics-listen", fa.metrics_listen,
                    "HOST:PORT for GET /metrics: the mount's read, cache and put counters");
  auto* load = app.add_subcommand(
      "load",
      "Warm the cache workers with a dataset's blocks (DataLoad): resumable with\n"
      "--state-file, bandwidth-limited with --rate.");
  add_reader_flags(load);
  load->add_option("paths", fa.paths, "files or folders inside the dataset (default /)");
  load->add_option("--rate", fa.rate, "at most this much from the source (e.g. 200MiB/s)");
  load->add_option("--state-file", fa.state_file,
                   "finished files are listed here and skipped on a rerun");

  for (auto [cmd, log] :
       {std::pair{webhook, &wa.log}, std::pair{worker, &wk.log}, std::pair{extender, &ea.log},
        std::pair{controller, &ca.log}, std::pair{mount, &fa.log}, std::pair{load, &fa.log},
        std::pair{simnodes, &sn.log}, std::pair{csi, &csa.log}})
    add_log_flags(cmd, *log);
  if (int rc = aqueduct::cli::parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (version_cmd->parsed()) return aqueduct::cli::run_version(version_output);
  if (mount->parsed()) return aqueduct::cli::run_fuse_mount(fa);
  if (load->parsed()) return aqueduct::cli::run_load(fa);
  if (worker->parsed()) return aqueduct::cli::run_worker(wk);
  if (worker_tls->parsed()) return aqueduct::cli::run_worker_tls(wt);
  if (webhook->parsed()) return aqueduct::cli::run_webhook(wa);
  if (extender->parsed()) return aqueduct::cli::run_extender(ea);
  if (controller->parsed()) return aqueduct::cli::run_controller(ca);
  if (csi->parsed()) return aqueduct::cli::run_csi(csa);
  if (inject->parsed()) return aqueduct::cli::run_inject(ia);
  if (cache_sim->parsed()) return aqueduct::cli::run_cache_sim(cs);
  if (calibrate->parsed()) return aqueduct::cli::run_calibrate(cal);
  if (sched->parsed()) return aqueduct::cli::run_schedule(schargs);
  if (validate->parsed()) return aqueduct::cli::run_validate(va);
  if (simnodes->parsed()) return aqueduct::cli::run_sim_nodes(sn);
  if (plot->parsed()) return aqueduct::cli::run_plot(pargs);
  if (completion->parsed()) {
    std::cout << aqueduct::cli::completion_script(app, completion_shell);
    return 0;
  }
  if (schema_cmd->parsed()) return aqueduct::cli::run_schema(schema_output);
  if (run->parsed()) {
    if (*seed_opt) sargs.seed = seed;
    return aqueduct::cli::run_sim(sargs);
  }
  return 2;
}
