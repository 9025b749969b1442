#include "aqueduct/k8s/webhook_server.h"

#include <httplib.h>

#include <atomic>
#include <charconv>

#include "aqueduct/k8s/admission.h"

namespace aqueduct::k8s {

struct WebhookServer::Impl {
  WebhookConfig config;
  core::DatasetResolver resolve;
  std::unique_ptr<httplib::SSLServer> server;
  int port = 0;
};

core::Result<std::pair<std::string, int>> parse_listen_address(const std::string& addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) {
    return core::invalid_argument("--listen: expected HOST:PORT or :PORT, got \"" + addr + "\"");
  }
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  const char* b = addr.data() + colon + 1;
  const char* e = addr.data() + addr.size();
  auto [p, ec] = std::from_chars(b, e, port);
  if (ec != std::errc() || p != e || port < 0 || port > 65535) {
    return core::invalid_argument("--listen: the port in \"" + addr +
                                  "\" is not a number in 0..65535");
  }
  return std::pair{host, port};
}

core::Result<std::unique_ptr<WebhookServer>> WebhookServer::create(WebhookConfig config,
                                                                   core::DatasetResolver resolve) {
  auto impl = std::make_unique<Impl>();
  impl->server =
      std::make_unique<httplib::SSLServer>(config.cert_file.c_str(), config.key_file.c_str());
  if (!impl->server->is_valid()) {
    return core::invalid_argument("cannot load the TLS certificate \"" + config.cert_file +
                                  "\" and key \"" + config.key_file +
                                  "\" (missing, unreadable, not PEM, or not a matching pair)");
  }
  impl->config = std::move(config);
  impl->resolve = std::move(resolve);
  Impl* self = impl.get();
  auto& svr = *impl->server;
  const int threads = std::max(1, self->config.threads);
  svr.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  svr.set_payload_max_length(self->config.max_body_bytes);
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(30);
  svr.set_tcp_nodelay(true);  // headers and body go out at once: no Nagle + delayed-ACK stall
  auto log = [self](const std::string& line) {
    if (self->config.log) self->config.log(line);
  };
  svr.Post("/mutate-fluid-pods", [self, log](const httplib::Request& req, httplib::Response& res) {
    AdmissionOutcome out = handle_admission_review(req.body, self->resolve, self->config.injection);
    res.status = out.http_status;
    res.set_content(out.body, "application/json");
    log(out.log_line);
  });
  for (const char* path : {"/healthz", "/readyz"}) {
    svr.Get(path, [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
  }
  svr.set_error_handler([self, log](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // our own 400 with its message
    std::string message;
    if (res.status == 413) {
      message = "request body exceeds " + std::to_string(self->config.max_body_bytes) + " bytes";
    } else if (res.status == 404) {
      message = "no such endpoint: " + req.method + " " + req.path +
                " (POST /mutate-fluid-pods, GET /healthz)";
    } else {
      message = "HTTP " + std::to_string(res.status);
    }
    res.set_content(
        core::Json{{"error", message}}.dump(-1, ' ', false, core::Json::error_handler_t::replace),
        "application/json");
    log("rejected: " + message);
  });
  const auto& c = self->config;
  if (c.port == 0) {
    self->port = svr.bind_to_any_port(c.host.c_str());
  } else {
    self->port = svr.bind_to_port(c.host.c_str(), c.port) ? c.port : -1;
  }
  if (self->port <= 0) {
    return core::Status(core::StatusCode::kUnavailable, "cannot listen on " + c.host + ":" +
                                                            std::to_string(c.port) +
                                                            " (address in use, or not allowed)");
  }
  return std::unique_ptr<WebhookServer>(new WebhookServer(std::move(impl)));
}

WebhookServer::WebhookServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookServer::~WebhookServer() { stop(); }
int WebhookServer::port() const { return impl_->port; }
void WebhookServer::serve() { impl_->server->listen_after_bind(); }
void WebhookServer::stop() {
  if (impl_ && impl_->server) impl_->server->stop();
}

}  // namespace aqueduct::k8s
