// The HTTP(S) server under the webhook and the scheduler extender, built on
// Boost.Beast and Asio: event-driven, so a slow or idle connection holds no
// thread, with limits an attacker cannot talk past:
//  - a total deadline per request: from the end of the previous response (or
//    the accept) until the request is read in full, TLS handshake included;
//    a connection that misses it is closed (a keep-alive connection idle for
//    that long too);
//  - a connection limit: connections beyond it are closed as they come;
//  - header and body size limits: 431 and 413 with a message;
//  - malformed HTTP: 400 with a message, then the connection closes.
// Prometheus metrics for requests, latency and rejections at GET /metrics.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::k8s {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target without its query
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

struct HttpRoute {
  std::string method;
  std::string path;
  std::function<HttpResponse(const HttpRequest&)> handler;  // may run on any server thread
};

struct HttpServerConfig {
  std::string name = "http";  // the `server` label of the metrics
  std::string host = "0.0.0.0";
  int port = 0;                     // 0: any free port
  std::string cert_file, key_file;  // both: HTTPS; neither: plain HTTP
  std::size_t max_body_bytes = 6u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds deadline{10000};
  std::size_t max_connections = 1024;
  int threads = 2;  // event-loop threads; handlers run on them
  // The body of a response the server makes itself (400, 404, 413, 431,
  // 500), from its message; null: {"error": message}.
  std::function<std::string(const std::string& message)> error_body;
  // One line per rejection (deadline, limits, malformed); null: silent.
  std::function<void(const std::string&)> log;
  // More Prometheus text appended to GET /metrics (e.g. a controller's).
  std::function<std::string()> extra_metrics;
};

// Counters since start (also exported at GET /metrics).
struct HttpServerStats {
  std::uint64_t requests = 0;          // answered, any status
  std::uint64_t connections = 0;       // accepted
  std::uint64_t open_connections = 0;  // now
  std::uint64_t deadline_closed = 0;   // connections closed for missing the deadline
  std::uint64_t limit_closed = 0;      // connections refused over max_connections
  std::uint64_t too_large = 0;         // 413 and 431 answers
  std::uint64_t malformed = 0;         // 400 answers for malformed HTTP
  std::uint64_t tls_failed = 0;        // handshakes that failed
};

class HttpServer {
 public:
  // Binds, loads the certificate (errors name the files or the address) and
  // starts the threads.
  static core::Result<std::unique_ptr<HttpServer>> start(HttpServerConfig config,
                                                         std::vector<HttpRoute> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  void stop();  // idempotent; open connections are dropped
  void wait();  // until stop()
  HttpServerStats stats() const;
  std::string metrics_text() const;  // Prometheus text format

  struct Impl;  // opaque: the event loop and its sessions (http_server.cc)

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aqueduct::k8s
