#include "inter_pod_affinity.h"

#include <charconv>
#include <limits>

#include "aqueduct/core/scheduling/pod_matching.h"

namespace aqueduct::scheduler {
namespace {

constexpr std::string_view kAffinityNotMatch =
    "node(s) didn't match pod affinity/anti-affinity\n"
    "node(s) didn't match pod affinity rules";
constexpr std::string_view kAntiAffinityNotMatch =
    "node(s) didn't match pod affinity/anti-affinity\n"
    "node(s) didn't match pod anti-affinity rules";
constexpr std::string_view kExistingAntiAffinityNotMatch =
    "node(s) didn't match pod affinity/anti-affinity\n"
    "node(s) didn't satisfy existing pods anti-affinity rules";

// Does `pod` match every one of the terms held by a pod of namespace `ns`?
// (false for no terms, as kube's podMatchesAllAffinityTerms)
bool matches_all(const std::vector<core::PodAffinityTerm>& terms, const std::string& ns,
                 const core::Pod& pod) {
  if (terms.empty()) return false;
  for (const auto& t : terms) {
    if (!core::affinity_term_matches(t, ns, pod)) return false;
  }
  return true;
}

// Does any other pod (bound, or reserved earlier this round) hold pod
// affinity or anti-affinity terms? When none does, only the pod's own terms
// can matter.
bool others_have_terms(const CycleContext& ctx) {
  if (ctx.view->pods_with_affinity() > 0) return true;
  for (const auto& r : ctx.reserved_pods) {
    if (!r.pod->pod_affinity.empty() || !r.pod->pod_anti_affinity.empty()) return true;
  }
  return false;
}

void add_pair(TopologyCounts& m, const core::Node& node, const std::string& key) {
  if (const std::string* v = node_label(node, key)) ++m[{key, *v}];
}

}  // namespace

core::Result<std::unique_ptr<Plugin>> InterPodAffinity::create(const PluginArgs& args) {
  auto p = std::make_unique<InterPodAffinity>();
  for (const auto& [k, v] : args) {
    if (k != "hardPodAffinityWeight") {
      return core::invalid_argument("unknown argument \"" + k +
                                    "\" (expected hardPodAffinityWeight)");
    }
    std::int64_t w = -1;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), w);
    if (ec != std::errc() || end != v.data() + v.size() || w < 0 || w > 100) {
      return core::invalid_argument(
          "hardPodAffinityWeight: expected an integer in [0, 100], got \"" + v + "\"");
    }
    p->hard_weight_ = w;
  }
  return std::unique_ptr<Plugin>(std::move(p));
}

std::string InterPodAffinity::pre_filter(const CycleContext& ctx, const PodInfo& info,
                                         std::vector<std::size_t>&) {
  existing_anti_.clear();
  affinity_.clear();
  anti_.clear();
  const core::Pod& pod = *info.pod;
  const auto& req_aff = pod.pod_affinity.required;
  const auto& req_anti = pod.pod_anti_affinity.required;
  if (req_aff.empty() && req_anti.empty() && !others_have_terms(ctx)) return "";
  const std::size_t n = ctx.view->nodes().size();
  for (std::size_t i = 0; i < n; ++i) {
    const core::Node& node = *ctx.node(i).node;
    ctx.for_each_pod(i, [&](const core::Pod& other) {
      for (const auto& t : other.pod_anti_affinity.required) {
        if (core::affinity_term_matches(t, other.meta.namespace_, pod)) {
          add_pair(existing_anti_, node, t.topology_key);
        }
      }
      if (matches_all(req_aff, pod.meta.namespace_, other)) {
        for (const auto& t : req_aff) add_pair(affinity_, node, t.topology_key);
      }
      for (const auto& t : req_anti) {
        if (core::affinity_term_matches(t, pod.meta.namespace_, other)) {
          add_pair(anti_, node, t.topology_key);
        }
      }
    });
  }
  return "";
}

