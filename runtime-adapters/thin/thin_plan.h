// What a ThinRuntime runs, with Fluid's Thin engine semantics: the FUSE
// client its ThinRuntimeProfile describes, with the runtime's own fuse fields
// winning (image, command, args, node selector, network mode, resources each
// replace the profile's; env is the profile's then the runtime's; mount
// options are "ro" for a ReadOnlyMany dataset, then the profile's, then the
// runtime's). The client learns what to mount from /etc/fluid/config/config.json
// (the ConfigMap "<runtime>-fuse-conf"): the Dataset's mounts with every
// encryptOption replaced by the path of its Secret's file under
// /etc/fluid/secrets/<secret>/<key> (the secret itself never enters the
// ConfigMap; it wins over a plain option of that name), the target path, the runtime's options and
// the access modes. Private to runtime-adapters.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters::thin {

inline constexpr const char* kConfigDir = "/etc/fluid/config";
inline constexpr const char* kSecretsDir = "/etc/fluid/secrets";

struct Plan {
  core::Runtime effective;       // the runtime with its profile's fuse fields filled in
  std::string file_system_type;  // the mount type the FUSE client makes ("fuse" without a profile)
  bool host_network = true;      // the FUSE pods' network
  std::string mount_options;     // MOUNT_OPTIONS: "k=v,k" sorted by key ("" = none)
  std::string config_json;       // config.json, one line
  nlohmann::ordered_json secret_volumes = nlohmann::ordered_json::array();  // v1.Volume per Secret
  nlohmann::ordered_json secret_mounts = nlohmann::ordered_json::array();   // their volumeMounts
  // The mounts' `fluid.fuse.hostvolume` options ("/host[:/in-pod]"): host
  // folders the client reads, read-only for a ReadOnlyMany dataset.
  nlohmann::ordered_json host_volumes = nlohmann::ordered_json::array();
  nlohmann::ordered_json host_mounts = nlohmann::ordered_json::array();
};

// Errors name the field: a profile named but not loaded, no FUSE image from
// either, a host volume that is not absolute or mounted twice at one path.
core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt);

// "<runtime>-fuse-conf": the ConfigMap holding config.json.
std::string config_map_name(const core::Runtime& rt);

}  // namespace aqueduct::runtime_adapters::thin
