// What an Alluxio runtime runs, with Fluid's Alluxio engine semantics:
//  - one master, reached at <runtime>-master-0.<ns> through a headless
//    Service of that name (its rpc, web and job ports), as Fluid's chart
//    names it, so the workers' and FUSE's master address resolves;
//  - the under-storage: a single mount at path "/" is the namespace root
//    (alluxio.master.mount.table.root.ufs, its options as
//    ...root.option.<k>); otherwise the root is local and every mount is
//    mounted at its path (default /<name>) by a container beside the master
//    once the master answers (`alluxio fs mount`, skipped if mounted);
//  - the workers' tiered store as alluxio.worker.tieredstore.* properties
//    (each path under <path>/<ns>/<runtime>, quotas in Alluxio's units,
//    watermarks from high/low);
//  - secrets (encryptOptions) never read: each becomes an env variable from
//    its Secret, listed before the Java options, which refer to it as
//    $(ENV) for Kubernetes to expand (the mount script as ${ENV}).
// Private to runtime-adapters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters::alluxio {

inline constexpr int kMasterRpcPort = 19998;

struct Plan {
  std::string master_host;                        // "<rt>-master-0.<ns>"
  std::map<std::string, std::string> properties;  // for every component (ALLUXIO_JAVA_OPTS)
  nlohmann::ordered_json secret_env;  // env from the encryptOptions' Secrets: list them first
  std::string mount_script;                       // "" : no mounts beside the root
  // "-Dk=v ..." sorted by key.
  std::string java_opts() const;
};

core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt);

// "4Gi" -> "4GB", Alluxio's (binary) units; bytes not a whole unit stay bytes.
std::string alluxio_size(std::int64_t bytes);

// The headless Service naming the master pod.
nlohmann::ordered_json master_service(const core::Dataset& ds, const core::Runtime& rt,
                                      const nlohmann::ordered_json& labels,
                                      const nlohmann::ordered_json& owners);

}  // namespace aqueduct::runtime_adapters::alluxio
