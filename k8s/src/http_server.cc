#include "aqueduct/k8s/http_server.h"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "aqueduct/core/injection/pod_json.h"

namespace aqueduct::k8s {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Latency histogram bounds in seconds (Prometheus `le`).
constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

struct PathMetrics {
  std::map<int, std::uint64_t> by_code;
  std::array<std::uint64_t, kBuckets.size() + 1> buckets{};  // the last: +Inf
  double seconds = 0;
  std::uint64_t count = 0;
};

std::string fmt_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

struct HttpServer::Impl {
  HttpServerConfig config;
  std::vector<HttpRoute> routes;
  std::unique_ptr<asio::ssl::context> tls;

  std::atomic<std::uint64_t> requests{0}, connections{0}, open{0}, deadline_closed{0},
      limit_closed{0}, too_large{0}, malformed{0}, tls_failed{0};
  mutable std::mutex metrics_mu;
  std::map<std::string, PathMetrics> paths;  // known routes, "/metrics" and "other"

  // At most 10 rejection lines a second; the rest are counted and summed up.
  std::mutex log_mu;
  std::chrono::steady_clock::time_point log_window{};
  int logged_in_window = 0;
  std::uint64_t suppressed = 0;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopped = false;
  int port = 0;
  std::vector<std::thread> threads;

  // Declared last: destroyed first, while what sessions use still exists.
  asio::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;

  void reject(const std::string& line) {
    if (!config.log) return;
    std::string out;
    {
      std::lock_guard<std::mutex> lock(log_mu);
      auto now = std::chrono::steady_clock::now();
      if (now - log_window >= std::chrono::seconds(1)) {
        if (suppressed > 0) {
          out = "(" + std::to_string(suppressed) + " more rejections in the last second)\n";
        }
        log_window = now;
        logged_in_window = 0;
        suppressed = 0;
      }
      if (logged_in_window >= 10) {
        ++suppressed;
        if (out.empty()) return;
      } else {
        ++logged_in_window;
        out += line;
      }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    config.log(out);
  }

  std::string error_body(const std::string& message) const {
    if (config.error_body) return config.error_body(message);
    return core::Json{{"error", message}}.dump(-1, ' ', false,
                                               core::Json::error_handler_t::replace);
  }

  std::string metrics_label(const std::string& path) const {
    if (path == "/metrics") return path;
    for (const auto& r : routes) {
      if (r.path == path) return path;
    }
    return "other";
  }

  void record(const std::string& path, int code, double seconds) {
    ++requests;
    std::lock_guard<std::mutex> lock(metrics_mu);
    PathMetrics& m = paths[metrics_label(path)];
    ++m.by_code[code];
    std::size_t b = 0;
    while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
    ++m.buckets[b];
    m.seconds += seconds;
    ++m.count;
  }

  HttpResponse dispatch(const HttpRequest& req) {
    if (req.method == "GET" && req.path == "/metrics") {
      return HttpResponse{200, metrics_text(), "text/plain; version=0.0.4"};
    }
    for (const auto& r : routes) {
      if (r.method != req.method || r.path != req.path) continue;
      try {
        return r.handler(req);
      } catch (const std::exception& e) {
        return HttpResponse{500, error_body("internal error: " + std::string(e.what()))};
      }
    }
    std::string known;
    for (const auto& r : routes) known += (known.empty() ? "" : ", ") + r.method + " " + r.path;
    return HttpResponse{404, error_body("no such endpoint: " + req.method + " " + req.path + " (" +
                                        known + ", GET /metrics)")};
  }

  std::string metrics_text() const {
    const std::string s = "server=\"" + config.name + "\"";
    std::string out;
    out += "# HELP aqueduct_http_requests_total Requests answered, by path and status code.\n";
    out += "# TYPE aqueduct_http_requests_total counter\n";
    std::lock_guard<std::mutex> lock(metrics_mu);
    for (const auto& [path, m] : paths) {
      for (const auto& [code, n] : m.by_code) {
        out += "aqueduct_http_requests_total{" + s + ",path=\"" + path + "\",code=\"" +
               std::to_string(code) + "\"} " + std::to_string(n) + "\n";
      }
    }
    out +=
        "# HELP aqueduct_http_request_duration_seconds Time from a complete request to its "
        "response.\n";
    out += "# TYPE aqueduct_http_request_duration_seconds histogram\n";
    for (const auto& [path, m] : paths) {
      const std::string l = s + ",path=\"" + path + "\"";
      std::uint64_t cum = 0;
      for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
        cum += m.buckets[b];
        const std::string le = b < kBuckets.size() ? fmt_double(kBuckets[b]) : "+Inf";
        out += "aqueduct_http_request_duration_seconds_bucket{" + l + ",le=\"" + le + "\"} " +
               std::to_string(cum) + "\n";
      }
      out +=
          "aqueduct_http_request_duration_seconds_sum{" + l + "} " + fmt_double(m.seconds) + "\n";
      out += "aqueduct_http_request_duration_seconds_count{" + l + "} " + std::to_string(m.count) +
             "\n";
    }
    out +=
        "# HELP aqueduct_http_rejections_total Connections closed or requests refused by the "
        "server's limits.\n";
    out += "# TYPE aqueduct_http_rejections_total counter\n";
    const std::pair<const char*, std::uint64_t> reasons[] = {{"deadline", deadline_closed},
                                                             {"connection_limit", limit_closed},
                                                             {"too_large", too_large},
                                                             {"malformed", malformed},
                                                             {"tls", tls_failed}};
    for (const auto& [reason, n] : reasons) {
      out += "aqueduct_http_rejections_total{" + s + ",reason=\"" + reason + "\"} " +
             std::to_string(n) + "\n";
    }
    out += "# HELP aqueduct_http_open_connections Connections open now.\n";
    out += "# TYPE aqueduct_http_open_connections gauge\n";
    out += "aqueduct_http_open_connections{" + s + "} " + std::to_string(open.load()) + "\n";
    out += "# HELP aqueduct_http_connections_total Connections accepted.\n";
    out += "# TYPE aqueduct_http_connections_total counter\n";
    out +=
        "aqueduct_http_connections_total{" + s + "} " + std::to_string(connections.load()) + "\n";
    if (config.extra_metrics) out += config.extra_metrics();
    return out;
  }

