#include "aqueduct/scheduler/joint_placement.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>
#include <map>

namespace aqueduct::scheduler {
namespace {

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using Graph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, long,
                    boost::property<boost::edge_residual_capacity_t, long,
                                    boost::property<boost::edge_reverse_t, Traits::edge_descriptor,
                                                    boost::property<boost::edge_weight_t, long>>>>>;
using Edge = Traits::edge_descriptor;

// Adds an arc and its residual twin.
Edge add_arc(Graph& g, std::size_t u, std::size_t v, long cap, long cost) {
  auto cap_map = boost::get(boost::edge_capacity, g);
  auto rev = boost::get(boost::edge_reverse, g);
  auto w = boost::get(boost::edge_weight, g);
  Edge e = boost::add_edge(u, v, g).first;
  Edge r = boost::add_edge(v, u, g).first;
  cap_map[e] = cap;
  cap_map[r] = 0;
  w[e] = cost;
  w[r] = -cost;
  rev[e] = r;
  rev[r] = e;
  return e;
}

// How many more pods requesting `r` fit into `free`.
long fit_count(core::Resources free, const core::Resources& r) {
  long n = 0;
  while (n < 4096 && free.fits(r)) {
    free -= r;
    ++n;
  }
  return n;
}

int dataset_of(const core::ClusterView& view, const core::Pod& pod) {
  auto ds = view.datasets();
  for (const auto& claim : pod.claim_names()) {
    for (std::size_t i = 0; i < ds.size(); ++i) {
      if (ds[i].meta.name == claim && ds[i].meta.namespace_ == pod.meta.namespace_)
        return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace

std::int64_t JointPlacer::cost(const core::ClusterView& view, const core::Pod& pod,
                               std::size_t node, const std::vector<DatasetSites>& sites) const {
  const core::Node& n = *view.nodes()[node].node;
  std::int64_t price = static_cast<std::int64_t>(cfg_.price_weight * n.price_per_hour + 0.5);
  int d = dataset_of(view, pod);
  if (d < 0) return price;
  const DatasetSites* s = nullptr;
  for (const auto& x : sites) {
    if (static_cast<int>(x.dataset) == d) s = &x;
  }
  if (!s || s->workers.empty()) return cfg_.remote_cost + price;
  std::int64_t best = cfg_.remote_cost;
  for (std::size_t w : s->workers) {
    const core::Node& wn = *view.nodes()[w].node;
    if (w == node) return cfg_.local_cost + price;
    if (!n.zone.empty() && wn.zone == n.zone) best = std::min(best, cfg_.zone_cost);
    if (!n.region.empty() && wn.region == n.region) best = std::min(best, cfg_.region_cost);
  }
  return best + price;
}

JointResult JointPlacer::assign(const core::ClusterView& view,
                                std::span<const core::Pod* const> pods,
                                const std::vector<DatasetSites>& sites) {
  JointResult res;
  res.sites = sites;
  res.pod_nodes.assign(pods.size(), core::kNoNode);
  const std::size_t n = view.nodes().size();
  std::vector<core::Resources> reserved(n);
  for (std::size_t i = 0; i < n; ++i) reserved[i] = view.nodes()[i].requested;
  // Groups of identical requests, largest (by GPU, then cpu, then memory) first.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::vector<std::size_t>,
           std::greater<>>
      groups;
  for (std::size_t k = 0; k < pods.size(); ++k) {
    core::Resources r = pods[k]->requests();
    groups[{r.gpu_milli, r.cpu_milli, r.memory_bytes}].push_back(k);
  }
  for (const auto& [shape, members] : groups) {
    const core::Resources req = pods[members[0]]->requests();
    // Vertices: 0 source, 1 sink, 2.. pods, then nodes.
    const std::size_t P = members.size();
    Graph g(2 + P + n);
    std::vector<std::vector<std::pair<std::size_t, Edge>>> arcs(P);
    for (std::size_t a = 0; a < P; ++a) {
      const core::Pod& pod = *pods[members[a]];
      add_arc(g, 0, 2 + a, 1, 0);
      for (std::size_t node : filters_.feasible_nodes(view, reserved, pod)) {
        arcs[a].push_back({node, add_arc(g, 2 + a, 2 + P + node, 1, cost(view, pod, node, sites))});
      }
    }
    for (std::size_t node = 0; node < n; ++node) {
      long cap = fit_count(view.nodes()[node].node->allocatable - reserved[node], req);
      if (cap > 0) add_arc(g, 2 + P + node, 1, std::min<long>(cap, static_cast<long>(P)), 0);
    }
    boost::successive_shortest_path_nonnegative_weights(g, 0, 1);
    auto cap_map = boost::get(boost::edge_capacity, g);
    auto resid = boost::get(boost::edge_residual_capacity, g);
    for (std::size_t a = 0; a < P; ++a) {
      for (const auto& [node, e] : arcs[a]) {
        if (cap_map[e] - resid[e] > 0) {
          res.pod_nodes[members[a]] = node;
          reserved[node] += req;
          res.cost += cost(view, *pods[members[a]], node, sites);
          ++res.placed;
        }
      }
    }
  }
  return res;
}

JointResult JointPlacer::place(const core::ClusterView& view,
                               std::span<const core::Pod* const> pods,
                               std::vector<DatasetSites> sites) {
  auto better = [](const JointResult& a, const JointResult& b) {
    return a.placed != b.placed ? a.placed > b.placed : a.cost < b.cost;
  };
  JointResult best = assign(view, pods, sites);
  int evaluations = 1;
  best.rounds = 1;
  // Local search over the sites of movable datasets: move one worker at a
  // time to another eligible node, keep a move when the optimal assignment
  // for the new sites is better; stop when a full round finds no move.
  for (int round = 1; round < cfg_.max_rounds; ++round) {
    bool improved = false;
    for (std::size_t d = 0; d < best.sites.size(); ++d) {
      if (!best.sites[d].movable) continue;
      const std::vector<std::size_t> eligible = best.sites[d].eligible;  // `best` changes below
      for (std::size_t slot = 0; slot < best.sites[d].workers.size(); ++slot) {
        for (std::size_t cand : eligible) {
          const auto ws = best.sites[d].workers;
          if (std::find(ws.begin(), ws.end(), cand) != ws.end()) continue;
          if (evaluations >= cfg_.max_evaluations) break;
          std::vector<DatasetSites> trial = best.sites;
          trial[d].workers[slot] = cand;
          JointResult r = assign(view, pods, trial);
          ++evaluations;
          if (better(r, best)) {
            r.rounds = round + 1;
            best = std::move(r);
            improved = true;
          }
        }
      }
    }
    if (!improved) break;
  }
  for (auto& s : best.sites) std::sort(s.workers.begin(), s.workers.end());
  return best;
}

}  // namespace aqueduct::scheduler