std::string_view InterPodAffinity::filter(const CycleContext& ctx, const PodInfo& info,
                                          std::size_t i) {
  const core::Node& node = *ctx.node(i).node;
  const core::Pod& pod = *info.pod;
  // Required affinity: every term's domain holds a matching pod.
  bool pods_exist = true;
  for (const auto& t : pod.pod_affinity.required) {
    const std::string* v = node_label(node, t.topology_key);
    if (!v) return kAffinityNotMatch;
    auto it = affinity_.find({t.topology_key, *v});
    if (it == affinity_.end() || it->second <= 0) pods_exist = false;
  }
  if (!pods_exist &&
      !(affinity_.empty() && matches_all(pod.pod_affinity.required, pod.meta.namespace_, pod))) {
    return kAffinityNotMatch;
  }
  // Required anti-affinity: no matching pod in the term's domain.
  if (!anti_.empty()) {
    for (const auto& t : pod.pod_anti_affinity.required) {
      const std::string* v = node_label(node, t.topology_key);
      if (!v) continue;
      auto it = anti_.find({t.topology_key, *v});
      if (it != anti_.end() && it->second > 0) return kAntiAffinityNotMatch;
    }
  }
  // Running pods' required anti-affinity against this pod.
  if (!existing_anti_.empty()) {
    for (const auto& [k, v] : node.meta.labels) {
      auto it = existing_anti_.find({k, v});
      if (it != existing_anti_.end() && it->second > 0) return kExistingAntiAffinityNotMatch;
    }
  }
  return {};
}

void InterPodAffinity::pre_score(const CycleContext& ctx, const PodInfo& info,
                                 std::span<const std::size_t>) {
  topology_score_.clear();
  const core::Pod& pod = *info.pod;
  const bool incoming_prefers =
      !pod.pod_affinity.preferred.empty() || !pod.pod_anti_affinity.preferred.empty();
  if (!incoming_prefers && !others_have_terms(ctx)) return;
  auto process = [&](const core::Node& node, const core::PodAffinityTerm& term,
                     const std::string& owner_ns, const core::Pod& checked, std::int64_t weight) {
    if (node.meta.labels.empty()) return;
    const std::string* v = node_label(node, term.topology_key);
    if (v && core::affinity_term_matches(term, owner_ns, checked)) {
      topology_score_[term.topology_key][*v] += weight;
    }
  };
  const std::size_t n = ctx.view->nodes().size();
  for (std::size_t i = 0; i < n; ++i) {
    const core::Node& node = *ctx.node(i).node;
    ctx.for_each_pod(i, [&](const core::Pod& other) {
      const bool other_has_affinity =
          !other.pod_affinity.empty() || !other.pod_anti_affinity.empty();
      if (!incoming_prefers && !other_has_affinity) return;
      const std::string& ns = pod.meta.namespace_;
      const std::string& other_ns = other.meta.namespace_;
      for (const auto& w : pod.pod_affinity.preferred) process(node, w.term, ns, other, w.weight);
      for (const auto& w : pod.pod_anti_affinity.preferred) {
        process(node, w.term, ns, other, -w.weight);
      }
      if (hard_weight_ > 0) {
        for (const auto& t : other.pod_affinity.required) {
          process(node, t, other_ns, pod, hard_weight_);
        }
      }
      for (const auto& w : other.pod_affinity.preferred) {
        process(node, w.term, other_ns, pod, w.weight);
      }
      for (const auto& w : other.pod_anti_affinity.preferred) {
        process(node, w.term, other_ns, pod, -w.weight);
      }
    });
  }
}

std::int64_t InterPodAffinity::score(const CycleContext& ctx, const PodInfo&, std::size_t i) {
  const core::Node& node = *ctx.node(i).node;
  std::int64_t s = 0;
  for (const auto& [key, values] : topology_score_) {
    const std::string* v = node_label(node, key);
    if (!v) continue;
    auto it = values.find(*v);
    if (it != values.end()) s += it->second;
  }
  return s;
}

void InterPodAffinity::normalize(std::span<std::int64_t> scores) {
  if (topology_score_.empty()) return;  // every score is 0
  std::int64_t max = 0, min = 0;
  for (auto s : scores) {
    max = std::max(max, s);
    min = std::min(min, s);
  }
  const std::int64_t diff = max - min;
  for (auto& s : scores) {
    double f = 0;
    if (diff > 0) f = 100.0 * (static_cast<double>(s - min) / static_cast<double>(diff));
    s = static_cast<std::int64_t>(f);
  }
}

}  // namespace aqueduct::scheduler
