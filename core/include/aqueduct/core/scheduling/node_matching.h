// Kubernetes node-selection semantics as pure functions on the model, shared by
// the scheduler plugins, the webhook and the simulator:
//  - a NodeSelectorTerm matches when all its expressions and fields match (AND);
//  - required node affinity matches when any term matches (OR); an empty term
//    list matches nothing (Kubernetes: "nodeSelectorTerms: []" is unsatisfiable);
//  - preferred terms add their weight when they match;
//  - Gt/Lt compare the label value as an integer (a non-integer never matches);
//  - a toleration matches a taint by key (empty key + Exists: every key),
//    operator Equal (value equal) or Exists, and effect (empty: every effect).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/scheduling_terms.h"

namespace aqueduct::core {

bool requirement_matches(const NodeSelectorRequirement& r,
                         const std::map<std::string, std::string>& labels);
// matchFields supports metadata.name, as Kubernetes does.
bool field_requirement_matches(const NodeSelectorRequirement& r, const Node& node);
bool term_matches(const NodeSelectorTerm& t, const Node& node);
// Required node affinity (has_required) plus nodeSelector: both must hold.
bool pod_node_selection_matches(const Pod& pod, const Node& node);
// Sum of weights of the preferred terms that match.
std::int64_t preferred_affinity_score(const NodeAffinity& a, const Node& node);

bool toleration_matches(const Toleration& tol, const Taint& taint);
// The first taint with one of the given effects that no toleration matches, or nullptr.
const Taint* first_untolerated_taint(std::span<const Taint> taints,
                                     std::span<const Toleration> tolerations,
                                     bool include_prefer_no_schedule);
// How many PreferNoSchedule taints are not tolerated (kube's TaintToleration score input).
int untolerated_prefer_no_schedule(std::span<const Taint> taints,
                                   std::span<const Toleration> tolerations);

// Virtual-kubelet (serverless ECI) nodes carry this taint; pods must tolerate it.
inline constexpr const char* kVirtualKubeletTaintKey = "virtual-kubelet.io/provider";

}  // namespace aqueduct::core
