// The FUSE client container of a cache runtime, as injected into serverless
// pods: rendered per (Dataset, Runtime) by runtime-adapters/<engine>/ and
// consumed by the FuseSidecar mutation. Kept as Kubernetes JSON so every field
// of the container the engine needs (env, ports, probes, security context)
// reaches the pod unchanged.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aqueduct/core/model/node.h"

namespace aqueduct::core {

struct FuseTemplate {
  // "juicefs", "alluxio", "jindo", "thin": names the check-mount ConfigMap
  // ("<fs_type>-check-mount") and is the mount type the post-start check greps for.
  std::string fs_type;
  // The mount's type as the kernel lists it, when it is not fs_type (Thin:
  // the profile's fileSystemType, "fuse" or "fuse.s3fs"): what the check greps for.
  std::string mount_type;
  nlohmann::ordered_json container;             // a v1.Container; its name is replaced on injection
  std::vector<nlohmann::ordered_json> volumes;  // the v1.Volumes its volumeMounts name
  // Where the FUSE mount appears on the node: /runtime-mnt/<engine>/<ns>/<dataset>/<engine>-fuse.
  // The app's dataset volume becomes a hostPath to it.
  std::string host_mount_path;
  // The directory the mount check watches inside the sidecar (the parent of the mount point).
  std::string container_mount_path;
  std::string sub_path;      // the Dataset's sub path inside the mount, if any
  std::vector<Arch> arches;  // arches the sidecar image runs on
};

}  // namespace aqueduct::core