  void accept();
};

namespace {

// One connection: read a request within the deadline, answer it, repeat
// while the client keeps the connection alive.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(HttpServer::Impl* server, Stream stream) : s_(server), stream_(std::move(stream)) {}
  ~Session() { --s_->open; }

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(s_->config.deadline);
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      read();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  std::string peer() {
    beast::error_code ec;
    auto ep = lowest().socket().remote_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      ++s_->tls_failed;
      if (ec == beast::error::timeout) ++s_->deadline_closed;
      s_->reject(s_->config.name + ": " + peer() + ": TLS handshake failed: " + ec.message());
      return close();
    }
    read();
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(s_->config.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(s_->config.max_header_bytes));
    lowest().expires_after(s_->config.deadline);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated) {
      return close();
    }
    if (ec == beast::error::timeout) {
      // An idle keep-alive connection is not a rejection; a partial request is.
      if (parser_->got_some()) {
        ++s_->deadline_closed;
        s_->reject(s_->config.name + ": " + peer() + ": closed: no complete request within " +
                   std::to_string(s_->config.deadline.count()) + " ms");
      }
      return close();
    }
    if (ec == http::error::body_limit) {
      ++s_->too_large;
      return fail(413,
                  "request body exceeds " + std::to_string(s_->config.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      ++s_->too_large;
      return fail(
          431, "request header exceeds " + std::to_string(s_->config.max_header_bytes) + " bytes");
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      ++s_->malformed;
      return fail(400, "malformed HTTP request: " + ec.message());
    }
    if (ec) return close();  // reset, aborted: nothing to answer
    auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    const std::string target(msg.target().data(), msg.target().size());
    req.path = target.substr(0, target.find('?'));
    req.body = std::move(msg.body());
    auto t0 = std::chrono::steady_clock::now();
    HttpResponse out = s_->dispatch(req);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s_->record(req.path, out.status, seconds);
    send(std::move(out), msg.keep_alive(), msg.version());
  }

  // Answers a request the server refuses, then closes. A client may still
  // be sending the rest of its body: that is read and dropped (within the
  // deadline) so that the client gets to read the answer instead of a reset.
  void fail(int status, const std::string& message) {
    s_->reject(s_->config.name + ": " + peer() + ": " + std::to_string(status) + " " + message);
    s_->record("", status, 0);
    drain_ = true;
    send(HttpResponse{status, s_->error_body(message)}, false, 11);
  }

  void drain() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().expires_after(s_->config.deadline);
    lowest().async_read_some(asio::buffer(scratch_),
                             [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                               if (e) return self->close();
                               self->drain();
                             });
  }

