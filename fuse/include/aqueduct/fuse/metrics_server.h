// A small HTTP server for Prometheus scrapes: GET /metrics answers what
// `text` returns at that moment, GET /healthz "ok". The cache worker and the
// FUSE mount each run one (--metrics-listen).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aqueduct/core/status.h"

namespace aqueduct::fuse {

class MetricsServer {
 public:
  // `listen` is HOST:PORT (port 0: any free port; an empty host: 0.0.0.0).
  // Errors name `flag` and the address.
  static core::Result<std::unique_ptr<MetricsServer>> start(const std::string& flag,
                                                            const std::string& listen,
                                                            std::function<std::string()> text);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const;
  void stop();  // idempotent

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One counter or gauge in Prometheus text, with its HELP and TYPE lines; the
// value is written as an exact integer (no exponent, however large).
void prometheus_metric(std::string& out, const char* type, const std::string& name,
                       const char* help, std::uint64_t value);

}  // namespace aqueduct::fuse
