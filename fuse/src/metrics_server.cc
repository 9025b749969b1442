// MetricsServer on cpp-httplib (metrics_server.h).
#include "aqueduct/fuse/metrics_server.h"

#include <httplib.h>

#include <cstdlib>
#include <thread>

#include "tcp_socket.h"

namespace aqueduct::fuse {

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool stopped = false;
};

core::Result<std::unique_ptr<MetricsServer>> MetricsServer::start(
    const std::string& flag, const std::string& listen, std::function<std::string()> text) {
  AQ_ASSIGN_OR_RETURN(auto host_port, split_host_port(listen, flag));
  auto [host, port] = host_port;
  if (host.empty()) host = "0.0.0.0";
  auto impl = std::make_unique<Impl>();
  impl->server.Get("/metrics",
                   [text = std::move(text)](const httplib::Request&, httplib::Response& res) {
                     res.set_content(text(), "text/plain; version=0.0.4");
                   });
  impl->server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  const int bound = port == 0 ? impl->server.bind_to_any_port(host.c_str())
                              : (impl->server.bind_to_port(host.c_str(), static_cast<int>(port))
                                     ? static_cast<int>(port)
                                     : -1);
  if (bound <= 0) {
    return core::Status(core::StatusCode::kUnavailable, flag + " " + listen + ": cannot bind");
  }
  impl->port = bound;
  impl->thread = std::thread([s = &impl->server] { s->listen_after_bind(); });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsServer::~MetricsServer() { stop(); }
int MetricsServer::port() const { return impl_->port; }

void MetricsServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void prometheus_metric(std::string& out, const char* type, const std::string& name,
                       const char* help, std::uint64_t value) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         std::to_string(value) + "\n";
}

}  // namespace aqueduct::fuse
