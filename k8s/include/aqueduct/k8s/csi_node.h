// The CSI node plugin's work, apart from gRPC (csi_server.h carries it):
// how ordinary pods mount a dataset, as Fluid's `fuse.csi.fluid.io` does.
//  - NodeStage labels this node `fluid.io/f-<ns>-<dataset>=true`, which starts
//    the runtime's lazy FUSE DaemonSet here.
//  - NodePublish waits until that FUSE is mounted at the volume's
//    `fluid_path`, then bind-mounts it (or its `fluid_sub_path`) at the pod's
//    target path, read-only for read-only access modes.
//  - NodeUnpublish unmounts the target (every layer) and removes it.
//  - NodeUnstage removes the label when the runtime's `fuse.cleanPolicy` is
//    OnDemand and no pod on the node still uses the volume, so the FUSE stops.
//  - recover_once() re-binds pods' mounts whose FUSE has been restarted.
// Each published target is recorded in the state folder, so recovery knows
// what to bind after a restart of the plugin itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"
#include "aqueduct/k8s/api_client.h"

namespace aqueduct::k8s {

struct CsiNodeConfig {
  std::string driver_name = "fuse.csi.fluid.io";
  std::string node_id;  // this node's name
  std::string kubelet_dir = "/var/lib/kubelet";
  std::string state_dir;                           // records of published targets
  std::chrono::milliseconds mount_timeout{60000};  // NodePublish waits this long for the FUSE
};

// Volume attributes the dataset's PV carries (Fluid's names).
inline constexpr const char* kAttrFluidPath = "fluid_path";
inline constexpr const char* kAttrSubPath = "fluid_sub_path";
inline constexpr const char* kAttrRuntimeName = "runtime_name";
inline constexpr const char* kAttrRuntimeNamespace = "runtime_namespace";
inline constexpr const char* kAttrFuseLabel = "mount_pod_node_selector_key";
inline constexpr const char* kAttrPublishMethod = "node_publish_method";  // "symlink"

struct PublishRequest {
  std::string volume_id;
  std::string target_path;
  std::map<std::string, std::string> volume_context;
  bool read_only = false;  // readonly, or a read-only access mode
};

struct RecoveryReport {
  int checked = 0;    // published targets looked at
  int rebound = 0;    // bind mounts made again onto the current FUSE mount
  int waiting = 0;    // their FUSE is not mounted (yet): tried again next round
  int failed = 0;     // a mount call failed (logged)
  int forgotten = 0;  // records whose target is gone (the pod was cleaned up)
};

// One published target as recorded in the state folder.
struct PublishedTarget {
  std::string volume_id, target_path, fluid_path, source;  // source = fluid_path[/sub path]
  std::string ns, name;                                    // the dataset
  bool read_only = false;
  bool symlink = false;
};

class CsiNodePlugin {
 public:
  // `api`: for node labels and the PV/runtime lookups of NodeStage/Unstage;
  // it must outlive the plugin. The state folder is created if missing.
  static core::Result<std::unique_ptr<CsiNodePlugin>> create(CsiNodeConfig config, ApiClient* api,
                                                             core::Logger log);

  // Errors follow the CSI spec's codes: InvalidArgument for a missing or bad
  // field, Aborted while another call works on the same volume or target,
  // Unavailable while the FUSE is not mounted yet (the kubelet retries),
  // NotFound for a missing sub path or node.
  core::Status stage(const std::string& volume_id,
                     const std::map<std::string, std::string>& volume_context);
  core::Status unstage(const std::string& volume_id);
  core::Status publish(const PublishRequest& req);
  core::Status unpublish(const std::string& volume_id, const std::string& target_path);

  // One pass of FUSE recovery over the recorded targets.
  RecoveryReport recover_once();
  // Totals since start, for metrics.
  RecoveryReport recovery_totals() const;

  const CsiNodeConfig& config() const { return config_; }
  std::vector<PublishedTarget> published() const;

 private:
  CsiNodePlugin(CsiNodeConfig config, ApiClient* api, core::Logger log);

  // Per volume or target: a second call while one runs is Aborted.
  class Busy;
  bool try_lock(const std::string& key);
  void unlock(const std::string& key);

  // Targets are the kubelet's pod volume folders: anything else is refused,
  // so no request can bind a dataset over the node's own files.
  core::Status check_under_kubelet(const std::string& target) const;
  core::Status set_fuse_label(const std::string& key, bool present);
  core::Status bind(const PublishedTarget& t);
  // Recovery for the kubelet's subPath binds of published targets.
  void recover_subpaths(RecoveryReport& rep);
  core::Status wait_for_fuse(const std::string& fluid_path, const std::string& label);
  std::string record_path(const std::string& target) const;
  core::Status save_record(const PublishedTarget& t) const;
  void drop_record(const std::string& target) const;

  CsiNodeConfig config_;
  ApiClient* api_;
  core::Logger log_;
  mutable std::mutex mu_;
  std::set<std::string> busy_;
  // subPath mount points re-bound by recovery -> the FUSE device ("major:minor")
  // they were bound onto: each is re-bound once per FUSE mount.
  std::map<std::string, std::string> subpath_rebinds_;
  RecoveryReport totals_;
};

// Parts of publish that need no privilege, exposed for tests and fuzzing.
// A `fluid_sub_path` must be relative and stay inside the mount: no "..",
// no absolute path, no NUL.
core::Status check_sub_path(const std::string& sub_path);
// The target must be an absolute path without "." or ".." components.
core::Status check_target_path(const std::string& path);

}  // namespace aqueduct::k8s
