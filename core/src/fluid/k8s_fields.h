// Parsers for the Kubernetes vocabulary shared by Fluid and workload objects.
#pragma once

#include "aqueduct/core/model/object_meta.h"
#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/scheduling_terms.h"
#include "aqueduct/core/yaml/yaml_reader.h"

namespace aqueduct::core::fluid_internal {

ObjectMeta parse_meta(YamlCursor& obj, bool name_required = true);
// The requirement list at `key`: node selector requirements (In, NotIn,
// Exists, DoesNotExist, Gt, Lt) or, with label_selector, a label selector's
// (no Gt/Lt); values checked per operator.
std::vector<NodeSelectorRequirement> parse_requirements(YamlCursor& parent, std::string_view key,
                                                        bool label_selector);
// A v1.NodeSelector ({nodeSelectorTerms: [...]}) into `out.required`.
void parse_node_selector(YamlCursor& sel, NodeAffinity& out);
// A v1.NodeAffinity (required... and preferred...).
NodeAffinity parse_node_affinity(YamlCursor& na);
// The tolerations list at `key`.
std::vector<Toleration> parse_tolerations(YamlCursor& parent, std::string_view key);
// requests/limits of a v1.ResourceRequirements.
void parse_resources(YamlCursor& res, Resources& requests, Resources& limits);
std::vector<EnvVar> parse_env(YamlCursor& parent, std::string_view key);
Container parse_container(YamlCursor& c);
// The metav1.LabelSelector at `key`; std::nullopt when absent or null.
std::optional<LabelSelector> parse_label_selector(YamlCursor& parent, std::string_view key);
// affinity.podAffinity and affinity.podAntiAffinity into `pod`.
void parse_pod_affinities(YamlCursor& affinity, Pod& pod);
// spec.topologySpreadConstraints.
std::vector<TopologySpreadConstraint> parse_topology_spread(YamlCursor& spec);
// A v1.PodSpec into `pod` (metadata is set by the caller).
void parse_pod_spec(YamlCursor& spec, Pod& pod);

}  // namespace aqueduct::core::fluid_internal
