// Fluid cache runtimes (AlluxioRuntime, JuiceFSRuntime, JindoRuntime, ...):
// engine, worker replicas, tiered store levels and the worker/fuse specs.
// A runtime binds to the Dataset of the same name and namespace, as in Fluid.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/object_meta.h"
#include "aqueduct/core/model/pod.h"

namespace aqueduct::core {

enum class RuntimeEngine {
  kAlluxio,
  kJuiceFs,
  kJindo,
  kGooseFs,
  kThin,
  kEfc,
  kVineyard,
  kAqueduct
};
const char* runtime_engine_name(RuntimeEngine e);  // "alluxio", "juicefs", ...
const char* runtime_kind_name(RuntimeEngine e);    // "AlluxioRuntime", ...

// One tieredstore level. Fluid writes high/low as strings of ratios ("0.95").
struct TierLevel {
  MediumType medium = MediumType::kMem;
  std::vector<std::string> paths;  // `path` is comma-separated in Fluid
  std::int64_t quota_bytes = 0;    // per worker (sum of quotaList if given)
  std::vector<std::int64_t> quota_list;
  double high = 0.95;       // start evicting above this fraction of quota
  double low = 0.7;         // evict down to this fraction
  std::string low_text;     // `low` as written ("" when not given): JuiceFS free-space-ratio
  std::string volume_type;  // hostPath (default), emptyDir, ...
};

// The parts of a component spec (worker, fuse, master) that we model.
struct ComponentSpec {
  std::string image;
  std::string image_tag;
  std::string image_pull_policy;
  Resources requests;
  Resources limits;
  std::vector<EnvVar> env;
  std::vector<std::string> args;
  std::vector<std::string> command;  // the container's command (ThinRuntime and its profile)
  std::map<std::string, std::string> node_selector;
  std::map<std::string, std::string> properties;
  std::map<std::string, std::string> options;  // engine mount options (JuiceFS: -o k=v)
  bool disabled = false;
  std::string clean_policy;   // fuse.cleanPolicy
  std::string network_mode;   // the component's networkMode ("" = the runtime's)
  std::int32_t replicas = 0;  // master.replicas (Jindo: 3 = a raft group); 0 = the default
};

// Fluid's ThinRuntimeProfile (cluster-scoped): what a class of storage systems
// runs as FUSE client, which ThinRuntimes name by spec.profileName. A
// runtime's own fields win over the profile's (see ThinRuntime rendering).
struct ThinRuntimeProfile {
  ObjectMeta meta;
  std::string file_system_type;  // the FUSE mount's type ("fuse", "fuse.s3fs"): required
  ComponentSpec fuse;
  ComponentSpec worker;
};

struct Runtime {
  ObjectMeta meta;
  RuntimeEngine engine = RuntimeEngine::kAlluxio;
  std::int32_t replicas = 1;
  std::vector<TierLevel> tiers;  // fastest first after loading
  ComponentSpec master;
  ComponentSpec worker;
  ComponentSpec fuse;
  // The engine's image (JindoRuntime spec.jindoVersion: image, imageTag, imagePullPolicy).
  ComponentSpec version;
  std::map<std::string, std::string> properties;
  std::string network_mode;          // HostNetwork (default) or ContainerNetwork
  std::vector<std::string> configs;  // JuiceFS spec.configs: extra `juicefs format` flags
  // ThinRuntime: spec.profileName, and the profile it names once the objects
  // around it are known (FluidObjects::resolve_profiles).
  std::string profile_name;
  std::optional<ThinRuntimeProfile> thin_profile;
  // Total cache quota of one worker over all levels.
  std::int64_t worker_quota_bytes() const;
};

}  // namespace aqueduct::core