  void send(HttpResponse out, bool keep_alive, unsigned version) {
    res_.emplace(static_cast<http::status>(out.status), version);
    res_->set(http::field::server, "aqueduct");
    res_->set(http::field::content_type, out.content_type);
    res_->body() = std::move(out.body);
    res_->keep_alive(keep_alive);
    res_->prepare_payload();
    lowest().expires_after(s_->config.deadline);
    http::async_write(stream_, *res_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(beast::error_code ec) {
    if (ec) return close();
    if (drain_) return drain();
    if (!res_->keep_alive()) return close();
    res_.reset();
    read();
  }

  void close() {
    beast::error_code ec;
    if constexpr (kTls) {
      // No close_notify exchange: the peer may be gone or hostile.
      lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
      lowest().close();
    } else {
      lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
      lowest().close();
    }
  }

  HttpServer::Impl* s_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  bool drain_ = false;
  std::array<char, 16384> scratch_{};
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      ++connections;
      if (open.load() >= config.max_connections) {
        ++limit_closed;
        reject(config.name + ": refused a connection: " + std::to_string(config.max_connections) +
               " are open (the limit)");
        beast::error_code ignored;
        sock.close(ignored);
      } else {
        ++open;
        beast::error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        if (tls) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
              this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *tls))
              ->start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(this, beast::tcp_stream(std::move(sock)))
              ->start();
        }
      }
    }
    accept();
  });
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerConfig config,
                                                            std::vector<HttpRoute> routes) {
  auto impl = std::make_unique<Impl>();
  if (config.cert_file.empty() != config.key_file.empty()) {
    return core::invalid_argument("the TLS certificate and key go together (got only the " +
                                  std::string(config.cert_file.empty() ? "key" : "certificate") +
                                  ")");
  }
  if (config.deadline.count() <= 0 || config.max_connections == 0 || config.threads <= 0) {
    return core::invalid_argument(
        "the request deadline, connection limit and thread count must be positive");
  }
  if (!config.cert_file.empty()) {
    impl->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    impl->tls->use_certificate_chain_file(config.cert_file, ec);
    if (!ec) impl->tls->use_private_key_file(config.key_file, asio::ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(impl->tls->native_handle()) != 1) {
      return core::invalid_argument("cannot load the TLS certificate \"" + config.cert_file +
                                    "\" and key \"" + config.key_file +
                                    "\" (missing, unreadable, not PEM, or not a matching pair)");
    }
  }
  const std::string where = config.host + ":" + std::to_string(config.port);
  beast::error_code ec;
  auto address = asio::ip::make_address(config.host, ec);
  if (ec) return core::invalid_argument("cannot listen on " + where + ": not an IP address");
  impl->acceptor = std::make_unique<tcp::acceptor>(impl->ioc);
  tcp::endpoint ep(address, static_cast<unsigned short>(config.port));
  impl->acceptor->open(ep.protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(ep, ec);
  if (!ec) impl->acceptor->listen(512, ec);
  if (ec) {
    return core::Status(core::StatusCode::kUnavailable,
                        "cannot listen on " + where + " (" + ec.message() + ")");
  }
  impl->port = impl->acceptor->local_endpoint().port();
  impl->config = std::move(config);
  impl->routes = std::move(routes);
  impl->accept();
  for (int i = 0; i < impl->config.threads; ++i) {
    impl->threads.emplace_back([p = impl.get()] { p->ioc.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::port() const { return impl_->port; }

void HttpServer::stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->stop_mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  asio::post(impl_->ioc, [p = impl_.get()] {
    beast::error_code ec;
    p->acceptor->close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  impl_->stop_cv.notify_all();
}

void HttpServer::wait() {
  std::unique_lock<std::mutex> lock(impl_->stop_mu);
  impl_->stop_cv.wait(lock, [&] { return impl_->stopped; });
}

HttpServerStats HttpServer::stats() const {
  const Impl& i = *impl_;
  return HttpServerStats{i.requests,     i.connections, i.open,      i.deadline_closed,
                         i.limit_closed, i.too_large,   i.malformed, i.tls_failed};
}

std::string HttpServer::metrics_text() const { return impl_->metrics_text(); }

}  // namespace aqueduct::k8s
