#include "data_locality.h"

#include <algorithm>
#include <cstdlib>

namespace aqueduct::scheduler {
namespace {

core::Result<double> parse_weight(const std::string& key, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || d < 0 || d > 1) {
    return core::invalid_argument(key + ": expected a number in [0, 1], got \"" + v + "\"");
  }
  return d;
}

void add(std::vector<std::pair<std::string, std::int64_t>>& v, const std::string& k,
         std::int64_t b) {
  if (k.empty()) return;
  for (auto& [name, bytes] : v) {
    if (name == k) {
      bytes += b;
      return;
    }
  }
  v.emplace_back(k, b);
}

std::int64_t lookup(const std::vector<std::pair<std::string, std::int64_t>>& v,
                    const std::string& k) {
  if (k.empty()) return 0;
  for (const auto& [name, bytes] : v) {
    if (name == k) return bytes;
  }
  return 0;
}

}  // namespace

core::Result<std::unique_ptr<Plugin>> DataLocality::create(const PluginArgs& args) {
  auto p = std::make_unique<DataLocality>();
  for (const auto& [k, v] : args) {
    if (k == "zoneWeight") {
      AQ_ASSIGN_OR_RETURN(p->zone_weight_, parse_weight(k, v));
    } else if (k == "regionWeight") {
      AQ_ASSIGN_OR_RETURN(p->region_weight_, parse_weight(k, v));
    } else {
      return core::invalid_argument("unknown argument \"" + k +
                                    "\" (expected zoneWeight, regionWeight)");
    }
  }
  return std::unique_ptr<Plugin>(std::move(p));
}

std::string DataLocality::pre_filter(const CycleContext& ctx, const PodInfo& pod,
                                     std::vector<std::size_t>& hint) {
  on_node_.clear();
  by_zone_.clear();
  by_region_.clear();
  if (pod.datasets.empty()) return "";
  auto datasets = ctx.view->datasets();
  for (const auto& cs : ctx.view->cache_states()) {
    bool mine = false;
    for (std::size_t d : pod.datasets) {
      if (cs.dataset == core::object_key(datasets[d].meta)) mine = true;
    }
    if (!mine) continue;
    for (const auto& w : cs.workers) {
      if (w.cached_bytes <= 0) continue;
      std::size_t i = ctx.view->node_index(w.node_name);
      if (i == core::kNoNode) continue;
      on_node_.emplace_back(i, w.cached_bytes);
      const core::Node& n = *ctx.node(i).node;
      add(by_zone_, n.zone, w.cached_bytes);
      add(by_region_, n.region, w.cached_bytes);
    }
  }
  std::sort(on_node_.begin(), on_node_.end());
  // Merge entries of one node (several datasets on one worker node).
  std::size_t out = 0;
  for (std::size_t k = 0; k < on_node_.size(); ++k) {
    if (out > 0 && on_node_[out - 1].first == on_node_[k].first) {
      on_node_[out - 1].second += on_node_[k].second;
    } else {
      on_node_[out++] = on_node_[k];
    }
  }
  on_node_.resize(out);
  for (const auto& [i, b] : on_node_) hint.push_back(i);
  return "";
}

std::int64_t DataLocality::score(const CycleContext& ctx, const PodInfo& pod, std::size_t node) {
  if (pod.datasets.empty() || (by_region_.empty() && on_node_.empty())) return 0;
  std::int64_t local = 0;
  auto it =
      std::lower_bound(on_node_.begin(), on_node_.end(), std::make_pair(node, std::int64_t{0}),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
  if (it != on_node_.end() && it->first == node) local = it->second;
  const core::Node& n = *ctx.node(node).node;
  std::int64_t zone = lookup(by_zone_, n.zone) - local;
  std::int64_t region = lookup(by_region_, n.region) - local - std::max<std::int64_t>(zone, 0);
  double s = static_cast<double>(local) +
             zone_weight_ * static_cast<double>(std::max<std::int64_t>(zone, 0)) +
             region_weight_ * static_cast<double>(std::max<std::int64_t>(region, 0));
  return static_cast<std::int64_t>(s / 1024.0);  // KiB: keeps the sum in range
}

}  // namespace aqueduct::scheduler
