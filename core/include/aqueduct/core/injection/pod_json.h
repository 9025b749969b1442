// Pods as Kubernetes JSON, the form the admission webhook receives and
// returns. Injection works on the JSON itself so that every field of a user's
// pod survives (probes, ports, securityContext, ...), and reads the fields it
// decides on through the same checked parsers as the Fluid YAML loader.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/scheduling_terms.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

using Json = nlohmann::ordered_json;  // keeps the key order of the input

// The pod's metadata and spec as the model Pod (labels, volumes, containers,
// volume mounts, affinity, tolerations, restart policy). `source` names the
// input in errors ("pod.json", "AdmissionReview request.object"); errors name
// the field path and what was expected. Unknown fields are not errors.
Result<Pod> pod_model_from_json(const Json& pod, const std::string& source);

// The model Pod as a v1 Pod object, for the simulator, whose pods exist only
// as models: the fields the model holds, Kubernetes names and shapes.
Json pod_to_json(const Pod& pod);

// A pod spec's tolerations list (tolerationSeconds only where set).
Json tolerations_to_json(const std::vector<Toleration>& tolerations);

// A v1.NodeAffinity object (empty object when there is no affinity).
Json node_affinity_to_json(const NodeAffinity& na);

}  // namespace aqueduct::core
