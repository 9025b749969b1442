#include "aqueduct/k8s/csi_node.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/core/hash.h"
#include "aqueduct/k8s/controller_support.h"
#include "aqueduct/k8s/mount_table.h"

namespace aqueduct::k8s {
namespace fs = std::filesystem;
namespace {

std::string errno_text(int e) { return std::string(std::strerror(e)); }

core::Status unavailable(std::string msg) {
  return core::Status(core::StatusCode::kUnavailable, std::move(msg));
}
core::Status aborted(std::string msg) {
  return core::Status(core::StatusCode::kAborted, std::move(msg));
}
core::Status permission_denied(std::string msg) {
  return core::Status(core::StatusCode::kPermissionDenied, std::move(msg));
}

std::string attr(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

// stat(2)'s errno, or 0 when the path answers.
int stat_errno(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? 0 : errno;
}

// A FUSE mount whose daemon died answers ENOTCONN: unmount it lazily so a
// fresh FUSE can mount there again.
void clean_up_broken_mount(const std::string& path, const core::Logger& log) {
  if (path.empty() || stat_errno(path) != ENOTCONN) return;
  if (::umount2(path.c_str(), MNT_DETACH) == 0)
    log.info("unmounted the broken mount point " + path + " (transport endpoint not connected)");
  else
    log.warn("could not unmount the broken mount point " + path + ": " + errno_text(errno));
}

bool same_device(const MountEntry& a, const MountEntry& b) {
  return a.major == b.major && a.minor == b.minor;
}

Json to_json(const PublishedTarget& t) {
  return Json{{"volumeId", t.volume_id}, {"targetPath", t.target_path}, {"fluidPath", t.fluid_path},
              {"source", t.source},      {"namespace", t.ns},           {"name", t.name},
              {"readOnly", t.read_only}, {"symlink", t.symlink}};
}

core::Result<PublishedTarget> from_json(const Json& j, const std::string& file) {
  PublishedTarget t;
  try {
    t.volume_id = j.at("volumeId").get<std::string>();
    t.target_path = j.at("targetPath").get<std::string>();
    t.fluid_path = j.at("fluidPath").get<std::string>();
    t.source = j.at("source").get<std::string>();
    t.ns = j.value("namespace", "");
    t.name = j.value("name", "");
    t.read_only = j.value("readOnly", false);
    t.symlink = j.value("symlink", false);
  } catch (const std::exception& e) {
    return core::invalid_argument(file + ": not a published-target record: " + e.what());
  }
  return t;
}

}  // namespace

class CsiNodePlugin::Busy {
 public:
  Busy(CsiNodePlugin& p, std::string key) : p_(p), key_(std::move(key)), held_(p.try_lock(key_)) {}
  ~Busy() {
    if (held_) p_.unlock(key_);
  }
  bool held() const { return held_; }

