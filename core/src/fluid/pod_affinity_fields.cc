// Parsers for affinity.podAffinity / podAntiAffinity and
// topologySpreadConstraints, validated as the apiserver validates them.
#include <cstdint>
#include <set>
#include <utility>

#include "k8s_fields.h"

namespace aqueduct::core::fluid_internal {
namespace {

PodAffinityTerm parse_affinity_term(YamlCursor& t) {
  PodAffinityTerm term;
  if (!t.expect_map("a pod affinity term")) return term;
  term.selector = parse_label_selector(t, "labelSelector");
  term.namespaces = t.string_list("namespaces");
  term.topology_key = t.str("topologyKey", true).value_or("");
  if (t.has("topologyKey") && term.topology_key.empty()) {
    t.error(t.field_path("topologyKey"), "must not be empty");
  }
  t.finish_unknown("PodAffinityTerm");
  return term;
}

PodAffinity parse_pod_affinity(YamlCursor& a, std::string_view type) {
  PodAffinity out;
  if (!a.expect_map("a pod affinity")) return out;
  a.each("requiredDuringSchedulingIgnoredDuringExecution",
         [&](YamlCursor& t) { out.required.push_back(parse_affinity_term(t)); });
  a.each("preferredDuringSchedulingIgnoredDuringExecution", [&](YamlCursor& p) {
    if (!p.expect_map("a weighted pod affinity term")) return;
    WeightedPodAffinityTerm w;
    w.weight = static_cast<std::int32_t>(p.integer("weight", true, 1, 100).value_or(0));
    if (auto t = p.child("podAffinityTerm", true)) w.term = parse_affinity_term(*t);
    p.finish_unknown("WeightedPodAffinityTerm");
    out.preferred.push_back(std::move(w));
  });
  a.finish_unknown(type);
  return out;
}

}  // namespace

std::optional<LabelSelector> parse_label_selector(YamlCursor& parent, std::string_view key) {
  auto sel = parent.child(key);
  if (!sel || sel->node().IsNull()) return std::nullopt;
  LabelSelector out;
  if (!sel->expect_map("a label selector")) return out;
  out.match_labels = sel->string_map("matchLabels");
  out.match_expressions = parse_requirements(*sel, "matchExpressions", true);
  sel->finish_unknown("LabelSelector");
  return out;
}

void parse_pod_affinities(YamlCursor& affinity, Pod& pod) {
  if (auto a = affinity.child("podAffinity"))
    pod.pod_affinity = parse_pod_affinity(*a, "PodAffinity");
  if (auto a = affinity.child("podAntiAffinity")) {
    pod.pod_anti_affinity = parse_pod_affinity(*a, "PodAntiAffinity");
  }
}

std::vector<TopologySpreadConstraint> parse_topology_spread(YamlCursor& spec) {
  std::vector<TopologySpreadConstraint> out;
  std::set<std::pair<std::string, bool>> seen;
  spec.each("topologySpreadConstraints", [&](YamlCursor& c) {
    if (!c.expect_map("a topology spread constraint")) return;
    TopologySpreadConstraint tsc;
    auto skew = c.integer("maxSkew", true);
    if (skew && *skew <= 0) {
      c.error(c.field_path("maxSkew"), "must be greater than zero, got " + std::to_string(*skew));
    } else if (skew && *skew > INT32_MAX) {
      c.error(c.field_path("maxSkew"), "must fit in 32 bits");
    } else if (skew) {
      tsc.max_skew = static_cast<std::int32_t>(*skew);
    }
    tsc.topology_key = c.str("topologyKey", true).value_or("");
    if (c.has("topologyKey") && tsc.topology_key.empty()) {
      c.error(c.field_path("topologyKey"), "must not be empty");
    }
    auto when = c.one_of("whenUnsatisfiable", {"DoNotSchedule", "ScheduleAnyway"}, true);
    tsc.do_not_schedule = !when || *when == "DoNotSchedule";
    tsc.selector = parse_label_selector(c, "labelSelector");
    c.accept({"minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy", "matchLabelKeys"});
    c.finish_unknown("TopologySpreadConstraint");
    if (when && !tsc.topology_key.empty() &&
        !seen.emplace(tsc.topology_key, tsc.do_not_schedule).second) {
      c.error(c.field_path("topologyKey"), "duplicate {topologyKey \"" + tsc.topology_key +
                                               "\", whenUnsatisfiable " + *when + "}");
    }
    out.push_back(std::move(tsc));
  });
  return out;
}

}  // namespace aqueduct::core::fluid_internal
