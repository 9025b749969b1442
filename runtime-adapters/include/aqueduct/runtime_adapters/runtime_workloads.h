// What a cache runtime runs on the cluster, rendered per (Dataset, Runtime)
// as Fluid's runtime controllers do: the engine's master StatefulSet (engines
// that have one), its cache workers as a StatefulSet (replicas =
// spec.replicas, one per node, the tiered-store paths as hostPath volumes),
// and the FUSE client as a DaemonSet made lazy by the node selector
// fluid.io/f-<ns>-<dataset>=true (it runs only where a pod uses the dataset).
// The runtime's network mode is honoured (HostNetwork by default, or
// ContainerNetwork as Fluid 0.8 added); the workers' cache folders are
// mounted into the FUSE pods at the same paths, so a FUSE client reads a
// co-located worker's blocks from its files in either mode (short-circuit).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters {

struct RuntimeWorkloads {
  std::optional<nlohmann::ordered_json> master;  // a StatefulSet
  // The headless Services naming each master pod (Alluxio: <rt>-master-0;
  // Jindo: <rt>-jindofs-master-<i>), so "<pod>.<ns>" resolves for workers
  // and FUSE clients.
  std::vector<nlohmann::ordered_json> master_services;
  std::optional<nlohmann::ordered_json> worker;  // a StatefulSet (absent: the engine has none)
  // A headless Service naming each worker pod (Aqueduct's engine: the FUSE
  // clients reach workers as <rt>-worker-<i>.<rt>-worker.<ns>.svc).
  std::optional<nlohmann::ordered_json> worker_service;
  // Aqueduct's engine: the Secret holding the workers' shared token, without
  // its data (the controller creates it once with a random token and leaves
  // an existing one alone; docs/data-plane.md).
  std::optional<nlohmann::ordered_json> worker_token_secret;
  // The names the workers' mutual-TLS certificate must carry (the controller
  // issues it into the same Secret: ca.crt, tls.crt, tls.key).
  std::vector<std::string> worker_tls_names;
  nlohmann::ordered_json fuse;  // a DaemonSet
  // ConfigMaps the pods mount, owned by the runtime (JuiceFS: the FUSE and
  // worker scripts that format the volume and mount it). The controller keeps
  // their data as rendered.
  std::vector<nlohmann::ordered_json> config_maps;
  // The worker pods' label selector ("k=v,k=v"): the runtime's status.selector,
  // which the scale subresource exposes so an HPA can target the runtime.
  std::string worker_selector;
};

// `kind` and `uid` name the runtime object for owner references.
core::Result<RuntimeWorkloads> render_runtime_workloads(const core::Dataset& ds,
                                                        const core::Runtime& rt,
                                                        const std::string& kind,
                                                        const std::string& uid);

}  // namespace aqueduct::runtime_adapters
