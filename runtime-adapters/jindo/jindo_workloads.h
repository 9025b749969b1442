// The JindoCache master(s), their Services, the cache workers and the
// <rt>-jindofs-config ConfigMap, as Fluid's jindocache chart lays them out
// (jindo_plan.h holds the configuration). The FUSE DaemonSet is assembled
// from the FUSE template like every engine's. Private to runtime-adapters.
#pragma once

#include <string>

#include "aqueduct/runtime_adapters/runtime_workloads.h"

namespace aqueduct::runtime_adapters::jindo {

// Fills out.master, out.master_services, out.worker, out.config_maps and
// out.worker_selector; `owners` are the runtime's owner references.
core::Status render_cache(const core::Dataset& ds, const core::Runtime& rt,
                          const nlohmann::ordered_json& owners, RuntimeWorkloads& out);

}  // namespace aqueduct::runtime_adapters::jindo