 private:
  CsiNodePlugin& p_;
  std::string key_;
  bool held_;
};

core::Status check_sub_path(const std::string& sub_path) {
  if (sub_path.empty()) return core::Status::ok();
  if (sub_path.find('\0') != std::string::npos)
    return core::invalid_argument("volume_context." + std::string(kAttrSubPath) +
                                  ": contains a NUL byte");
  if (sub_path.front() == '/')
    return core::invalid_argument("volume_context." + std::string(kAttrSubPath) + " \"" + sub_path +
                                  "\": expected a path relative to the dataset's root");
  for (const auto& part : fs::path(sub_path))
    if (part == "..")
      return core::invalid_argument("volume_context." + std::string(kAttrSubPath) + " \"" +
                                    sub_path + "\": \"..\" would leave the dataset");
  return core::Status::ok();
}

core::Status check_target_path(const std::string& path) {
  if (path.empty()) return core::invalid_argument("target_path is required");
  if (path.find('\0') != std::string::npos)
    return core::invalid_argument("target_path: contains a NUL byte");
  if (path.front() != '/')
    return core::invalid_argument("target_path \"" + path + "\": expected an absolute path");
  for (const auto& part : fs::path(path))
    if (part == ".." || part == ".")
      return core::invalid_argument("target_path \"" + path +
                                    "\": expected a path without \".\" or \"..\"");
  return core::Status::ok();
}

core::Status CsiNodePlugin::check_under_kubelet(const std::string& target) const {
  const std::string& k = config_.kubelet_dir;
  if (target.size() > k.size() + (k == "/" ? 0 : 1) && target.compare(0, k.size(), k) == 0 &&
      (k == "/" || target[k.size()] == '/'))
    return core::Status::ok();
  return core::invalid_argument("target_path \"" + target +
                                "\": expected a path under the kubelet's folder " + k +
                                " (--kubelet-dir)");
}

core::Result<std::unique_ptr<CsiNodePlugin>> CsiNodePlugin::create(CsiNodeConfig config,
                                                                   ApiClient* api,
                                                                   core::Logger log) {
  if (config.node_id.empty())
    return core::invalid_argument("--node-id is required (the name of this node)");
  if (config.state_dir.empty())
    return core::invalid_argument("--state-dir is required (where published targets are kept)");
  std::error_code ec;
  fs::create_directories(config.state_dir, ec);
  if (ec)
    return core::io_error("--state-dir " + config.state_dir +
                          ": cannot be created: " + ec.message());
  while (config.kubelet_dir.size() > 1 && config.kubelet_dir.back() == '/')
    config.kubelet_dir.pop_back();
  return std::unique_ptr<CsiNodePlugin>(new CsiNodePlugin(std::move(config), api, std::move(log)));
}

CsiNodePlugin::CsiNodePlugin(CsiNodeConfig config, ApiClient* api, core::Logger log)
    : config_(std::move(config)), api_(api), log_(std::move(log)) {}

bool CsiNodePlugin::try_lock(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_.insert(key).second;
}

void CsiNodePlugin::unlock(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  busy_.erase(key);
}

core::Status CsiNodePlugin::set_fuse_label(const std::string& key, bool present) {
  if (!api_)
    return core::failed_precondition("no Kubernetes API client: cannot " +
                                     std::string(present ? "set" : "remove") + " node label " +
                                     key);
  Json patch = {{"metadata", {{"labels", {{key, present ? Json("true") : Json(nullptr)}}}}}};
  auto r = api_->patch(resources::nodes().object("", config_.node_id), patch);
  if (!r.ok()) {
    if (r.status().code() == core::StatusCode::kNotFound)
      return core::not_found("node \"" + config_.node_id + "\" not found (check --node-id)");
    return r.status().with_context("labelling node " + config_.node_id);
  }
  log_.info(std::string(present ? "labelled" : "unlabelled") + " node " + config_.node_id + " " +
            key + (present ? "=true" : ""));
  return core::Status::ok();
}

core::Status CsiNodePlugin::stage(const std::string& volume_id,
                                  const std::map<std::string, std::string>& ctx) {
  if (volume_id.empty()) return core::invalid_argument("NodeStageVolume: volume_id is required");
  Busy busy(*this, volume_id);
  if (!busy.held()) return aborted("NodeStageVolume: another call works on volume " + volume_id);
  clean_up_broken_mount(attr(ctx, kAttrFluidPath), log_);
  std::string label = attr(ctx, kAttrFuseLabel);
  if (label.empty()) {
    std::string ns = attr(ctx, kAttrRuntimeNamespace), name = attr(ctx, kAttrRuntimeName);
    if ((ns.empty() || name.empty()) && api_) {
      // A PV made before these attributes: the claim names the dataset.
      auto pv = api_->get(resources::persistent_volumes().object("", volume_id));
      if (!pv.ok()) return pv.status().with_context("NodeStageVolume: volume " + volume_id);
      const Json& claim = (*pv)["spec"].value("claimRef", Json::object());
      ns = claim.value("namespace", "");
      name = claim.value("name", "");
    }
    if (ns.empty() || name.empty())
      return core::invalid_argument("NodeStageVolume: volume " + volume_id +
                                    ": volume_context has neither " + kAttrFuseLabel + " nor " +
                                    kAttrRuntimeNamespace + "/" + kAttrRuntimeName);
    label = core::fuse_label(ns, name);
  }
  return set_fuse_label(label, true).with_context("NodeStageVolume");
}

core::Status CsiNodePlugin::unstage(const std::string& volume_id) {
  if (volume_id.empty()) return core::invalid_argument("NodeUnstageVolume: volume_id is required");
  Busy busy(*this, volume_id);
  if (!busy.held()) return aborted("NodeUnstageVolume: another call works on volume " + volume_id);
  if (!api_) return core::Status::ok();  // nothing was labelled without one
  auto pv = api_->get(resources::persistent_volumes().object("", volume_id));
  if (!pv.ok()) {
    if (pv.status().code() == core::StatusCode::kNotFound) {
      log_.info("NodeUnstageVolume: PV " + volume_id + " is gone; nothing to clean");
      return core::Status::ok();
    }
    return pv.status().with_context("NodeUnstageVolume: volume " + volume_id);
  }
  const Json attrs =
      (*pv)["spec"].value("csi", Json::object()).value("volumeAttributes", Json::object());
  const Json claim = (*pv)["spec"].value("claimRef", Json::object());
  std::string ns = attrs.value(kAttrRuntimeNamespace, claim.value("namespace", ""));
  std::string name = attrs.value(kAttrRuntimeName, claim.value("name", ""));
  // The runtime's fuse.cleanPolicy (Fluid's default: OnRuntimeDeleted).
  std::string policy;
  bool found = false;
  for (const char* kind : {"AlluxioRuntime", "JuiceFSRuntime", "JindoRuntime", "ThinRuntime",
                           "GooseFSRuntime", "AqueductRuntime"}) {
    auto rt = api_->get(resources::runtime(kind)->object(ns, name));
    if (!rt.ok()) {
      if (rt.status().code() == core::StatusCode::kNotFound) continue;
      return rt.status().with_context("NodeUnstageVolume: reading the runtime " + ns + "/" + name);
    }
    found = true;
    policy = (*rt)["spec"].value("fuse", Json::object()).value("cleanPolicy", "");
    break;
  }
  if (!found) {
    log_.info("NodeUnstageVolume: runtime " + ns + "/" + name + " is gone; nothing to clean");
    return core::Status::ok();
  }
  if (policy.empty() || policy == "OnRuntimeDeleted" || policy == "OnFuseChanged")
    return core::Status::ok();  // the FUSE stays until the runtime goes (or changes)
  if (policy != "OnDemand")
    return core::failed_precondition("NodeUnstageVolume: runtime " + ns + "/" + name +
                                     " spec.fuse.cleanPolicy \"" + policy +
                                     "\": expected OnDemand, OnRuntimeDeleted or OnFuseChanged");
  auto table = read_mount_table();
  if (!table.ok()) return table.status().with_context("NodeUnstageVolume");
  auto users = pod_mounts_of_volume(*table, config_.kubelet_dir, volume_id);
  for (const auto& t : published())
    if (t.volume_id == volume_id) users.push_back(t.target_path);
  if (!users.empty())
    return core::failed_precondition("NodeUnstageVolume: volume " + volume_id +
                                     " is still published at " + users.front() +
                                     "; the FUSE keeps running");
  std::string label = attrs.value(kAttrFuseLabel, "");
  if (label.empty()) label = core::fuse_label(ns, name);
  return set_fuse_label(label, false).with_context("NodeUnstageVolume");
}

core::Status CsiNodePlugin::wait_for_fuse(const std::string& fluid_path, const std::string& label) {
  const auto deadline = std::chrono::steady_clock::now() + config_.mount_timeout;
  for (;;) {
    auto table = read_mount_table();
    if (!table.ok()) return table.status();
    if (find_mount(*table, fluid_path) && stat_errno(fluid_path) == 0) return core::Status::ok();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  char waited[32];
  std::snprintf(waited, sizeof waited, "%.1f", config_.mount_timeout.count() / 1000.0);
  return unavailable("the dataset's FUSE is not mounted at " + fluid_path + " after " + waited +
                     " s: its FUSE pod must run on node " + config_.node_id +
                     (label.empty() ? "" : " (NodeStage labelled it " + label + "=true)"));
}

core::Status CsiNodePlugin::bind(const PublishedTarget& t) {
  if (::mount(t.source.c_str(), t.target_path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    int e = errno;
    std::string msg = "bind-mounting " + t.source + " at " + t.target_path + ": " + errno_text(e);
    if (e == EPERM || e == EACCES) return permission_denied(msg);
    return core::internal_error(msg);
  }
  if (t.read_only && ::mount(nullptr, t.target_path.c_str(), nullptr,
                             MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
    int e = errno;
    (void)::umount2(t.target_path.c_str(), MNT_DETACH);
    return core::internal_error("making " + t.target_path + " read-only: " + errno_text(e));
  }
  return core::Status::ok();
}

core::Status CsiNodePlugin::publish(const PublishRequest& req) {
  if (req.volume_id.empty())
    return core::invalid_argument("NodePublishVolume: volume_id is required");
  if (auto s = check_target_path(req.target_path); !s) return s.with_context("NodePublishVolume");
  if (auto s = check_under_kubelet(req.target_path); !s) return s.with_context("NodePublishVolume");
  const std::string fluid_path = attr(req.volume_context, kAttrFluidPath);
  if (fluid_path.empty() || fluid_path.front() != '/')
    return core::invalid_argument("NodePublishVolume: volume " + req.volume_id +
                                  ": volume_context." + kAttrFluidPath +
                                  " must be the absolute path of the dataset's FUSE mount");
  const std::string sub = attr(req.volume_context, kAttrSubPath);
  if (auto s = check_sub_path(sub); !s) return s.with_context("NodePublishVolume");
  Busy busy(*this, req.target_path);
  if (!busy.held()) return aborted("NodePublishVolume: another call works on " + req.target_path);

  PublishedTarget t;
  t.volume_id = req.volume_id;
  t.target_path = fs::path(req.target_path).lexically_normal().string();
  t.fluid_path = fs::path(fluid_path).lexically_normal().string();
  while (t.fluid_path.size() > 1 && t.fluid_path.back() == '/') t.fluid_path.pop_back();
  while (t.target_path.size() > 1 && t.target_path.back() == '/') t.target_path.pop_back();
  t.source = sub.empty() ? t.fluid_path : t.fluid_path + "/" + sub;
  t.ns = attr(req.volume_context, kAttrRuntimeNamespace);
  t.name = attr(req.volume_context, kAttrRuntimeName);
  t.read_only = req.read_only;
  t.symlink = attr(req.volume_context, kAttrPublishMethod) == "symlink";
  std::string label = attr(req.volume_context, kAttrFuseLabel);
  if (label.empty() && !t.ns.empty() && !t.name.empty()) label = core::fuse_label(t.ns, t.name);

  if (auto s = wait_for_fuse(t.fluid_path, label); !s) return s.with_context("NodePublishVolume");
  if (!sub.empty()) {
    // The sub path must exist in the dataset and, symlinks resolved, stay in it.
    std::error_code ec;
    auto root = fs::canonical(t.fluid_path, ec);
    auto real = ec ? fs::path() : fs::canonical(t.source, ec);
    if (ec)
      return core::not_found("NodePublishVolume: " + std::string(kAttrSubPath) + " \"" + sub +
                             "\" does not exist in the dataset mounted at " + t.fluid_path);
    auto rel = real.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..")
      return core::invalid_argument("NodePublishVolume: " + std::string(kAttrSubPath) + " \"" +
                                    sub + "\" resolves to " + real.string() +
                                    ", outside the dataset mounted at " + t.fluid_path);
  }

  if (t.symlink) {
    std::error_code ec;
    if (fs::is_symlink(t.target_path, ec)) {
      if (fs::read_symlink(t.target_path, ec) == t.source) {
        if (auto s = save_record(t); !s) return s;
        return core::Status::ok();
      }
      fs::remove(t.target_path, ec);
    } else if (fs::is_directory(t.target_path, ec)) {
      fs::remove(t.target_path, ec);  // an empty folder the kubelet made; a full one stays
      if (ec)
        return core::failed_precondition("NodePublishVolume: " + t.target_path +
                                         " exists and is not empty: " + ec.message());
    }
    fs::create_directories(fs::path(t.target_path).parent_path(), ec);
    if (::symlink(t.source.c_str(), t.target_path.c_str()) != 0)
      return core::internal_error("NodePublishVolume: symlink " + t.target_path + " -> " +
                                  t.source + ": " + errno_text(errno));
    return save_record(t);
  }

  std::error_code ec;
  fs::create_directories(t.target_path, ec);
  if (ec && stat_errno(t.target_path) != ENOTCONN)
    return core::internal_error("NodePublishVolume: creating " + t.target_path + ": " +
                                ec.message());
  auto table = read_mount_table();
  if (!table.ok()) return table.status().with_context("NodePublishVolume");
  const MountEntry* fuse = find_mount(*table, t.fluid_path);
  if (const MountEntry* cur = find_mount(*table, t.target_path)) {
    if (fuse && same_device(*cur, *fuse) && stat_errno(t.target_path) == 0) {
      log_.info("NodePublishVolume: " + t.target_path + " is already published");
      return save_record(t);
    }
    (void)::umount2(t.target_path.c_str(), MNT_DETACH);  // a stale layer from an older FUSE
  }
  if (auto s = bind(t); !s) return s.with_context("NodePublishVolume");
  log_.info("NodePublishVolume: bound " + t.source + " at " + t.target_path +
            (t.read_only ? " (read-only)" : ""));
  return save_record(t);
}

core::Status CsiNodePlugin::unpublish(const std::string& volume_id,
                                      const std::string& target_path) {
  if (auto s = check_target_path(target_path); !s) return s.with_context("NodeUnpublishVolume");
  if (auto s = check_under_kubelet(target_path); !s) return s.with_context("NodeUnpublishVolume");
  const std::string target = fs::path(target_path).lexically_normal().string();
  Busy busy(*this, target);
  if (!busy.held()) return aborted("NodeUnpublishVolume: another call works on " + target);
  struct stat st {};
  if (::lstat(target.c_str(), &st) != 0 && errno == ENOENT) {
    drop_record(target);
    return core::Status::ok();
  }
  if (::lstat(target.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    if (::unlink(target.c_str()) != 0)
      return core::internal_error("NodeUnpublishVolume: removing the symlink " + target + ": " +
                                  errno_text(errno));
    drop_record(target);
    return core::Status::ok();
  }
  // A target may carry several layers (a recovery re-bound it): unmount them all.
  for (int layer = 0; layer < 64; ++layer) {
    auto table = read_mount_table();
    if (!table.ok()) return table.status().with_context("NodeUnpublishVolume");
    if (!find_mount(*table, target)) break;
    if (::umount2(target.c_str(), 0) != 0) {
      int e = errno;
      if (e == EINVAL) break;  // not a mount point after all
      if (::umount2(target.c_str(), MNT_DETACH) != 0)
        return core::internal_error("NodeUnpublishVolume: unmounting " + target + ": " +
                                    errno_text(e));
    }
  }
  if (::rmdir(target.c_str()) != 0 && errno != ENOENT) {
    int e = errno;
    return core::internal_error("NodeUnpublishVolume: removing " + target +
                                " after unmounting it: " + errno_text(e) +
                                (e == ENOTEMPTY ? " (it holds files; left in place)" : ""));
  }
  (void)volume_id;
  drop_record(target);
  log_.info("NodeUnpublishVolume: unpublished " + target);
  return core::Status::ok();
}

namespace {
constexpr int kMaxRecoveryLayers = 8;
}  // namespace

RecoveryReport CsiNodePlugin::recover_once() {
  RecoveryReport rep;
  auto table = read_mount_table();
  if (!table.ok()) {
    log_.warn("FUSE recovery: " + table.status().message());
    return rep;
  }
  for (const auto& t : published()) {
    ++rep.checked;
    if (t.symlink) continue;  // a symlink follows the new mount by itself
    Busy busy(*this, t.target_path);
    if (!busy.held()) continue;  // a publish or unpublish is at work on it
    struct stat st {};
    if (::lstat(t.target_path.c_str(), &st) != 0 && errno == ENOENT) {
      ++rep.forgotten;
      drop_record(t.target_path);
      continue;
    }
    const MountEntry* fuse = find_mount(*table, t.fluid_path);
    if (!fuse || stat_errno(t.fluid_path) != 0) {
      ++rep.waiting;
      continue;
    }
    const MountEntry* cur = find_mount(*table, t.target_path);
    if (cur && same_device(*cur, *fuse) && stat_errno(t.target_path) == 0) continue;
    // The new bind goes on top of the dead one, which stays: a pod that
    // mounted the volume with HostToContainer propagation holds a copy of
    // the old layer that only a mount stacked on it reaches (Fluid recovers
    // the same way). Only past kMaxRecoveryLayers is the top dead layer taken
    // away first, so that repeated restarts cannot pile mounts up forever.
    int layers = 0;
    for (const auto& m : *table) layers += m.mount_point == t.target_path ? 1 : 0;
    if (cur && layers >= kMaxRecoveryLayers) (void)::umount2(t.target_path.c_str(), MNT_DETACH);
    if (auto s = bind(t); !s) {
      ++rep.failed;
      log_.warn("FUSE recovery: " + s.message());
      continue;
    }
    ++rep.rebound;
    const std::string msg = "FUSE recovery: re-bound " + t.source + " at " + t.target_path +
                            " after the dataset's FUSE was mounted again";
    log_.info(msg);
    if (api_ && !t.ns.empty() && !t.name.empty()) {
      Json ds = {{"metadata", {{"namespace", t.ns}, {"name", t.name}}}};
      record_event(*api_, ds, "Dataset", "Normal", "FuseRecoverSucceed", msg);
    }
  }
  recover_subpaths(rep);
  std::lock_guard<std::mutex> lock(mu_);
  totals_.checked += rep.checked;
  totals_.rebound += rep.rebound;
  totals_.waiting += rep.waiting;
  totals_.failed += rep.failed;
  totals_.forgotten += rep.forgotten;
  return rep;
}

void CsiNodePlugin::recover_subpaths(RecoveryReport& rep) {
  // A container mounting the volume with subPath gets its own bind, made by
  // the kubelet, at <kubelet>/pods/<uid>/volume-subpaths/<volume>/<container>/<i>
  // from a folder of the published target: it stays on the old FUSE when the
  // target is re-bound. Such a bind belongs to the pod's published target
  // whose layers include its device, and is re-bound from the same folder of
  // the current FUSE mount (its root in the file system, under fluid_path).
  auto table = read_mount_table();
  if (!table.ok()) return;
  const std::string pods = config_.kubelet_dir + "/pods/";
  const std::vector<PublishedTarget> targets = published();
  {
    // Forget binds whose mount point is gone (the kubelet cleaned the pod up).
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = subpath_rebinds_.begin(); it != subpath_rebinds_.end();) {
      it = find_mount(*table, it->first) ? std::next(it) : subpath_rebinds_.erase(it);
    }
  }
  std::set<std::string> done;
  for (auto it = table->rbegin(); it != table->rend(); ++it) {
    const MountEntry& m = *it;  // the topmost at its mount point comes first
    if (m.mount_point.rfind(pods, 0) != 0 || !done.insert(m.mount_point).second) continue;
    const std::string rest = m.mount_point.substr(pods.size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos || rest.compare(slash, 17, "/volume-subpaths/") != 0) continue;
    const std::string pod_dir = pods + rest.substr(0, slash) + "/";
    for (const auto& t : targets) {
      if (t.symlink || t.target_path.rfind(pod_dir, 0) != 0) continue;
      const MountEntry* fuse = find_mount(*table, t.fluid_path);
      if (!fuse || same_device(m, *fuse)) continue;  // no FUSE yet, or already on it
      bool ours = false;  // a layer of this target was (or is) on m's device
      for (const auto& layer : *table)
        ours = ours || (layer.mount_point == t.target_path && same_device(layer, m));
      if (!ours || stat_errno(t.fluid_path) != 0) continue;
      // Re-bound onto this FUSE before and the layer is gone again: the
      // kubelet is taking the pod's subPath binds away, one layer per try;
      // binding again would fight it.
      const std::string fuse_dev = std::to_string(fuse->major) + ":" + std::to_string(fuse->minor);
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto seen = subpath_rebinds_.find(m.mount_point);
        if (seen != subpath_rebinds_.end() && seen->second == fuse_dev) break;
      }
      ++rep.checked;
      Busy busy(*this, m.mount_point);
      if (!busy.held()) continue;
      PublishedTarget bind_to = t;
      bind_to.source = t.fluid_path + (m.root == "/" ? "" : m.root);
      bind_to.target_path = m.mount_point;
      bind_to.read_only = t.read_only || m.read_only();
      // Stacked on the dead bind, as for targets, and bounded the same way.
      int layers = 0;
      for (const auto& e : *table) layers += e.mount_point == m.mount_point ? 1 : 0;
      if (layers >= kMaxRecoveryLayers) (void)::umount2(m.mount_point.c_str(), MNT_DETACH);
      if (auto s = bind(bind_to); !s) {
        ++rep.failed;
        log_.warn("FUSE recovery: " + s.message());
        break;
      }
      ++rep.rebound;
      {
        std::lock_guard<std::mutex> lock(mu_);
        subpath_rebinds_[m.mount_point] = fuse_dev;
      }
      log_.info("FUSE recovery: re-bound the sub path " + bind_to.source + " at " + m.mount_point);
      break;
    }
  }
}

RecoveryReport CsiNodePlugin::recovery_totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return totals_;
}

std::string CsiNodePlugin::record_path(const std::string& target) const {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(core::fnv1a64(target)));
  return (fs::path(config_.state_dir) / (std::string(hex) + ".json")).string();
}

core::Status CsiNodePlugin::save_record(const PublishedTarget& t) const {
  const std::string path = record_path(t.target_path);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << to_json(t).dump() << "\n";
    if (!out)
      return core::io_error("writing the published-target record " + tmp + ": " +
                            errno_text(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return core::io_error("renaming " + tmp + " to " + path + ": " + errno_text(errno));
  return core::Status::ok();
}

void CsiNodePlugin::drop_record(const std::string& target) const {
  std::error_code ec;
  fs::remove(record_path(target), ec);
}

std::vector<PublishedTarget> CsiNodePlugin::published() const {
  std::vector<PublishedTarget> out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(config_.state_dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    Json j = Json::parse(in, nullptr, false);
    auto t = j.is_discarded()
                 ? core::Result<PublishedTarget>(core::invalid_argument(f.string() + ": not JSON"))
                 : from_json(j, f.string());
    if (!t.ok()) {
      log_.warn("skipping " + t.status().message());
      continue;
    }
    out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace aqueduct::k8s
