#include "aqueduct/k8s/webhook_server.h"

#include <atomic>
#include <charconv>

#include "aqueduct/k8s/admission.h"

namespace aqueduct::k8s {

struct WebhookServer::Impl {
  WebhookConfig config;
  core::DatasetResolver resolve;
  std::unique_ptr<HttpServer> server;
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
  impl->config = std::move(config);
  impl->resolve = std::move(resolve);
  Impl* self = impl.get();
  const WebhookConfig& c = self->config;
  if (c.cert_file.empty() || c.key_file.empty()) {
    return core::invalid_argument("the webhook needs a TLS certificate and key");
  }
  HttpServerConfig hc;
  hc.name = "webhook";
  hc.host = c.host;
  hc.port = c.port;
  hc.cert_file = c.cert_file;
  hc.key_file = c.key_file;
  hc.max_body_bytes = c.max_body_bytes;
  hc.deadline = c.deadline;
  hc.max_connections = c.max_connections;
  hc.threads = std::max(1, c.threads);
  hc.log = c.log;
  std::vector<HttpRoute> routes;
  routes.push_back({"POST", "/mutate-fluid-pods", [self](const HttpRequest& req) {
                      AdmissionOutcome out =
                          handle_admission_review(req.body, self->resolve, self->config.injection);
                      if (self->config.log) self->config.log(out.log_line);
                      return HttpResponse{out.http_status, std::move(out.body)};
                    }});
  for (const char* path : {"/healthz", "/readyz"}) {
    routes.push_back({"GET", path, [](const HttpRequest&) {
                        return HttpResponse{200, "ok\n", "text/plain"};
                      }});
  }
  AQ_ASSIGN_OR_RETURN(impl->server, HttpServer::start(std::move(hc), std::move(routes)));
  return std::unique_ptr<WebhookServer>(new WebhookServer(std::move(impl)));
}

WebhookServer::WebhookServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookServer::~WebhookServer() { stop(); }
int WebhookServer::port() const { return impl_->server->port(); }
void WebhookServer::serve() { impl_->server->wait(); }
void WebhookServer::stop() {
  if (impl_ && impl_->server) impl_->server->stop();
}
std::string WebhookServer::metrics_text() const { return impl_->server->metrics_text(); }
HttpServerStats WebhookServer::stats() const { return impl_->server->stats(); }

}  // namespace aqueduct::k8s
