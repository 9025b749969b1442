// The FuseSidecar mutation (private to injection): one sidecar per mounted
// dataset, built from the runtime's FuseTemplate. See docs/injection.md.
#pragma once

#include <string>
#include <vector>

#include "aqueduct/core/injection/pod_injection.h"

namespace aqueduct::core::injection_internal {

struct SidecarFlags {
  bool unprivileged = false;
  bool keep_cache_dirs = false;  // cachedir.sidecar.fluid.io/inject=true
  bool post_start = true;        // poststart.sidecar.fluid.io/inject!=false
  SidecarMode mode = SidecarMode::kContainer;
  // random-suffix mode: "<pod>/<16 hex>", inserted in the host mount paths.
  std::string unique_host_dir;
};

// Mutates `pod` (JSON) for dataset number `index` (name suffix "-<index>").
// Returns whether a sidecar container was added.
Result<bool> inject_fuse_sidecar(Json& pod, const std::string& claim, const DatasetBinding& ds,
                                 int index, const SidecarFlags& flags);

// The templates' sidecar volumes/mounts with Fluid's well-known names.
bool has_any_prefix(const std::string& name, const std::vector<std::string>& prefixes);

}  // namespace aqueduct::core::injection_internal
