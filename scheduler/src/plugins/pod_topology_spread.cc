#include "pod_topology_spread.h"

#include <cmath>
#include <limits>

#include "aqueduct/core/scheduling/node_matching.h"
#include "aqueduct/core/scheduling/pod_matching.h"

namespace aqueduct::scheduler {
namespace {

constexpr std::string_view kConstraintsNotMatch =
    "node(s) didn't match pod topology spread constraints";
constexpr std::string_view kMissingLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
constexpr const char* kHostname = "kubernetes.io/hostname";
constexpr std::int64_t kIgnored = -1;

bool has_all_keys(const core::Node& node,
                  const std::vector<const core::TopologySpreadConstraint*>& cs) {
  for (const auto* c : cs) {
    if (!node_label(node, c->topology_key)) return false;
  }
  return true;
}

std::string label_or_empty(const core::Node& node, const std::string& key) {
  const std::string* v = node_label(node, key);
  return v ? *v : std::string();
}

// Pods on node i in namespace `ns` that `c`'s selector matches.
std::int64_t count_matching(const CycleContext& ctx, std::size_t i,
                            const core::TopologySpreadConstraint& c, const std::string& ns) {
  std::int64_t n = 0;
  ctx.for_each_pod(i, [&](const core::Pod& p) {
    if (p.meta.namespace_ == ns && core::selector_matches(c.selector, p.meta.labels)) ++n;
  });
  return n;
}

std::vector<const core::TopologySpreadConstraint*> constraints(const core::Pod& pod,
                                                               bool do_not_schedule) {
  std::vector<const core::TopologySpreadConstraint*> out;
  for (const auto& c : pod.topology_spread) {
    if (c.do_not_schedule == do_not_schedule) out.push_back(&c);
  }
  return out;
}

}  // namespace

std::string PodTopologySpread::pre_filter(const CycleContext& ctx, const PodInfo& info,
                                          std::vector<std::size_t>&) {
  const core::Pod& pod = *info.pod;
  hard_ = constraints(pod, true);
  hard_counts_.clear();
  min_count_.clear();
  if (hard_.empty()) return "";
  const std::size_t n = ctx.view->nodes().size();
  for (std::size_t i = 0; i < n; ++i) {
    const core::Node& node = *ctx.node(i).node;
    if (!core::pod_node_selection_matches(pod, node) || !has_all_keys(node, hard_)) continue;
    for (const auto* c : hard_) hard_counts_[{c->topology_key, *node_label(node, c->topology_key)}];
  }
  // As kube-scheduler: every node whose domain was registered adds its pods,
  // even a node the pod could not run on itself.
  for (std::size_t i = 0; i < n; ++i) {
    const core::Node& node = *ctx.node(i).node;
    for (const auto* c : hard_) {
      auto it = hard_counts_.find({c->topology_key, label_or_empty(node, c->topology_key)});
      if (it == hard_counts_.end()) continue;
      it->second += count_matching(ctx, i, *c, pod.meta.namespace_);
    }
  }
  for (const auto* c : hard_)
    min_count_[c->topology_key] = std::numeric_limits<std::int32_t>::max();
  for (const auto& [pair, count] : hard_counts_) {
    auto& m = min_count_[pair.first];
    m = std::min(m, count);
  }
  return "";
}

std::string_view PodTopologySpread::filter(const CycleContext& ctx, const PodInfo& info,
                                           std::size_t i) {
  if (hard_.empty()) return {};
  const core::Node& node = *ctx.node(i).node;
  const core::Pod& pod = *info.pod;
  for (const auto* c : hard_) {
    const std::string* v = node_label(node, c->topology_key);
    if (!v) return kMissingLabel;
    std::int64_t self = core::selector_matches(c->selector, pod.meta.labels) ? 1 : 0;
    auto it = hard_counts_.find({c->topology_key, *v});
    std::int64_t count = it == hard_counts_.end() ? 0 : it->second;
    std::int64_t skew = count + self - min_count_[c->topology_key];
    if (skew > c->max_skew) return kConstraintsNotMatch;
  }
  return {};
}

void PodTopologySpread::pre_score(const CycleContext& ctx, const PodInfo& info,
                                  std::span<const std::size_t> feasible) {
  const core::Pod& pod = *info.pod;
  soft_ = constraints(pod, false);
  soft_counts_.clear();
  soft_weight_.clear();
  ignored_.clear();
  if (soft_.empty()) return;
  std::vector<std::size_t> domains(soft_.size(), 0);
  for (std::size_t i : feasible) {
    const core::Node& node = *ctx.node(i).node;
    if (!has_all_keys(node, soft_)) {
      ignored_.insert(i);
      continue;
    }
    for (std::size_t k = 0; k < soft_.size(); ++k) {
      const auto& key = soft_[k]->topology_key;
      if (key == kHostname) continue;
      if (soft_counts_.try_emplace({key, *node_label(node, key)}, 0).second) ++domains[k];
    }
  }
  for (std::size_t k = 0; k < soft_.size(); ++k) {
    std::size_t size = domains[k];
    if (soft_[k]->topology_key == kHostname) size = feasible.size() - ignored_.size();
    soft_weight_.push_back(std::log(static_cast<double>(size + 2)));
  }
  const std::size_t n = ctx.view->nodes().size();
  for (std::size_t i = 0; i < n; ++i) {
    const core::Node& node = *ctx.node(i).node;
    if (!core::pod_node_selection_matches(pod, node) || !has_all_keys(node, soft_)) continue;
    for (const auto* c : soft_) {
      auto it = soft_counts_.find({c->topology_key, *node_label(node, c->topology_key)});
      if (it == soft_counts_.end()) continue;
      it->second += count_matching(ctx, i, *c, pod.meta.namespace_);
    }
  }
}

std::int64_t PodTopologySpread::score(const CycleContext& ctx, const PodInfo& info, std::size_t i) {
  if (ignored_.count(i)) return kIgnored;
  const core::Node& node = *ctx.node(i).node;
  double s = 0;
  for (std::size_t k = 0; k < soft_.size(); ++k) {
    const auto& c = *soft_[k];
    const std::string* v = node_label(node, c.topology_key);
    if (!v) continue;
    std::int64_t count = 0;
    if (c.topology_key == kHostname) {
      count = count_matching(ctx, i, c, info.pod->meta.namespace_);
    } else {
      count = soft_counts_[{c.topology_key, *v}];
    }
    s += static_cast<double>(count) * soft_weight_[k] + static_cast<double>(c.max_skew - 1);
  }
  return static_cast<std::int64_t>(s);
}

void PodTopologySpread::normalize(std::span<std::int64_t> scores) {
  std::int64_t min = std::numeric_limits<std::int64_t>::max(), max = 0;
  for (auto s : scores) {
    if (s == kIgnored) continue;
    min = std::min(min, s);
    max = std::max(max, s);
  }
  for (auto& s : scores) {
    if (s == kIgnored) {
      s = 0;
    } else if (max == 0) {
      s = 100;
    } else {
      s = 100 * (max + min - s) / max;
    }
  }
}

}  // namespace aqueduct::scheduler
