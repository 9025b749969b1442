#include "aqueduct/sim/node_pools.h"

#include "aqueduct/core/jobs/job_policy.h"
#include "aqueduct/core/scheduling/node_matching.h"

#include <algorithm>
#include <cstdio>

namespace aqueduct::sim {
using core::YamlCursor;

namespace {

void parse_media(YamlCursor& parent, std::string_view key, std::int64_t out[core::kMediumCount]) {
  auto c = parent.child(key);
  if (!c || !c->expect_map("a mapping of MEM/SSD/HDD to sizes")) return;
  if (auto q = c->quantity("MEM")) out[0] = q->as_int();
  if (auto q = c->quantity("SSD")) out[1] = q->as_int();
  if (auto q = c->quantity("HDD")) out[2] = q->as_int();
  c->finish_unknown("cache media (MEM, SSD, HDD)");
}

}  // namespace

NodePoolSpec parse_node_pool(YamlCursor& p, bool single,
                             std::initializer_list<std::string_view> extra) {
  NodePoolSpec pool;
  if (!p.expect_map("a node pool")) return pool;
  pool.name = p.str("name", true).value_or("");
  pool.single = single;
  pool.count =
      single ? 1 : static_cast<std::int32_t>(p.integer("count", true, 0, 1000000).value_or(0));
  if (auto k = p.one_of("kind", {"ECS", "ECI"})) {
    pool.kind = *k == "ECI" ? core::NodeKind::kEci : core::NodeKind::kEcs;
  }
  if (auto a = p.one_of("arch", {"amd64", "arm64"})) {
    pool.arch = *a == "arm64" ? core::Arch::kArm64 : core::Arch::kAmd64;
  }
  if (auto q = p.quantity("cpu", true)) pool.allocatable.cpu_milli = q->as_milli();
  if (auto q = p.quantity("memory", true)) pool.allocatable.memory_bytes = q->as_int();
  if (auto q = p.quantity("gpu")) pool.allocatable.gpu_milli = q->as_int() * 1000;
  pool.allocatable.pods = p.integer("maxPods", false, 1, 100000).value_or(110);
  parse_media(p, "cache", pool.cache_capacity);
  if (auto b = p.bandwidth("nicBandwidth")) {
    if (*b <= 0) {
      p.error(p.field_path("nicBandwidth"), "expected a positive bandwidth");
    } else {
      pool.nic_bandwidth = *b;
    }
  }
  pool.zone = p.str("zone").value_or("");
  pool.region = p.str("region").value_or("");
  pool.price_per_hour = p.number("pricePerHour", false, 0).value_or(0);
  pool.speed_factor = p.number("speedFactor", false, 1e-6, 1e6).value_or(1.0);
  if (auto d = p.duration("workerStartup")) pool.worker_startup = *d;
  if (auto st = p.child("podStart")) {
    if (st->expect_map("{median, sigma}")) {
      if (auto d = st->duration("median", true)) pool.start_median = *d;
      pool.start_sigma = st->number("sigma", false, 0, 5).value_or(0);
      st->finish_unknown("podStart");
    }
  }
  pool.price_per_cpu_hour = p.number("pricePerCpuHour", false, 0).value_or(0);
  pool.price_per_gib_hour = p.number("pricePerGiBHour", false, 0).value_or(0);
  pool.price_per_gpu_hour = p.number("pricePerGpuHour", false, 0).value_or(0);
  if (pool.kind == core::NodeKind::kEcs &&
      (pool.price_per_cpu_hour > 0 || pool.price_per_gib_hour > 0 || pool.price_per_gpu_hour > 0)) {
    p.error(p.field_path("pricePerCpuHour"),
            "per-pod prices apply to ECI pools; ECS nodes have pricePerHour");
  }
  pool.labels = p.string_map("labels");
  if (auto g = p.str("gpuType")) {
    auto have = pool.labels.find(core::kGpuTypeLabel);
    if (g->empty()) {
      p.error(p.field_path("gpuType"), "expected a GPU type name, e.g. v100");
    } else if (have != pool.labels.end() && have->second != *g) {
      p.error(p.field_path("gpuType"), "\"" + *g + "\" differs from label " + core::kGpuTypeLabel +
                                           ": \"" + have->second + "\"");
    } else {
      pool.labels[core::kGpuTypeLabel] = *g;
    }
  }
  p.each("taints", [&](YamlCursor& t) {
    if (!t.expect_map("a taint")) return;
    core::Taint taint;
    taint.key = t.str("key", true).value_or("");
    taint.value = t.str("value").value_or("");
    auto e = t.one_of("effect", {"NoSchedule", "PreferNoSchedule", "NoExecute"}, true);
    if (e) {
      taint.effect = *e == "NoExecute"          ? core::TaintEffect::kNoExecute
                     : *e == "PreferNoSchedule" ? core::TaintEffect::kPreferNoSchedule
                                                : core::TaintEffect::kNoSchedule;
    }
    t.finish_unknown("a taint");
    pool.taints.push_back(taint);
  });
  p.accept(extra);
  p.finish_unknown(single ? "a node" : "a node pool");
  return pool;
}

std::vector<core::Node> build_pool_nodes(const std::vector<NodePoolSpec>& pools) {
  std::vector<core::Node> nodes;
  for (const auto& pool : pools) {
    for (std::int32_t i = 0; i < pool.count; ++i) {
      core::Node n;
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "-%04d", i);
      n.meta.name = pool.single ? pool.name : pool.name + suffix;
      n.meta.namespace_ = "";
      n.meta.labels = pool.labels;
      n.meta.labels["kubernetes.io/hostname"] = n.meta.name;
      n.meta.labels["kubernetes.io/arch"] = core::arch_name(pool.arch);
      if (!pool.zone.empty()) n.meta.labels["topology.kubernetes.io/zone"] = pool.zone;
      if (!pool.region.empty()) n.meta.labels["topology.kubernetes.io/region"] = pool.region;
      if (pool.kind == core::NodeKind::kEci) n.meta.labels["type"] = "virtual-kubelet";
      n.kind = pool.kind;
      n.arch = pool.arch;
      n.zone = pool.zone;
      n.region = pool.region;
      n.allocatable = pool.allocatable;
      for (int m = 0; m < core::kMediumCount; ++m)
        n.cache_capacity_bytes[m] = pool.cache_capacity[m];
      n.nic_bandwidth = pool.nic_bandwidth;
      n.price_per_hour = pool.price_per_hour;
      n.speed_factor = pool.speed_factor;
      n.worker_startup = pool.worker_startup;
      n.pod_start_median = pool.start_median;
      n.pod_start_sigma = pool.start_sigma;
      n.price_per_cpu_hour = pool.price_per_cpu_hour;
      n.price_per_gib_hour = pool.price_per_gib_hour;
      n.price_per_gpu_hour = pool.price_per_gpu_hour;
      n.taints = pool.taints;
      if (pool.kind == core::NodeKind::kEci) {
        // Virtual-kubelet nodes carry its taint; only pods that tolerate it land there.
        n.taints.push_back(
            {core::kVirtualKubeletTaintKey, "alibabacloud", core::TaintEffect::kNoSchedule});
      }
      n.pool = pool.name;
      nodes.push_back(std::move(n));
    }
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const core::Node& a, const core::Node& b) { return a.meta.name < b.meta.name; });
  return nodes;
}

}  // namespace aqueduct::sim
