// Scheduling throughput: pods per second, single thread, on clusters of 500,
// 5,000 and 10,000 nodes (10 zones in 3 regions), 20 datasets each cached on 8
// nodes. Each pod claims one dataset and asks for 4 cores, 16 GiB and 1 GPU;
// placed pods stay reserved (the cluster fills; it is emptied when full).
// Profiles: kube's default plugin set, and "data-aware" (default +
// DataLocality + BandwidthPressure + Cost), i.e. locality scoring on.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <deque>

#include "aqueduct/scheduler/framework.h"
#include "aqueduct/sim/rng.h"

namespace {
using namespace aqueduct;

class BenchView : public core::ClusterView {
 public:
  explicit BenchView(int n) {
    sim::Rng rng(1);
    for (int i = 0; i < n; ++i) {
      core::Node node;
      char name[32];
      std::snprintf(name, sizeof name, "node-%05d", i);
      node.meta.name = name;
      node.zone = "zone-" + std::to_string(i % 10);
      node.region = "region-" + std::to_string(i % 3);
      node.meta.labels = {{"kubernetes.io/hostname", name},
                          {"kubernetes.io/arch", "amd64"},
                          {"topology.kubernetes.io/zone", node.zone},
                          {"topology.kubernetes.io/region", node.region},
                          {"node.kubernetes.io/instance-type", "gpu-8x"}};
      node.allocatable = {64000, 512LL << 30, 8000, 110};
      node.price_per_hour = i % 5 == 0 ? 30 : 24;
      nodes_.push_back(std::move(node));
    }
    for (const auto& node : nodes_) infos_.push_back({&node, {}, 0, 0.0});
    for (int d = 0; d < 20; ++d) {
      core::Dataset ds;
      ds.meta.name = "ds-" + std::to_string(d);
      datasets_.push_back(ds);
      core::CacheState cs;
      cs.dataset = "default/" + ds.meta.name;
      for (int w = 0; w < 8; ++w) {
        std::size_t at = rng.below(static_cast<std::uint64_t>(n));
        cs.workers.push_back({nodes_[at].meta.name, 100LL << 30, 50LL << 30, 40LL << 30});
      }
      cache_.push_back(cs);
    }
  }
  std::span<const core::NodeInfo> nodes() const override { return infos_; }
  std::span<const core::Pod* const> pending_pods() const override { return {}; }
  std::span<const core::Dataset> datasets() const override { return datasets_; }
  std::span<const core::Runtime> runtimes() const override { return {}; }
  std::span<const core::CacheState> cache_states() const override { return cache_; }
  void reserve(std::size_t i, const core::Resources& r) { infos_[i].requested += r; }
  void reset() {
    for (auto& info : infos_) info.requested = {};
  }

 private:
  std::deque<core::Node> nodes_;
  std::vector<core::NodeInfo> infos_;
  std::vector<core::Dataset> datasets_;
  std::vector<core::CacheState> cache_;
};

void run(benchmark::State& state, const char* profile_name, int percentage = 0) {
  const int n = static_cast<int>(state.range(0));
  BenchView view(n);
  auto profile = scheduler::preset_profile(profile_name);
  profile->percentage_of_nodes_to_score = percentage;
  auto fw = std::move(scheduler::Framework::create(*profile, scheduler::builtin_plugins())).value();
  std::vector<core::Pod> pods(64);
  for (std::size_t k = 0; k < pods.size(); ++k) {
    core::Pod& p = pods[k];
    p.meta.name = "pod-" + std::to_string(k);
    core::Container c;
    c.name = "train";
    c.requests = {4000, 16LL << 30, 1000, 0};
    p.containers.push_back(c);
    core::Volume v;
    v.name = "data";
    v.pvc_claim_name = "ds-" + std::to_string(k % 20);
    p.volumes.push_back(v);
  }
  std::size_t k = 0, failed = 0;
  for (auto _ : state) {
    const core::Pod* pod = &pods[k++ % pods.size()];
    scheduler::GangDecision d = fw->place(view, std::span<const core::Pod* const>(&pod, 1));
    if (d.placed) {
      view.reserve(d.nodes[0], pod->requests());
    } else {
      ++failed;
      view.reset();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["pods_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["cluster_refills"] = static_cast<double>(failed);
}

void BM_ScheduleDefault(benchmark::State& state) { run(state, "default"); }
void BM_ScheduleDataAware(benchmark::State& state) { run(state, "data-aware"); }
// Every node filtered and scored (percentageOfNodesToScore: 100).
void BM_ScheduleDataAwareAllNodes(benchmark::State& state) { run(state, "data-aware", 100); }
BENCHMARK(BM_ScheduleDefault)->Arg(500)->Arg(5000)->Arg(10000);
BENCHMARK(BM_ScheduleDataAware)->Arg(500)->Arg(5000)->Arg(10000);
BENCHMARK(BM_ScheduleDataAwareAllNodes)->Arg(500)->Arg(5000)->Arg(10000);

}  // namespace
