// Scheduling throughput: pods per second, single thread, on clusters of 500,
// 5,000 and 10,000 nodes (10 zones in 3 regions), 20 datasets each cached on 8
// nodes. Each pod claims one dataset and asks for 4 cores, 16 GiB and 1 GPU;
// placed pods stay reserved (the cluster fills; it is emptied when full).
// Profiles: kube's default plugin set, and "data-aware" (default +
// DataLocality + BandwidthPressure + Cost), i.e. locality scoring on.
// The pod-affinity and spreading cases follow kube-scheduler's own
// scheduler_perf workloads at 5,000 nodes (SchedulingPodAntiAffinity,
// SchedulingPreferredPodAntiAffinity, TopologySpreading): pods already
// running first, then the measured pods, each bound where it was placed.
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
    for (const auto& node : nodes_) infos_.push_back({&node, {}, 0, 0.0, {}});
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
  // Binds a copy of `pod` to node i (its labels and terms count from now on).
  void bind(std::size_t i, const core::Pod& pod) {
    bound_.push_back(pod);
    infos_[i].requested += pod.requests();
    infos_[i].pods.push_back(&bound_.back());
    ++infos_[i].pod_count;
    if (!pod.pod_affinity.empty() || !pod.pod_anti_affinity.empty()) ++with_affinity_;
  }
  std::size_t pods_with_affinity() const override { return with_affinity_; }
  void reset() {
    for (auto& info : infos_) {
      info.requested = {};
      info.pods.clear();
      info.pod_count = 0;
    }
    bound_.clear();
    with_affinity_ = 0;
  }
  // Sets node i's zone label (one of `zones`, round robin).
  void zones(int count) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      nodes_[i].meta.labels["topology.kubernetes.io/zone"] = "moon-" + std::to_string(i % count);
    }
  }

 private:
  std::deque<core::Node> nodes_;
  std::vector<core::NodeInfo> infos_;
  std::deque<core::Pod> bound_;
  std::size_t with_affinity_ = 0;
  std::vector<core::Dataset> datasets_;
  std::vector<core::CacheState> cache_;
};

