// `aqueduct extender`: the kube-scheduler extender protocol
// (k8s.io/kube-scheduler/extender/v1) answered by scheduler/'s plugins, so
// the real kube-scheduler places pods next to their cached data.
//   POST /filter      ExtenderArgs -> ExtenderFilterResult
//   POST /prioritize  ExtenderArgs -> HostPriorityList (scores 0..10)
// Keys are read as kube-scheduler sends them (1.20: "Pod", "Nodes",
// "NodeNames"; lower case is accepted too) and written capitalised.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "aqueduct/core/status.h"
#include "aqueduct/k8s/cluster_snapshot.h"
#include "aqueduct/k8s/http_server.h"
#include "aqueduct/scheduler/framework.h"

namespace aqueduct::k8s {

inline constexpr std::int64_t kMaxExtenderPriority = 10;

class Extender {
 public:
  // `world` gives what the request does not carry: datasets, runtimes, the
  // pods already bound (for resources) and, for NodeNames-only requests
  // (nodeCacheCapable), the nodes. Called once per request.
  using World = std::function<SnapshotInput()>;
  static core::Result<std::unique_ptr<Extender>> create(const scheduler::Profile& profile,
                                                        World world);

  // Answers are the JSON bodies to return; errors are malformed requests.
  core::Result<Json> filter(const Json& args);
  core::Result<Json> prioritize(const Json& args);
  // What the server does with a request body for `verb` ("filter" or
  // "prioritize"): input limits, JSON parse, the call; every malformed body
  // is an InvalidArgument naming the problem. Never throws.
  core::Result<Json> answer(std::string_view verb, const std::string& body);

 private:
  Extender() = default;
  struct Request;
  core::Result<Request> read(const Json& args);
  std::mutex mu_;  // the framework keeps per-cycle state
  std::unique_ptr<scheduler::Framework> framework_;
  World world_;
};

struct ExtenderServerConfig {
  std::string host = "0.0.0.0";
  int port = 8888;                              // 0: any free port
  std::string cert_file, key_file;              // both: HTTPS
  std::function<void(const std::string&)> log;  // one line per request; null: silent
  std::chrono::milliseconds deadline{10000};    // for each request (HttpServer)
  std::size_t max_connections = 1024;
  int threads = 2;  // event-loop threads
};

// Serves an Extender over HTTP(S) (HttpServer: deadline, connection and size
// limits) until stop(); also GET /healthz and GET /metrics.
class ExtenderServer {
 public:
  static core::Result<std::unique_ptr<ExtenderServer>> start(Extender& extender,
                                                             ExtenderServerConfig config);
  ~ExtenderServer();
  int port() const;
  void stop();
  void wait();
  std::string metrics_text() const;
  HttpServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aqueduct::k8s
