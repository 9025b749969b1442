// HttpServer, the server under the webhook and the extender: requests are
// answered while hostile connections (slow, idle, oversized, malformed) are
// refused by its limits. Everything runs on 127.0.0.1 with short deadlines.
#include "aqueduct/k8s/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "aqueduct/k8s/webhook_server.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

using namespace std::chrono_literals;

// A raw TCP connection to the server, for what an HTTP client would not send.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  bool send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  // Everything until the server closes or `timeout` passes; `closed` says which.
  std::string read_all(std::chrono::milliseconds timeout, bool* closed) {
    std::string out;
    auto until = std::chrono::steady_clock::now() + timeout;
    *closed = false;
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(1, left.count()))) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        *closed = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::unique_ptr<HttpServer> echo_server(HttpServerConfig cfg) {
  cfg.name = "t";
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  std::vector<HttpRoute> routes;
  routes.push_back({"POST", "/echo", [](const HttpRequest& r) {
                      return HttpResponse{200, "{\"got\":" + std::to_string(r.body.size()) + "}"};
                    }});
  auto s = HttpServer::start(std::move(cfg), std::move(routes));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(*s) : nullptr;
}

// Waits (up to 10 s) until `pred` holds.
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 1000 && !pred(); ++i) std::this_thread::sleep_for(10ms);
  return pred();
}

TEST(HttpServer, RequestsAreAnsweredWhile200SlowConnectionsAreOpen) {
  HttpServerConfig cfg;
  cfg.deadline = 1500ms;
  auto server = echo_server(cfg);
  ASSERT_TRUE(server);
  // 200 connections that send a request one byte at a time, far too slowly.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server->port()));
    ASSERT_TRUE(slow.back()->connected());
  }
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    const std::string req =
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789";
    for (std::size_t i = 0; i < req.size() && !done; ++i) {
      for (auto& c : slow) c->send(std::string(1, req[i]));
      std::this_thread::sleep_for(100ms);
    }
  });
  ASSERT_TRUE(eventually([&] { return server->stats().open_connections >= 200; }));
  httplib::Client cli("127.0.0.1", server->port());
  cli.set_read_timeout(5, 0);
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto res = cli.Post("/echo", "hello", "application/json");
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "{\"got\":5}");
    // Answered within the deadline: nothing queued it behind the slow ones.
    EXPECT_LT(took, cfg.deadline);
  }
  // Every slow connection is closed once its deadline passes.
  EXPECT_TRUE(eventually([&] { return server->stats().deadline_closed >= 200; }))
      << server->stats().deadline_closed;
  done = true;
  trickle.join();
  EXPECT_EQ(server->stats().requests, 20u);
}

// The same over TLS: connections that never finish their handshake hold
// nothing, and miss the deadline like slow requests do.
TEST(HttpServer, TlsRequestsAreAnsweredWhileHandshakesStall) {
  testing::TempDir dir;
  std::string cert = dir.file("tls.crt"), key = dir.file("tls.key");
  ASSERT_TRUE(write_self_signed_certificate(cert, key, {"localhost"}, {"127.0.0.1"}).is_ok());
  HttpServerConfig cfg;
  cfg.deadline = 1000ms;
  cfg.cert_file = cert;
  cfg.key_file = key;
  auto server = echo_server(cfg);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 200; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(server->port()));
    stalled.back()->send(std::string("\x16\x03\x01", 3));  // the start of a ClientHello
  }
  ASSERT_TRUE(eventually([&] { return server->stats().open_connections >= 200; }));
  httplib::SSLClient cli("127.0.0.1", server->port());
  cli.set_ca_cert_path(cert.c_str());
  cli.enable_server_certificate_verification(true);
  for (int i = 0; i < 10; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto res = cli.Post("/echo", "hi", "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, cfg.deadline);
  }
  EXPECT_TRUE(eventually([&] { return server->stats().deadline_closed >= 200; }));
  EXPECT_GE(server->stats().tls_failed, 200u);
}

