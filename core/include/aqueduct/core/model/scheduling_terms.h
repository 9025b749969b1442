// Kubernetes node-selection vocabulary: node selector requirements, node
// affinity (required terms ORed, expressions ANDed; preferred terms weighted),
// taints and tolerations. Shared by pods, datasets and runtimes.
#pragma once

#include <cstdint>
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

}  // namespace aqueduct::core
