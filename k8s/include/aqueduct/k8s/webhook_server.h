// The HTTPS server around handle_admission_review (HttpServer: Boost.Beast
// and OpenSSL, with its deadline, connection and size limits):
//   POST /mutate-fluid-pods   AdmissionReview in and out
//   GET  /healthz, /readyz    "ok"
//   GET  /metrics             Prometheus: requests, latency, rejections
// Bodies above `max_body_bytes` get 413 with a message; every request logs one line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/core/status.h"
#include "aqueduct/k8s/http_server.h"

namespace aqueduct::k8s {

struct WebhookConfig {
  std::string cert_file;
  std::string key_file;
  std::string host = "0.0.0.0";
  int port = 8443;  // 0: any free port (see WebhookServer::port)
  std::size_t max_body_bytes = 6u << 20;
  int threads = 2;  // event-loop threads (a slow connection holds none)
  // A request must arrive in full within this of the previous response (or
  // the accept); a connection that misses it is closed.
  std::chrono::milliseconds deadline{10000};
  std::size_t max_connections = 1024;
  core::InjectionOptions injection;
  std::function<void(const std::string&)> log;  // one line per request; null: silent
};

class WebhookServer {
 public:
  // Loads the certificate and key and binds the port; errors name the file or address.
  static core::Result<std::unique_ptr<WebhookServer>> create(WebhookConfig config,
                                                             core::DatasetResolver resolve);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  int port() const;
  // Serves (from create() on) until stop() is called (from another thread or
  // a signal watcher).
  void serve();
  void stop();
  std::string metrics_text() const;  // what GET /metrics answers
  HttpServerStats stats() const;

 private:
  struct Impl;
  explicit WebhookServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "host:port" or ":port" -> (host, port); host defaults to 0.0.0.0.
core::Result<std::pair<std::string, int>> parse_listen_address(const std::string& addr);

// Writes a self-signed ECDSA P-256 certificate (PEM) valid for `dns_names`
// and `ip_addresses`, and its key, for tests and first steps; production
// clusters use cert-manager or their own CA.
core::Status write_self_signed_certificate(const std::string& cert_file,
                                           const std::string& key_file,
                                           const std::vector<std::string>& dns_names,
                                           const std::vector<std::string>& ip_addresses,
                                           int valid_days = 365);

}  // namespace aqueduct::k8s
