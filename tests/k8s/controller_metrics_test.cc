// The controller's metrics: a loop's reconcile counts, durations and queue
// depth, their Prometheus text, and that text served next to the HTTP
// server's own at GET /metrics on 127.0.0.1.
#include "aqueduct/k8s/controller_metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>

#include "aqueduct/k8s/http_server.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::eventually;
using namespace std::chrono_literals;

TEST(ControllerMetrics, ALoopCountsReconcilesByResultWithTheirDurations) {
  std::atomic<int> bad_tries{0};
  ControllerLoop loop("datasets", 2, [&](const std::string& key) {
    if (key == "default/bad" && bad_tries++ == 0) return core::failed_precondition("not yet");
    return core::Status::ok();
  });
  EXPECT_EQ(loop.stats().successes, 0u);
  loop.start({"default/a", "default/b", "default/bad"});
  // The failed key comes back after its backoff and then succeeds.
  ASSERT_TRUE(eventually([&] { return loop.stats().successes == 3; }, 10s));
  ControllerLoopStats s = loop.stats();
  EXPECT_EQ(s.name, "datasets");
  EXPECT_EQ(s.errors, 1u);
  EXPECT_TRUE(s.running);
  std::uint64_t n = 0;
  for (auto b : s.buckets) n += b;
  EXPECT_EQ(n, 4u);
  EXPECT_GE(s.seconds, 0.0);
  loop.stop();
  EXPECT_EQ(loop.stats().queue_depth, 0u);
  EXPECT_FALSE(loop.stats().running);

  const std::string text = controller_metrics_text({loop.stats()}, true);
  EXPECT_NE(text.find("aqueduct_controller_leader 1\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find(
          "aqueduct_controller_reconciles_total{controller=\"datasets\",result=\"success\"} 3\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "aqueduct_controller_reconciles_total{controller=\"datasets\",result=\"error\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("aqueduct_controller_reconcile_duration_seconds_bucket{controller="
                      "\"datasets\",le=\"+Inf\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("aqueduct_controller_reconcile_duration_seconds_count{controller="
                      "\"datasets\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("aqueduct_controller_queue_depth{controller=\"datasets\"} 0\n"),
            std::string::npos)
      << text;
  // Every sample line is "name{labels} value" or "name value".
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t nl = text.find('\n', from);
    ASSERT_NE(nl, std::string::npos);
    const std::string line = text.substr(from, nl - from);
    from = nl + 1;
    if (line.rfind("# ", 0) == 0) continue;
    const std::size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    char* end = nullptr;
    std::strtod(line.c_str() + space + 1, &end);
    EXPECT_EQ(*end, '\0') << line;
  }
}

TEST(ControllerMetrics, TheyAreServedNextToTheServersOwnAtGetMetrics) {
  ControllerLoop loop("dataloads", 1, [](const std::string&) { return core::Status::ok(); });
  loop.start({"default/load"});
  ASSERT_TRUE(eventually([&] { return loop.stats().successes == 1; }, 10s));
  HttpServerConfig hc;
  hc.name = "controller";
  hc.host = "127.0.0.1";
  hc.extra_metrics = [&] { return controller_metrics_text({loop.stats()}, false); };
  auto server = HttpServer::start(std::move(hc), {{"GET", "/healthz", [](const HttpRequest&) {
                                                     return HttpResponse{200, "ok\n", "text/plain"};
                                                   }}});
  ASSERT_TRUE(server.ok()) << server.status().message();
  httplib::Client client("127.0.0.1", (*server)->port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto m = client.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("aqueduct_controller_leader 0\n"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("aqueduct_controller_reconciles_total{controller=\"dataloads\","
                         "result=\"success\"} 1\n"),
            std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("aqueduct_http_requests_total{server=\"controller\",path=\"/healthz\""),
            std::string::npos)
      << m->body;
  (*server)->stop();
  loop.stop();
}

}  // namespace
}  // namespace aqueduct::k8s
