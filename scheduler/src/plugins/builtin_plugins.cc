#include "balanced_allocation.h"
#include "bandwidth_pressure.h"
#include "cost_score.h"
#include "data_locality.h"
#include "inter_pod_affinity.h"
#include "node_affinity_plugin.h"
#include "node_arch.h"
#include "node_resources_fit.h"
#include "pod_topology_spread.h"
#include "taint_toleration.h"

namespace aqueduct::scheduler {
namespace {
template <typename T>
PluginRegistry::Factory no_args(const char* name) {
  return [name](const PluginArgs& args) -> core::Result<std::unique_ptr<Plugin>> {
    if (!args.empty()) return core::invalid_argument(std::string(name) + " takes no arguments");
    return std::unique_ptr<Plugin>(new T());
  };
}
}  // namespace

PluginRegistry builtin_plugins() {
  PluginRegistry r("scheduler plugin");
  r.add("NodeResourcesFit",
        "Filter: cpu/memory/GPU/pods fit; Score: strategy LeastAllocated|MostAllocated",
        NodeResourcesFit::create);
  r.add("NodeAffinity", "Filter: nodeSelector + required affinity; Score: preferred terms",
        no_args<NodeAffinityPlugin>("NodeAffinity"));
  r.add("TaintToleration", "Filter: NoSchedule/NoExecute taints; Score: PreferNoSchedule",
        no_args<TaintToleration>("TaintToleration"));
  r.add("NodeResourcesBalancedAllocation", "Score: balanced cpu/memory/GPU utilization",
        no_args<BalancedAllocation>("NodeResourcesBalancedAllocation"));
  r.add("NodeArch", "Filter: the pod's image arches", no_args<NodeArch>("NodeArch"));
  r.add("InterPodAffinity",
        "Filter: required pod (anti-)affinity; Score: preferred terms (hardPodAffinityWeight)",
        InterPodAffinity::create);
  r.add("PodTopologySpread",
        "Filter: DoNotSchedule spread constraints; Score: ScheduleAnyway constraints",
        no_args<PodTopologySpread>("PodTopologySpread"));
  r.add("DataLocality",
        "Score: cached bytes of the pod's datasets on/near the node (zoneWeight, regionWeight)",
        DataLocality::create);
  r.add("BandwidthPressure", "Score: spare NIC/cache-serving bandwidth",
        no_args<BandwidthPressure>("BandwidthPressure"));
  r.add("Cost", "Score: cheaper nodes first", no_args<CostScore>("Cost"));
  return r;
}

}  // namespace aqueduct::scheduler