void run(benchmark::State& state, const char* profile_name, int percentage = 0,
         bool without_pod_terms = false) {
  const int n = static_cast<int>(state.range(0));
  BenchView view(n);
  auto profile = scheduler::preset_profile(profile_name);
  profile->percentage_of_nodes_to_score = percentage;
  if (without_pod_terms) {
    std::erase_if(profile->plugins, [](const scheduler::PluginConfig& p) {
      return p.name == "InterPodAffinity" || p.name == "PodTopologySpread";
    });
  }
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
// The same without InterPodAffinity and PodTopologySpread: what they cost
// pods that use neither.
void BM_ScheduleDefaultWithoutPodTermPlugins(benchmark::State& state) {
  run(state, "default", 0, true);
}
void BM_ScheduleDataAware(benchmark::State& state) { run(state, "data-aware"); }
// Every node filtered and scored (percentageOfNodesToScore: 100).
void BM_ScheduleDataAwareAllNodes(benchmark::State& state) { run(state, "data-aware", 100); }
// kube-scheduler's scheduler_perf pod shapes (small requests, as its
// pod-default template: 100m cpu, 500Mi).
core::Pod perf_pod(const std::string& ns, const std::string& name) {
  core::Pod p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.meta.labels = {{"color", "green"}, {"name", "test"}};
  core::Container c;
  c.name = "pause";
  c.requests = {100, 500LL << 20, 0, 0};
  p.containers.push_back(c);
  return p;
}

core::PodAffinityTerm green_by_host() {
  core::PodAffinityTerm t;
  core::LabelSelector sel;
  sel.match_labels = {{"color", "green"}};
  t.selector = sel;
  t.topology_key = "kubernetes.io/hostname";
  return t;
}

// Places `count` copies of `tmpl` one by one, binding each; returns how many fit.
template <typename Fn>
std::size_t fill(BenchView& view, scheduler::Framework& fw, std::size_t count, Fn make) {
  std::size_t placed = 0;
  for (std::size_t k = 0; k < count; ++k) {
    core::Pod p = make(k);
    const core::Pod* one = &p;
    auto d = fw.place(view, std::span<const core::Pod* const>(&one, 1));
    if (!d.placed) continue;
    view.bind(d.nodes[0], p);
    ++placed;
  }
  return placed;
}

// init: pods already running (placed through the framework, in their own
// namespace); measured: pods placed and bound while the clock runs.
template <typename Init, typename Measure>
void run_kube_perf(benchmark::State& state, int zones, std::size_t init, Init make_init,
                   Measure make_measured) {
  const int n = static_cast<int>(state.range(0));
  BenchView view(n);
  if (zones > 0) view.zones(zones);
  auto fw = std::move(scheduler::Framework::create(*scheduler::preset_profile("kube-1.20"),
                                                   scheduler::builtin_plugins()))
                .value();
  fill(view, *fw, init, make_init);
  std::size_t k = 0, failed = 0;
  for (auto _ : state) {
    core::Pod p = make_measured(k++);
    const core::Pod* one = &p;
    auto d = fw->place(view, std::span<const core::Pod* const>(&one, 1));
    if (d.placed) {
      view.bind(d.nodes[0], p);
    } else {
      ++failed;
      state.PauseTiming();
      view.reset();
      fill(view, *fw, init, make_init);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["pods_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["cluster_refills"] = static_cast<double>(failed);
}

// SchedulingPodAntiAffinity: 1,000 running pods and the measured ones, each
// with required anti-affinity to color=green by hostname (in its namespace).
void BM_KubePerfPodAntiAffinity(benchmark::State& state) {
  auto make = [](const std::string& ns) {
    return [ns](std::size_t k) {
      core::Pod p = perf_pod(ns, "p-" + std::to_string(k));
      p.pod_anti_affinity.required.push_back(green_by_host());
      return p;
    };
  };
  run_kube_perf(state, 0, 1000, make("sched-0"), make("sched-1"));
}

// SchedulingPreferredPodAntiAffinity: 5,000 running pods, preferred anti-affinity (weight 1).
void BM_KubePerfPreferredPodAntiAffinity(benchmark::State& state) {
  auto make = [](const std::string& ns) {
    return [ns](std::size_t k) {
      core::Pod p = perf_pod(ns, "p-" + std::to_string(k));
      p.pod_anti_affinity.preferred.push_back({1, green_by_host()});
      return p;
    };
  };
  run_kube_perf(state, 0, 5000, make("sched-0"), make("sched-1"));
}

// TopologySpreading: 3 zones, 5,000 plain running pods, then pods with a
// DoNotSchedule zone constraint (maxSkew 5) on color=green.
void BM_KubePerfTopologySpreading(benchmark::State& state) {
  auto plain = [](std::size_t k) {
    core::Pod p = perf_pod("default", "init-" + std::to_string(k));
    p.meta.labels = {{"name", "init"}};
    return p;
  };
  auto spread = [](std::size_t k) {
    core::Pod p = perf_pod("default", "s-" + std::to_string(k));
    core::TopologySpreadConstraint c;
    c.max_skew = 5;
    c.topology_key = "topology.kubernetes.io/zone";
    c.do_not_schedule = true;
    core::LabelSelector sel;
    sel.match_labels = {{"color", "green"}};
    c.selector = sel;
    p.topology_spread.push_back(c);
    return p;
  };
  run_kube_perf(state, 3, 5000, plain, spread);
}

BENCHMARK(BM_KubePerfPodAntiAffinity)->Arg(5000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_KubePerfPreferredPodAntiAffinity)->Arg(5000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_KubePerfTopologySpreading)->Arg(5000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScheduleDefault)->Arg(500)->Arg(5000)->Arg(10000);
BENCHMARK(BM_ScheduleDefaultWithoutPodTermPlugins)->Arg(5000);
BENCHMARK(BM_ScheduleDataAware)->Arg(500)->Arg(5000)->Arg(10000);
BENCHMARK(BM_ScheduleDataAwareAllNodes)->Arg(500)->Arg(5000)->Arg(10000);

}  // namespace
