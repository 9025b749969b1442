// What a JindoRuntime runs, with Fluid's JindoCache engine semantics
// (charts/jindocache): one master (three with spec.master.replicas: 3, a raft
// group) reached as <rt>-jindofs-master-<i>.<ns> through a headless Service
// per master, cache workers and the jindo-fuse client, all configured by the
// ConfigMap <rt>-jindofs-config:
//  - jindocache.cfg: the server's namespace.* and the workers' storage.*
//    properties (meta dir and data dirs under <tier path>/<ns>/<rt>/jindocache,
//    capacities in Jindo's units), each mount's file-store properties
//    (jindocache.oss.bucket.<bucket>.endpoint, s3/cos/obs/dls endpoints,
//    hdfs options), the client's rpc address and properties;
//  - cacheset.xml: a cacheset per mount (cache strategy, meta, read and write
//    policies and replicas from the mount's options, checked as Fluid does);
//  - jindosdk.cfg: the FUSE client's properties.
// Credentials (encryptOptions) are never read: their Secrets are projected
// into /token (OSS: /token/<bucket>/AccessKeyId and AccessKeySecret, read
// through Jindo's secrets:// provider), as Fluid does for images that can.
// Ports: 8101 (master rpc), 6101 (worker rpc), 8103 (raft) in
// ContainerNetwork; on the host network three ports derived from the
// runtime's name (Fluid takes them from its port allocator, which this
// controller does not have).
// Private to runtime-adapters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters::jindo {

inline constexpr const char* kDefaultImage = "registry.cn-shanghai.aliyuncs.com/jindofs/smartdata";
inline constexpr const char* kDefaultFuseImage =
    "registry.cn-shanghai.aliyuncs.com/jindofs/jindo-fuse";
inline constexpr const char* kDefaultTag = "6.2.0";
inline constexpr const char* kFuseMountDir = "/jfs";  // the host's mount root, inside the FUSE
inline constexpr const char* kFuseMountPoint = "/jfs/jindofs-fuse";

struct CacheSet {
  std::string name, path, strategy, meta_policy, read_policy, write_policy;
  int read_replicas = 1, write_replicas = 1;
};

// A folder the pods mount: datavolume-<key>.
struct DataVolume {
  std::string path;
  std::string type;    // hostPath or emptyDir
  std::string medium;  // MEM, SSD, HDD
  std::string quota;   // emptyDir sizeLimit ("" = none)
};

struct Plan {
  std::string fullname;  // "<rt>-jindofs"
  int masters = 1;
  bool host_network = true;
  int master_rpc = 8101, worker_rpc = 6101, raft = 8103;
  std::string image, fuse_image;  // "repo:tag"
  std::string meta_path, data_path, quotas;
  std::map<std::string, std::string> log_config, fuse_log_config;
  std::map<std::string, std::string> master_props, worker_props, filestore_props;
  std::map<std::string, std::string> fuse_props, client_props;
  std::map<std::string, CacheSet> cachesets;  // by mount name
  std::map<std::string, DataVolume> master_volumes, worker_volumes;
  std::vector<std::string> fuse_args;
  // The Secrets projected into /token: {"name", "items": [{"key", "path"}]}.
  nlohmann::ordered_json secret_projections = nlohmann::ordered_json::array();

  std::string master_host(int i) const;  // "<rt>-jindofs-master-<i>.<ns>"
  std::string rpc_addresses() const;     // every master's host:rpc, comma-separated
  std::string jindocache_cfg() const;
  std::string cacheset_xml() const;
  std::string jindosdk_cfg() const;
  std::string ns;
};

// Errors name the field: an OSS mount without fs.oss.endpoint, a bad
// metaPolicy/cacheStrategy/replica option, a quotaList not matching the paths,
// pvc:// mounts (not rendered for Jindo).
core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt);

// "2Gi" in Jindo's units ("2g", "512m"); other sizes in bytes.
std::string jindo_size(std::int64_t bytes);

}  // namespace aqueduct::runtime_adapters::jindo
