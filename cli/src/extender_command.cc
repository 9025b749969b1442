// `aqueduct extender`: the kube-scheduler extender (filter, prioritize) over
// HTTP(S). What the scheduler does not send (datasets, runtimes, bound pods,
// nodes for nodeCacheCapable) comes from informers on the cluster
// (--kubeconfig, or in-cluster) or from --objects files. Serves until
// SIGTERM/SIGINT; one log line per request on stderr unless --quiet.

#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include <map>

#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/cluster_informers.h"
#include "aqueduct/k8s/extender.h"
#include "aqueduct/k8s/webhook_server.h"
#include "commands.h"
#include "input_files.h"
#include "stop_signals.h"

namespace aqueduct::cli {
namespace {

// Nodes, Pods, Datasets and runtimes from YAML or JSON files. A document
// that is not an object with a kind is an error naming the file and the
// document; documents of other kinds (a bundle's Services, ConfigMaps) are
// skipped, and each file's skipped kinds come back in `skipped` to be logged.
core::Result<k8s::SnapshotInput> objects_from_files(const std::vector<std::string>& files,
                                                    std::vector<std::string>& skipped) {
  AQ_RETURN_IF_ERROR(check_one_stdin(files, "--objects"));
  InputFiles inputs(std::cin);
  k8s::SnapshotInput in;
  for (const auto& f : files) {
    auto text = inputs.read(f);
    if (!text)
      return core::not_found("--objects " + input_name(f) + ": " + text.status().message());
    AQ_ASSIGN_OR_RETURN(auto docs, core::parse_yaml_documents_as_json(*text, input_name(f)));
    std::map<std::string, int> other;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      auto& d = docs[i];
      if (d.is_null()) continue;  // an empty document (a trailing ---)
      const auto kind_field = d.is_object() ? d.find("kind") : d.end();
      if (!d.is_object() || kind_field == d.end() || !kind_field->is_string()) {
        return core::invalid_argument("--objects " + input_name(f) + ": document " +
                                      std::to_string(i + 1) +
                                      ": expected a Kubernetes object with a string kind");
      }
      const std::string kind = *kind_field;
      if (kind == "Node")
        in.nodes.push_back(d);
      else if (kind == "Pod")
        in.pods.push_back(d);
      else if (kind == "Dataset")
        in.datasets.push_back(d);
      else if (kind.size() > 7 && kind.substr(kind.size() - 7) == "Runtime")
        in.runtimes.push_back(d);
      else
        ++other[kind];
    }
    if (!other.empty()) {
      std::string list;
      int count = 0;
      for (const auto& [kind, n] : other) {
        list += (list.empty() ? "" : ", ") + kind + (n > 1 ? " x" + std::to_string(n) : "");
        count += n;
      }
      skipped.push_back("--objects " + input_name(f) + ": skipped " + std::to_string(count) +
                        " document(s) of kinds the extender does not use (it reads Node, Pod, "
                        "Dataset and *Runtime): " +
                        list);
    }
  }
  return in;
}

}  // namespace

int run_extender(const ExtenderArgs& args) {
  const core::Logger log("extender", args.log.options());
  auto fail = [&log](const std::string& msg) {
    log.error(msg);
    return kExitErrors;
  };
  auto profile = scheduler::preset_profile(args.profile);
  if (!profile) return fail("--profile: " + profile.status().message());
  auto addr = k8s::parse_listen_address(args.listen);
  if (!addr) return fail(addr.status().message());
  std::unique_ptr<k8s::ApiClient> client;
  std::unique_ptr<k8s::ClusterInformers> informers;
  k8s::SnapshotInput files;
  if (!args.objects.empty()) {
    std::vector<std::string> skipped;
    auto in = objects_from_files(args.objects, skipped);
    if (!in) return fail(in.status().message());
    for (const auto& line : skipped) log.warn(line);
    files = std::move(*in);
  }
  if (!args.kubeconfig.empty() || args.objects.empty()) {
    auto cfg = k8s::resolve_cluster_config(args.kubeconfig);
    if (!cfg) return fail(cfg.status().message() + " (or give --objects files)");
    auto c = k8s::ApiClient::create(*cfg);
    if (!c) return fail(c.status().message());
    client = std::move(*c);
    client->set_logger(log);
    auto inf = k8s::ClusterInformers::create(*client, k8s::all_runtime_kinds());
    if (!inf) return fail(inf.status().message());
    informers = std::move(*inf);
  }
  const StopSignals stop_signals;
  if (informers) {
    informers->start();
    if (!informers->wait_synced(std::chrono::seconds(30))) {
      log.warn("the caches are not synced after 30 s; serving anyway");
    }
  }
  k8s::ClusterInformers* inf = informers.get();
  auto world = [inf, files] {
    k8s::SnapshotInput in = inf ? inf->snapshot_input() : k8s::SnapshotInput{};
    in.nodes.insert(in.nodes.end(), files.nodes.begin(), files.nodes.end());
    in.pods.insert(in.pods.end(), files.pods.begin(), files.pods.end());
    in.datasets.insert(in.datasets.end(), files.datasets.begin(), files.datasets.end());
    in.runtimes.insert(in.runtimes.end(), files.runtimes.begin(), files.runtimes.end());
    return in;
  };
  auto ext = k8s::Extender::create(*profile, world);
  if (!ext) return fail(ext.status().message());
  k8s::ExtenderServerConfig cfg;
  cfg.host = addr->first;
  cfg.port = addr->second;
  cfg.cert_file = args.cert;
  cfg.key_file = args.key;
  cfg.threads = args.threads;
  cfg.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(args.deadline_s * 1000));
  cfg.max_connections = args.max_connections;
  if (!args.quiet) cfg.log = [log](const std::string& line) { log.info(line); };
  auto server = k8s::ExtenderServer::start(**ext, cfg);
  if (!server) return fail(server.status().message());
  log.info(std::string("serving POST /filter, POST /prioritize on ") +
           (args.cert.empty() ? "http://" : "https://") + addr->first + ":" +
           std::to_string((*server)->port()) + " (profile " + args.profile + ")");
  if (!args.ready_file.empty())
    std::ofstream(args.ready_file) << addr->first << ":" << (*server)->port() << "\n";
  const int sig = stop_signals.wait();
  log.info("signal " + std::to_string(sig) + ", stopping");
  (*server)->stop();
  if (informers) informers->stop();
  return kExitOk;
}

}  // namespace aqueduct::cli
