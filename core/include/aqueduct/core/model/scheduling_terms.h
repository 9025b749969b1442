// Kubernetes node-selection vocabulary: node selector requirements, node
// affinity (required terms ORed, expressions ANDed; preferred terms weighted),
// taints and tolerations, and the pod-to-pod vocabulary (label selectors, pod
// affinity and anti-affinity terms, topology spread constraints). Shared by
// pods, datasets and runtimes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aqueduct::core {

enum class SelectorOp { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };
const char* selector_op_name(SelectorOp op);

struct NodeSelectorRequirement {
  std::string key;
  SelectorOp op = SelectorOp::kIn;
  std::vector<std::string> values;
};

// One term: its matchExpressions (on labels) and matchFields (on metadata.name), ANDed.
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  std::vector<NodeSelectorRequirement> match_fields;
  bool empty() const { return match_expressions.empty() && match_fields.empty(); }
};

struct PreferredSchedulingTerm {
  std::int32_t weight = 0;  // 1..100
  NodeSelectorTerm preference;
};

struct NodeAffinity {
  // requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms (ORed).
  // `has_required` distinguishes "no requirement" from "an empty list".
  bool has_required = false;
  std::vector<NodeSelectorTerm> required;
  std::vector<PreferredSchedulingTerm> preferred;
};

enum class TaintEffect { kNoSchedule, kPreferNoSchedule, kNoExecute };
const char* taint_effect_name(TaintEffect e);

struct Taint {
  std::string key;
  std::string value;
  TaintEffect effect = TaintEffect::kNoSchedule;
};

struct Toleration {
  std::string key;           // empty with Exists: tolerates everything
  std::string op = "Equal";  // "Equal" or "Exists"
  std::string value;
  std::string effect;                    // empty: all effects
  std::int64_t toleration_seconds = -1;  // -1: unset
};

// A metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn,
// Exists, DoesNotExist), ANDed. An empty selector matches every pod; a
// selector that is absent (std::nullopt where one is optional) matches none,
// as Kubernetes' LabelSelectorAsSelector(nil) does.
struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<NodeSelectorRequirement> match_expressions;
};

// One podAffinityTerm: pods matching `selector` in `namespaces` (empty: the
// namespace of the pod that holds the term) that run in the same domain of
// `topology_key` (nodes with equal values of that label).
struct PodAffinityTerm {
  std::optional<LabelSelector> selector;
  std::vector<std::string> namespaces;
  std::string topology_key;
};

struct WeightedPodAffinityTerm {
  std::int32_t weight = 0;  // 1..100
  PodAffinityTerm term;
};

// podAffinity or podAntiAffinity: required terms (ANDed) and preferred ones.
struct PodAffinity {
  std::vector<PodAffinityTerm> required;
  std::vector<WeightedPodAffinityTerm> preferred;
  bool empty() const { return required.empty() && preferred.empty(); }
};

// One topologySpreadConstraint.
struct TopologySpreadConstraint {
  std::int32_t max_skew = 1;
  std::string topology_key;
  bool do_not_schedule = true;  // whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway)
  std::optional<LabelSelector> selector;
};

}  // namespace aqueduct::core
