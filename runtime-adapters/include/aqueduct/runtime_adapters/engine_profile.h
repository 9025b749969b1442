// Performance and packaging profile of each cache engine, used by the
// simulator: default block size, which CPU arches its published images run
// on, and per-request metadata latency. Renderers for live manifests join
// this folder with the Kubernetes issue.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/time.h"

namespace aqueduct::runtime_adapters {

struct EngineProfile {
  core::RuntimeEngine engine;
  std::int64_t block_size;          // bytes per cache block
  std::vector<core::Arch> arches;   // arches its worker/fuse images support
  core::Duration metadata_latency;  // added to each block request served by the engine
  std::string_view notes;
};

const EngineProfile& engine_profile(core::RuntimeEngine engine);
bool engine_supports(core::RuntimeEngine engine, core::Arch arch);

}  // namespace aqueduct::runtime_adapters
