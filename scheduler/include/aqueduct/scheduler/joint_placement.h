// Joint placement of a batch of pending pods and the cache workers their
// datasets need. Fluid places cache workers first and pods follow; this also
// goes the other way (cache where the jobs can run).
//
// Cost model (integers; lower is better), for pod p on node n:
//   locality(p, n) = 0   if a worker of p's dataset runs on n,
//                    50  if one runs in n's zone, 80 if in n's region,
//                    100 otherwise (0 for pods without a dataset);
//   cost(p, n)     = locality(p, n) + price_weight * price_per_hour(n) (rounded).
// Pods that Filter rejects on a node get no arc to it.
//
// Given the worker sites, the pod assignment is a min-cost flow on a Boost.Graph
// network (source -> pod, capacity 1; pod -> feasible node, cost(p, n); node ->
// sink, capacity = how many pods of that shape still fit), solved exactly by
// successive shortest paths. Multi-resource fit is not a flow constraint, so
// pods are solved in groups of identical requests, largest first, each group
// seeing the reservations of the previous ones. The worker sites of datasets
// marked `movable` (nothing cached yet) are chosen by local search: move one
// worker at a time to another eligible node and keep the move when the optimal
// assignment for the new sites is better, until a round finds no move (or
// `max_evaluations` solves). The result is never worse than the optimal
// assignment for the starting sites. Choosing sites is a facility-location
// problem (NP-hard); the tests compare against brute force over all sites.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/scheduler/framework.h"

namespace aqueduct::scheduler {

struct DatasetSites {
  std::size_t dataset = 0;            // index into view.datasets()
  std::vector<std::size_t> workers;   // node indexes of its cache workers
  bool movable = false;               // the sites may change (nothing cached yet)
  std::vector<std::size_t> eligible;  // nodes that may host a worker (when movable)
};

struct JointConfig {
  std::int64_t local_cost = 0, zone_cost = 50, region_cost = 80, remote_cost = 100;
  double price_weight = 1.0;
  int max_rounds = 4;
  int max_evaluations = 400;  // min-cost-flow solves per batch, at most
};

struct JointResult {
  std::vector<std::size_t> pod_nodes;  // per pod; kNoNode when it did not fit
  std::vector<DatasetSites> sites;     // the worker sites used
  std::int64_t cost = 0;               // total cost of the placed pods
  int placed = 0;
  int rounds = 0;
};

class JointPlacer {
 public:
  // `filters` decides feasibility (its Filter plugins); scores are not used.
  JointPlacer(Framework& filters, JointConfig cfg = {}) : filters_(filters), cfg_(cfg) {}

  JointResult place(const core::ClusterView& view, std::span<const core::Pod* const> pods,
                    std::vector<DatasetSites> sites);

  // The cost of one pod on one node given worker sites (exposed for tests).
  std::int64_t cost(const core::ClusterView& view, const core::Pod& pod, std::size_t node,
                    const std::vector<DatasetSites>& sites) const;
  // Optimal assignment for fixed sites (exposed for tests).
  JointResult assign(const core::ClusterView& view, std::span<const core::Pod* const> pods,
                     const std::vector<DatasetSites>& sites);

 private:
  Framework& filters_;
  JointConfig cfg_;
};

}  // namespace aqueduct::scheduler
