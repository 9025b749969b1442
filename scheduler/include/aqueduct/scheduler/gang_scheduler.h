// The baseline scheduler port: place all pods of a job (a gang) or none,
// reading a ClusterView snapshot and returning a decision value; the driver
// (sim/ or k8s/) binds through the ActionSink. Filters: resource fit (cpu,
// memory, GPU, pod slots), nodeSelector, untolerated NoSchedule/NoExecute
// taints, image arch. Scores are chosen by name; the full kube-scheduler-style
// framework replaces this with plugins and keeps the interface.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/core/registry.h"
#include "aqueduct/core/status.h"

namespace aqueduct::scheduler {

struct GangDecision {
  bool placed = false;
  std::vector<std::size_t> node_indexes;  // one per pod, into view.nodes()
  // When not placed: "0/8 nodes are available: 5 Insufficient nvidia.com/gpu, 3 ..."
  std::string reason;
};

class GangScheduler {
 public:
  virtual ~GangScheduler() = default;
  virtual std::string_view name() const = 0;
  virtual GangDecision place(const core::ClusterView& view,
                             std::span<const core::Pod* const> pods) = 0;
};

// Why a node cannot take a pod, or empty when it can. `requested` is what is
// already reserved on the node (including earlier pods of the same gang).
std::string filter_node(const core::Node& node, const core::Resources& requested,
                        const core::Pod& pod);

using SchedulerRegistry = core::Registry<GangScheduler>;

// "least-allocated" (spread, kube's NodeResourcesLeastAllocated) and
// "most-allocated" (bin packing).
SchedulerRegistry builtin_schedulers();

}  // namespace aqueduct::scheduler
