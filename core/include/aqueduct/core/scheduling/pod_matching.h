// Kubernetes pod-to-pod selection semantics as pure functions on the model,
// for the InterPodAffinity and PodTopologySpread plugins:
//  - a label selector matches when every matchLabels pair and every
//    matchExpression holds (In, NotIn, Exists, DoesNotExist; NotIn holds when
//    the label is absent); an empty selector matches every pod, an absent one
//    none;
//  - an affinity term matches a pod in one of its namespaces (empty list: the
//    namespace of the pod holding the term) whose labels match its selector.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/scheduling_terms.h"

namespace aqueduct::core {

bool selector_matches(const std::optional<LabelSelector>& selector,
                      const std::map<std::string, std::string>& labels);

// Does `pod` match `term`, a term held by a pod of namespace `owner_namespace`?
bool affinity_term_matches(const PodAffinityTerm& term, const std::string& owner_namespace,
                           const Pod& pod);

// Does the pod set any pod affinity, anti-affinity or spread constraint?
bool has_pod_scheduling_terms(const Pod& pod);

}  // namespace aqueduct::core
