// Pieces every engine's cache workloads share: owner references to the
// runtime, Fluid's labels, a StatefulSet around a pod spec, resource lists.
// Private to runtime-adapters.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"

namespace aqueduct::runtime_adapters::workload_common {

using Json = nlohmann::ordered_json;

// Pods on the host network still resolve cluster names (the workers'
// headless Service) through the cluster DNS, as Fluid's charts set it.
inline constexpr const char* kHostNetworkDns = "ClusterFirstWithHostNet";

// The runtime as the controlling owner (`kind` and `uid` name it).
Json owner(const core::Runtime& rt, const std::string& kind, const std::string& uid);
// app=<engine>, role=<engine>-<role>, release=<dataset>, fluid.io/dataset-id.
Json labels(const std::string& engine, const std::string& role, const core::Dataset& ds);
// An object's metadata in the dataset's namespace, owned by the runtime.
Json owned_meta(const std::string& name, const core::Dataset& ds, const Json& lbls,
                const Json& owners);
// A Parallel StatefulSet named `name` whose headless service is `name`.
Json stateful_set(const std::string& name, const core::Dataset& ds, const Json& lbls,
                  const Json& owners, std::int32_t replicas, Json pod_spec);
// requests/limits as Kubernetes quantities.
Json quantity_map(const core::Resources& r);
// A headless Service naming the StatefulSet pod `pod` (its name is the
// pod's), so "<pod>.<ns>" resolves to it, ready or not.
Json pod_service(const std::string& pod, const core::Dataset& ds, const Json& lbls,
                 const Json& owners, Json ports);
// Fluid's placement of cache workers (its BuildWorkersAffinity and the
// charts' labels), on a worker StatefulSet:
//  - pod labels fluid.io/dataset=<ns>-<name> and fluid.io/dataset-placement;
//  - Exclusive: no other pod of any dataset on the node (required
//    anti-affinity to pods with a fluid.io/dataset label, by hostname);
//    Shared: no Exclusive dataset's pod on the node (required) and, weight
//    50, preferably no other dataset's pod;
//  - preferably (weight 100) nodes running the dataset's FUSE
//    (fluid.io/f-<ns>-<name>=true);
//  - the dataset's required nodeAffinity, and its tolerations (without
//    tolerationSeconds, as Fluid clears it).
void apply_fluid_worker_placement(Json& stateful_set, const core::Dataset& ds);
// The dataset's tolerations as a pod spec's, tolerationSeconds cleared.
Json dataset_tolerations(const core::Dataset& ds);
// A ConfigMap owned by the runtime.
Json config_map(const std::string& name, const core::Dataset& ds, const Json& lbls,
                const Json& owners, Json data);

}  // namespace aqueduct::runtime_adapters::workload_common
