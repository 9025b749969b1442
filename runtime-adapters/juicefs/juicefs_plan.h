// What a JuiceFS runtime runs, worked out once for its FUSE DaemonSet (or
// sidecar) and its workers, with Fluid's JuiceFS engine semantics:
//  - the edition: community when the dataset gives a `metaurl` secret,
//    enterprise otherwise (`token`);
//  - the volume is formatted (community: `juicefs format ${METAURL} NAME`
//    with `storage`, `bucket`, the keys and the dataset's options) or
//    authenticated (enterprise: `juicefs auth NAME --token=${TOKEN}`) by a
//    script the pod runs from a ConfigMap before it mounts;
//  - mount options from the dataset's options, the mount point's sub path
//    (`subdir`), the first tier level (`cache-dir`, `cache-size` in MiB,
//    `low` as `free-space-ratio`), read-only defaults for ReadOnlyMany, and
//    the runtime's fuse/worker options last; enterprise clients share a
//    cache group, the FUSE without sharing its own cache;
//  - secrets only as secretKeyRef env (METAURL, TOKEN, ACCESS_KEY,
//    SECRET_KEY, and any other encryptOption as NAME_WITH_UNDERSCORES).
// Private to runtime-adapters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters::juicefs {

struct Plan {
  bool community = true;
  std::string name;            // the JuiceFS volume (the dataset mount's name)
  std::string image;           // engine image for workers and FUSE
  nlohmann::ordered_json env;  // JFS_FOREGROUND and the secret references
  std::string format_cmd;      // community format / enterprise auth ("" : none)
  std::string quota_cmd;       // `juicefs quota set` for a sub path with a quota
  std::map<std::string, std::string> fuse_options, worker_options;
  std::string fuse_cmd, worker_cmd;     // `exec mount.juicefs ...`
  std::vector<std::string> cache_dirs;  // host folders the clients cache in
  // The scripts the pods run (`sh /root/script/script.sh`), from ConfigMaps
  // <runtime>-fuse-script and <runtime>-worker-script.
  std::string fuse_script() const;
  std::string worker_script() const;

 private:
  std::string prepare_lines() const;
};

inline constexpr const char* kScriptDir = "/root/script";
std::string fuse_script_config_map(const core::Runtime& rt);    // "<rt>-fuse-script"
std::string worker_script_config_map(const core::Runtime& rt);  // "<rt>-worker-script"

// Errors name the dataset or runtime field (an encryptOption whose name cannot be an env variable,
// a quota without a sub path, neither metaurl nor token).
core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt);

// `s` as one shell word: unchanged when it holds only safe characters,
// otherwise single-quoted.
std::string shell_word(const std::string& s);

}  // namespace aqueduct::runtime_adapters::juicefs
