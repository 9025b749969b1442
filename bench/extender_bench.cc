// The scheduler extender with 1,000 nodes: the decision alone (filter and
// prioritize on parsed JSON) and whole HTTP round trips on 127.0.0.1 with
// their p50/p99 latency as counters. kube-scheduler sends every candidate
// node in each request (nodeCacheCapable: false), which is what is timed.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "aqueduct/k8s/extender.h"

namespace {
using namespace aqueduct;
using k8s::Json;

Json node(int i) {
  Json labels = {{"kubernetes.io/arch", i % 10 == 9 ? "arm64" : "amd64"},
                 {"kubernetes.io/hostname", "node-" + std::to_string(i)},
                 {"topology.kubernetes.io/zone", "zone-" + std::to_string(i % 4)}};
  if (i % 100 == 7) labels["fluid.io/s-default-images"] = "true";  // 10 cache nodes
  return Json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", "node-" + std::to_string(i)}, {"labels", labels}}},
              {"status",
               {{"allocatable",
                 {{"cpu", "32"}, {"memory", "128Gi"}, {"nvidia.com/gpu", "4"}, {"pods", "110"}}}}}};
}

Json args(int nodes) {
  Json items = Json::array();
  for (int i = 0; i < nodes; ++i) items.push_back(node(i));
  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "train-0"}, {"namespace", "default"}}},
      {"spec",
       {{"nodeSelector", {{"kubernetes.io/arch", "amd64"}}},
        {"containers",
         Json::array({{{"name", "train"},
                       {"image", "pytorch"},
                       {"resources", {{"requests", {{"cpu", "8"}, {"nvidia.com/gpu", "1"}}}}}}})},
        {"volumes", Json::array({{{"name", "data"},
                                  {"persistentVolumeClaim", {{"claimName", "images"}}}}})}}}};
  return Json{{"Pod", pod},
              {"Nodes", {{"metadata", Json::object()}, {"items", items}}},
              {"NodeNames", nullptr}};
}

k8s::SnapshotInput world() {
  k8s::SnapshotInput w;
  w.datasets.push_back(
      Json{{"apiVersion", "data.fluid.io/v1alpha1"},
           {"kind", "Dataset"},
           {"metadata", {{"name", "images"}, {"namespace", "default"}}},
           {"spec", {{"mounts", Json::array({{{"mountPoint", "oss://b/images"}}})}}}});
  w.runtimes.push_back(Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                            {"kind", "JuiceFSRuntime"},
                            {"metadata", {{"name", "images"}, {"namespace", "default"}}},
                            {"spec", {{"replicas", 10}}}});
  return w;
}

std::unique_ptr<k8s::Extender> extender() {
  auto e = k8s::Extender::create(*scheduler::preset_profile("data-aware"), world);
  return std::move(*e);
}

void BM_ExtenderFilterPrioritize(benchmark::State& state) {
  auto e = extender();
  const Json a = args(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto f = e->filter(a);
    auto p = e->prioritize(a);
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(p);
  }
  state.SetLabel("filter + prioritize, parsed JSON");
}
BENCHMARK(BM_ExtenderFilterPrioritize)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// One scheduling cycle's two calls over HTTP, as kube-scheduler makes them.
void BM_ExtenderHttpRoundTrip(benchmark::State& state) {
  auto e = extender();
  k8s::ExtenderServerConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  auto server = k8s::ExtenderServer::start(*e, cfg);
  httplib::Client c("127.0.0.1", (*server)->port());
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);  // as Go's net/http (kube-scheduler) does
  const std::string body = args(static_cast<int>(state.range(0))).dump();
  std::vector<double> us;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto f = c.Post("/filter", body, "application/json");
    auto p = c.Post("/prioritize", body, "application/json");
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (!f || !p || f->status != 200 || p->status != 200) state.SkipWithError("request failed");
  }
  std::sort(us.begin(), us.end());
  auto q = [&](double f) {
    return us.empty() ? 0.0 : us[std::min(us.size() - 1, static_cast<std::size_t>(f * us.size()))];
  };
  state.counters["p50_ms"] = q(0.50) / 1000;
  state.counters["p99_ms"] = q(0.99) / 1000;
  state.counters["body_KiB"] = static_cast<double>(body.size()) / 1024;
  (*server)->stop();
}
BENCHMARK(BM_ExtenderHttpRoundTrip)->Arg(1000)->Iterations(300)->Unit(benchmark::kMillisecond);

}  // namespace
