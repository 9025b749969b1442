#include "aqueduct/core/scheduling/node_matching.h"

#include <charconv>

namespace aqueduct::core {
namespace {

bool parse_int(const std::string& s, std::int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool value_matches(const NodeSelectorRequirement& r, const std::string* value) {
  switch (r.op) {
    case SelectorOp::kExists:
      return value != nullptr;
    case SelectorOp::kDoesNotExist:
      return value == nullptr;
    case SelectorOp::kIn:
      if (!value) return false;
      for (const auto& v : r.values) {
        if (v == *value) return true;
      }
      return false;
    case SelectorOp::kNotIn:
      if (!value) return true;  // Kubernetes: NotIn matches when the label is absent
      for (const auto& v : r.values) {
        if (v == *value) return false;
      }
      return true;
    case SelectorOp::kGt:
    case SelectorOp::kLt: {
      if (!value || r.values.size() != 1) return false;
      std::int64_t have = 0, want = 0;
      if (!parse_int(*value, &have) || !parse_int(r.values[0], &want)) return false;
      return r.op == SelectorOp::kGt ? have > want : have < want;
    }
  }
  return false;
}

}  // namespace

bool requirement_matches(const NodeSelectorRequirement& r,
                         const std::map<std::string, std::string>& labels) {
  auto it = labels.find(r.key);
  return value_matches(r, it == labels.end() ? nullptr : &it->second);
}

bool field_requirement_matches(const NodeSelectorRequirement& r, const Node& node) {
  if (r.key != "metadata.name") return false;
  return value_matches(r, &node.meta.name);
}

bool term_matches(const NodeSelectorTerm& t, const Node& node) {
  if (t.empty()) return false;  // an empty term selects no node
  for (const auto& r : t.match_expressions) {
    if (!requirement_matches(r, node.meta.labels)) return false;
  }
  for (const auto& r : t.match_fields) {
    if (!field_requirement_matches(r, node)) return false;
  }
  return true;
}

bool pod_node_selection_matches(const Pod& pod, const Node& node) {
  for (const auto& [k, v] : pod.node_selector) {
    auto it = node.meta.labels.find(k);
    if (it == node.meta.labels.end() || it->second != v) return false;
  }
  if (!pod.node_affinity.has_required) return true;
  for (const auto& t : pod.node_affinity.required) {
    if (term_matches(t, node)) return true;
  }
  return false;
}

std::int64_t preferred_affinity_score(const NodeAffinity& a, const Node& node) {
  std::int64_t s = 0;
  for (const auto& p : a.preferred) {
    if (p.weight != 0 && term_matches(p.preference, node)) s += p.weight;
  }
  return s;
}

bool toleration_matches(const Toleration& tol, const Taint& taint) {
  if (!tol.effect.empty() && tol.effect != taint_effect_name(taint.effect)) return false;
  if (tol.key.empty()) return tol.op == "Exists";
  if (tol.key != taint.key) return false;
  if (tol.op == "Exists") return true;
  return tol.value == taint.value;  // Equal (the default)
}

const Taint* first_untolerated_taint(std::span<const Taint> taints,
                                     std::span<const Toleration> tolerations,
                                     bool include_prefer_no_schedule) {
  for (const auto& t : taints) {
    if (t.effect == TaintEffect::kPreferNoSchedule && !include_prefer_no_schedule) continue;
    bool ok = false;
    for (const auto& tol : tolerations) {
      if (toleration_matches(tol, t)) {
        ok = true;
        break;
      }
    }
    if (!ok) return &t;
  }
  return nullptr;
}

int untolerated_prefer_no_schedule(std::span<const Taint> taints,
                                   std::span<const Toleration> tolerations) {
  int n = 0;
  for (const auto& t : taints) {
    if (t.effect != TaintEffect::kPreferNoSchedule) continue;
    bool ok = false;
    for (const auto& tol : tolerations) {
      // kube's score only counts tolerations whose effect is PreferNoSchedule or empty.
      if ((tol.effect.empty() || tol.effect == "PreferNoSchedule") && toleration_matches(tol, t))
        ok = true;
    }
    n += !ok;
  }
  return n;
}

}  // namespace aqueduct::core