TEST(SelfSignedCertificate, TheKeyIsOwnerOnly) {
  testing::TempDir dir;
  std::string cert = dir.file("tls.crt"), key = dir.file("tls.key");
  dir.write("tls.key", "old");
  ::chmod(key.c_str(), 0644);  // an existing key file with a wider mode
  ASSERT_TRUE(write_self_signed_certificate(cert, key, {"localhost"}, {}).is_ok());
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A symlink where the key goes is refused, not followed.
  std::string link = dir.file("link.key");
  ASSERT_EQ(::symlink(dir.file("elsewhere").c_str(), link.c_str()), 0);
  EXPECT_FALSE(write_self_signed_certificate(dir.file("c2.crt"), link, {"localhost"}, {}).is_ok());
}

TEST(HttpServer, TheDeadlineCoversTheWholeRequestNotEachRead) {
  HttpServerConfig cfg;
  cfg.deadline = 500ms;
  auto server = echo_server(cfg);
  ASSERT_TRUE(server);
  RawConnection c(server->port());
  ASSERT_TRUE(c.connected());
  auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  // One byte every 50 ms: each read is quick, the request never completes.
  for (int i = 0; i < 40 && !closed; ++i) {
    closed = !c.send("P");
    c.read_all(50ms, &closed);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  EXPECT_TRUE(eventually([&] { return server->stats().deadline_closed == 1; }));
}

TEST(HttpServer, ConnectionsBeyondTheLimitAreRefused) {
  HttpServerConfig cfg;
  cfg.max_connections = 4;
  auto server = echo_server(cfg);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<RawConnection>(server->port()));
  ASSERT_TRUE(eventually([&] { return server->stats().open_connections == 4; }));
  RawConnection extra(server->port());
  bool closed = false;
  extra.read_all(2000ms, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(server->stats().limit_closed, 1u);
  idle.clear();
  ASSERT_TRUE(eventually([&] { return server->stats().open_connections == 0; }));
  httplib::Client cli("127.0.0.1", server->port());
  auto res = cli.Post("/echo", "x", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpServer, MalformedOversizedAndUnknownRequestsGetAMessage) {
  HttpServerConfig cfg;
  cfg.max_body_bytes = 1000;
  cfg.max_header_bytes = 2000;
  auto server = echo_server(cfg);
  ASSERT_TRUE(server);
  auto exchange = [&](const std::string& raw) {
    RawConnection c(server->port());
    c.send(raw);
    bool closed = false;
    return c.read_all(3000ms, &closed);
  };
  std::string r = exchange("HELLO THERE\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("{\"error\":\"malformed HTTP request"), std::string::npos) << r;
  r = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 431", 0), 0u) << r;
  EXPECT_NE(r.find("request header exceeds 2000 bytes"), std::string::npos) << r;
  r = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
               std::string(5000, 'b'));
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r;
  EXPECT_NE(r.find("request body exceeds 1000 bytes"), std::string::npos) << r;
  r = exchange("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 404", 0), 0u) << r;
  EXPECT_NE(r.find("no such endpoint: GET /nowhere (POST /echo, GET /metrics)"), std::string::npos)
      << r;
  auto st = server->stats();
  EXPECT_EQ(st.malformed, 1u);
  EXPECT_EQ(st.too_large, 2u);
  // The metrics count all of it.
  httplib::Client cli("127.0.0.1", server->port());
  auto m = cli.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(
      m->body.find("aqueduct_http_requests_total{server=\"t\",path=\"other\",code=\"404\"} 1"),
      std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("aqueduct_http_rejections_total{server=\"t\",reason=\"too_large\"} 2"),
            std::string::npos);
  EXPECT_NE(
      m->body.find("aqueduct_http_request_duration_seconds_bucket{server=\"t\",path=\"other\","
                   "le=\"+Inf\"}"),
      std::string::npos);
}

TEST(HttpServer, BadConfigurationIsAnError) {
  HttpServerConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.cert_file = "/nonexistent/tls.crt";
  auto s = HttpServer::start(cfg, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("go together"), std::string::npos);
  cfg.key_file = "/nonexistent/tls.key";
  s = HttpServer::start(cfg, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/tls.crt"), std::string::npos);
  HttpServerConfig bad_host;
  bad_host.host = "not-an-ip";
  s = HttpServer::start(bad_host, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not-an-ip"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::k8s
