#include "aqueduct/core/scheduling/pod_matching.h"

#include <algorithm>

#include "aqueduct/core/scheduling/node_matching.h"

namespace aqueduct::core {

bool selector_matches(const std::optional<LabelSelector>& selector,
                      const std::map<std::string, std::string>& labels) {
  if (!selector) return false;
  for (const auto& [k, v] : selector->match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : selector->match_expressions) {
    if (!requirement_matches(r, labels)) return false;
  }
  return true;
}

bool affinity_term_matches(const PodAffinityTerm& term, const std::string& owner_namespace,
                           const Pod& pod) {
  const auto& ns = pod.meta.namespace_;
  if (term.namespaces.empty()) {
    if (ns != owner_namespace) return false;
  } else if (std::find(term.namespaces.begin(), term.namespaces.end(), ns) ==
             term.namespaces.end()) {
    return false;
  }
  return selector_matches(term.selector, pod.meta.labels);
}

bool has_pod_scheduling_terms(const Pod& pod) {
  return !pod.pod_affinity.empty() || !pod.pod_anti_affinity.empty() ||
         !pod.topology_spread.empty();
}

}  // namespace aqueduct::core
