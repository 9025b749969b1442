// Subcommands of the `aqueduct` binary. Each returns the process exit status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"

namespace aqueduct::cli {

// Exit statuses of `validate`: documented in docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitWarnings = 1;
inline constexpr int kExitErrors = 2;

// `lenient`: unknown fields in Aqueduct's own files are warnings, not errors.
// `output` of commands whose output has a shape: "table" (for people, the
// default), "json", "yaml" or "csv" (see output_format.h).
// `aqueduct version`: version, commit and build options; output table|json|yaml.
int run_version(const std::string& output = "table");

// --log-level and --log-format of the long-running commands (checked by the
// command line: debug|info|warn|error|off, text|json).
struct LogArgs {
  std::string level = "info";
  std::string format = "text";
  core::LogOptions options() const {
    auto l = core::parse_log_level(level);
    auto f = core::parse_log_format(format);
    return {l.ok() ? *l : core::LogLevel::kInfo, f.ok() ? *f : core::LogFormat::kText};
  }
};

// `aqueduct schema`: the result model; output table|json|yaml|csv|markdown.
int run_schema(const std::string& output);

struct PlotArgs {
  std::string dir;              // a `sim run` output folder
  std::string formats = "png";  // comma-separated: png, pdf, svg
  bool quiet = false;
};
// Exit: 0 drawn, 1 Python/matplotlib missing or the script failed, 2 bad input.
int run_plot(const PlotArgs& args);

struct ValidateArgs {
  std::vector<std::string> files;  // "-": standard input
  bool quiet = false;
  bool lenient = false;
  std::string output = "table";  // table: diagnostics on stderr; json|yaml|csv: rows on stdout
};
// Exit: 0 no problems, 1 warnings only, 2 errors.
int run_validate(const ValidateArgs& args);
// The same with the defaults (diagnostics on stderr).
inline int run_validate(const std::vector<std::string>& files, bool quiet, bool lenient = false) {
  return run_validate(ValidateArgs{files, quiet, lenient});
}

struct SimRunArgs {
  std::string experiment;  // "-": standard input (relative paths from the working folder)
  std::string out_dir;     // empty: out/<experiment name>
  std::optional<std::uint64_t> seed;
  std::vector<std::string> scenarios;  // empty: all
  bool quiet = false;
  bool progress = true;
  bool lenient = false;  // unknown experiment fields are warnings
  bool force = false;    // replace an earlier run's results in out_dir
  bool plots = true;     // draw the figures (aqueduct plot) after the run
  std::string plot_formats = "png";
  std::string output = "table";  // the summary on stdout: table|json|yaml|csv
};
int run_sim(const SimRunArgs& args);

struct ScheduleArgs {
  std::string cluster;               // Cluster YAML ("-": standard input)
  std::vector<std::string> objects;  // Fluid/workload YAML with the pods to place ("-": stdin)
  bool explain = false;
  bool gang = false;  // each workload's pods all-or-nothing
  std::size_t top = 5;
  bool lenient = false;          // unknown cluster fields are warnings
  std::string output = "table";  // table|json|yaml|csv: one row per pod
};
// Exit: 0 all placed, 1 some unschedulable, 2 bad input.
int run_schedule(const ScheduleArgs& args);

struct CalibrateArgs {
  std::vector<std::string> paths;  // case folders, calibration files, or folders of cases
  std::string output = "table";    // table|json|yaml|csv
};
// Exit: 0 every target within tolerance, 1 some missed, 2 bad input or a failed run.
int run_calibrate(const CalibrateArgs& args);

struct CacheSimArgs {
  std::string trace;  // "-": standard input (text formats)
  std::string format = "csv";
  std::string key_column, size_column;
  std::string policies;          // comma-separated, or "all"
  std::string sizes;             // comma-separated quantities or percentages of the footprint
  std::string output = "table";  // table|json|yaml|csv
  std::string mrc;               // PNG path for the miss-ratio curve
  std::string write_binary;      // convert the trace to the binary format
  std::int64_t max_requests = 0;
  std::string on_hit_size = "keep";  // keep | update (core::OnHitSize)
  int threads = 0;                   // replay threads; 0: one per core
  double sample = 1.0;               // below 1: LRU's curve sampled with SHARDS at this rate
  bool quiet = false;                // no progress line
  // "BLOCKS:EPOCHS[:SEED]": instead of a trace file, the deep-learning access
  // pattern: BLOCKS equal blocks (1 MiB) read in a fresh random order each epoch.
  std::string shuffled_epochs;
};
// Exit: 0 ok, 2 bad input.
int run_cache_sim(const CacheSimArgs& args);

struct InjectArgs {
  std::string file;  // Pod/workload YAML or JSON (several documents allowed); "-": stdin
  std::vector<std::string> objects;  // Datasets and runtimes ("-": standard input)
  std::string output = "yaml";       // yaml | json
  bool native_sidecar = false;
  bool serverful_opt_in = false;
  bool no_arch_affinity = false;
  std::string platform_label;  // KEY=VALUE, default alibabacloud.com/fluid-sidecar-target=eci
  bool quiet = false;
};
// Exit: 0 ok, 2 bad input.
int run_inject(const InjectArgs& args);

struct WebhookArgs {
  InjectArgs inject;  // objects and injection options (file/output unused)
  std::string cert, key;
  std::string listen = ":8443";
  bool self_signed = false;            // write a fresh self-signed cert/key first
  std::string kubeconfig;              // live datasets from this cluster
  bool in_cluster = false;             // live datasets from the pod's own cluster
  std::vector<std::string> dns_names;  // for --self-signed
  std::string ready_file;              // written with host:port once listening
  int threads = 2;
  std::size_t max_body_bytes = 6u << 20;
  double deadline_s = 10;  // per request (HttpServer)
  std::size_t max_connections = 1024;
  bool quiet = false;
  // "instead" (of Fluid's webhook: every dataset) or "alongside" (Fluid's
  // webhook keeps its datasets; only AqueductRuntime datasets here).
  std::string profile = "instead";
  LogArgs log;
};
// Serves until SIGTERM/SIGINT. Exit: 0 stopped by a signal, 2 bad input.
int run_webhook(const WebhookArgs& args);

struct ExtenderArgs {
  std::string listen = ":8888";
  std::string profile = "data-aware";
  std::string kubeconfig;            // empty: $KUBECONFIG, in-cluster, ~/.kube/config
  std::vector<std::string> objects;  // Nodes, Pods, Datasets, runtimes from files instead
  std::string cert, key;             // both: HTTPS
  std::string ready_file;
  int threads = 2;
  double deadline_s = 10;  // per request (HttpServer)
  std::size_t max_connections = 1024;
  bool quiet = false;
  LogArgs log;
};
// Serves until SIGTERM/SIGINT. Exit: 0 stopped by a signal, 2 bad input.
int run_extender(const ExtenderArgs& args);

struct ControllerArgs {
  std::string kubeconfig;
  std::string lease_namespace = "aqueduct-system", lease_name = "aqueduct-controller", identity;
  std::string lease_duration = "15s", renew_deadline = "10s", retry_period = "2s";
  std::string runtime_kinds =
      "AlluxioRuntime,JuiceFSRuntime,JindoRuntime,ThinRuntime,AqueductRuntime";
  int workers = 2;
  std::string elasticity_period = "60s";  // how often runtimes' autoscalers decide
  std::string metrics_listen;             // HOST:PORT for GET /metrics and /healthz; "" off
  // "instead" (of Fluid: every runtime kind) or "alongside" (an installed
  // Fluid keeps its kinds: only AqueductRuntime, and only its datasets).
  std::string profile = "instead";
  LogArgs log;
};
// Runs until SIGTERM/SIGINT. Exit: 0 stopped by a signal, 2 bad input.
int run_controller(const ControllerArgs& args);

struct CsiArgs {
  std::string endpoint = "unix:///csi/csi.sock";
  std::string node_id;  // this node's name (the DaemonSet passes spec.nodeName)
  std::string driver_name = "fuse.csi.fluid.io";
  std::string kubeconfig;
  std::string kubelet_dir = "/var/lib/kubelet";
  std::string state_dir;  // default: <kubelet-dir>/plugins/<driver>/published
  std::string mount_timeout = "60s";
  std::string recover_period = "5s";
  std::string metrics_listen;
  // Registers with the kubelet itself (no node-driver-registrar) when set.
  std::string registration_dir;
  std::string kubelet_registration_path;  // default: the --endpoint socket's path
  LogArgs log;
};
// The CSI node plugin until SIGTERM/SIGINT. Exit: 0 stopped by a signal, 2 bad input.
int run_csi(const CsiArgs& args);

struct SimNodesArgs {
  std::string kubeconfig;
  std::string cluster;      // Cluster YAML (nodes or pools)
  double time_scale = 1.0;  // virtual seconds per wall second
  std::string heartbeat = "10s";
  std::string default_run = "10s";  // batch pods without sim.aqueduct.io/ annotations
  std::uint64_t seed = 1;
  bool lenient = false;  // unknown cluster fields are warnings
  LogArgs log;
};
// Registers the cluster's nodes and runs their pods until SIGTERM/SIGINT.
// Exit: 0 stopped by a signal, 2 bad input or the apiserver refused the nodes.
int run_sim_nodes(const SimNodesArgs& args);

struct WorkerArgs {
  std::string listen = "127.0.0.1:7070";
  std::vector<std::string> tiers;  // mem:4Gi, ssd:/path:100Gi, ...
  std::string eviction = "lru";
  std::string metrics_listen, data_listen;
  std::string ready_file;
  std::string token_file;                 // the shared secret clients must send
  std::string tls_ca, tls_cert, tls_key;  // mutual TLS (all three, or none)
  LogArgs log;
};
// Serves until SIGTERM/SIGINT. Exit: 0 stopped by a signal, 2 bad input.
int run_worker(const WorkerArgs& args);
struct WorkerTlsArgs {
  std::string out;
  std::vector<std::string> dns_names, ip_addresses;
  int days = 3650;
};
// `aqueduct worker-tls`: a CA and one certificate for workers and clients,
// as OUT/ca.crt, OUT/tls.crt, OUT/tls.key. Exit: 0 written, 2 bad input.
int run_worker_tls(const WorkerTlsArgs& args);
// A shared secret from a file (trailing whitespace dropped); errors name the
// flag and file, and refuse an empty secret or one the world may read.
core::Result<std::string> read_token_file(const std::string& flag, const std::string& path);

struct FuseArgs {
  std::string source, workers, dataset = "default";
  std::string block_size = "4Mi", mem, cache_dir, cache_dir_size, meta_ttl = "5s";
  int readahead = 4;
  bool no_short_circuit = false;
  std::string worker_token_file;  // the workers' shared secret
  // Mutual TLS with the workers (all three, or none), and the name their
  // certificates carry when it is not the host in --workers.
  std::string worker_tls_ca, worker_tls_cert, worker_tls_key, worker_tls_server_name;
  std::string mountpoint, exit_when_done, ready_file, metrics_listen;
  bool recover = false, allow_other = false;
  // load
  std::vector<std::string> paths;
  std::string rate, state_file;
  LogArgs log;
};
// Exit: 0 unmounted cleanly, 2 bad input or mount failure.
int run_fuse_mount(const FuseArgs& args);
// Exit: 0 loaded, 2 bad input or a read error.
int run_load(const FuseArgs& args);

}  // namespace aqueduct::cli
