// Pieces every engine's FUSE template shares: the mount paths under
// /runtime-mnt, the container's image, env and resources from the runtime's
// `fuse` spec, and volume helpers. Private to runtime-adapters.
#pragma once

#include <string>

#include "aqueduct/core/injection/fuse_template.h"
#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"

namespace aqueduct::runtime_adapters::fuse_common {

using Json = nlohmann::ordered_json;

// /runtime-mnt/<engine>/<ns>/<dataset>: the directory holding the mount point.
std::string mount_root(const std::string& engine, const core::Dataset& ds);
// <mount_root>/<engine>-fuse (Jindo: jindofs-fuse): the mount point itself.
std::string mount_point(const std::string& engine, const core::Dataset& ds);

// "image:tag" from the runtime's fuse spec, or the engine default.
std::string fuse_image(const core::Runtime& rt, const std::string& default_image);
// Env entries as a pod spec writes them (values, or secret/ConfigMap references).
Json env_vars(const std::vector<core::EnvVar>& env);
// A v1.EnvVar list: `base` then the runtime's fuse env (secret references kept as references).
Json env_list(const std::vector<std::pair<std::string, std::string>>& base,
              const core::Runtime& rt);
// The fuse spec's requests/limits as a v1.ResourceRequirements.
Json resources(const core::Runtime& rt);
Json host_path_volume(const std::string& name, const std::string& path, const std::string& type);
Json privileged_context();
// A secretKeyRef EnvVar from the Dataset's encryptOptions entry `option`, or null.
Json secret_env(const core::Dataset& ds, const std::string& env_name, const std::string& option);
// The container every engine's FUSE client runs as: `image`, the runtime's
// pull policy and resources, privileged with SYS_ADMIN, `pre_stop` (a command)
// on preStop. A null `command` or `args` is left out (the image's own).
Json fuse_container(const std::string& name, const std::string& image, const core::Runtime& rt,
                    Json command, Json args, Json env, Json pre_stop, Json mounts);
// Fills the fields every engine sets the same way; the engine adds the rest.
core::FuseTemplate base_template(const std::string& engine, const core::Dataset& ds,
                                 const core::Runtime& rt);

}  // namespace aqueduct::runtime_adapters::fuse_common
