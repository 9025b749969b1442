#include "fuse_sidecar.h"

#include <algorithm>
#include <map>
#include <set>

#include "aqueduct/core/injection/injection_labels.h"

namespace aqueduct::core::injection_internal {
namespace {

// Volume-name prefixes with a role, as Fluid names them in its FUSE DaemonSets.
const std::vector<std::string> kCacheDirNames = {
    "datavolume-", "volume-localtime", "cache-dir", "mem", "ssd", "hdd"};
const std::vector<std::string> kHostMountNames = {
    "alluxio-fuse-mount", "jindofs-fuse-mount", "juicefs-fuse-mount", "thin-fuse-mount",
    "efc-fuse-mount",     "efc-sock",           "aqueduct-fuse-mount"};
const std::vector<std::string> kFuseDeviceNames = {"alluxio-fuse-device", "jindofs-fuse-device",
                                                   "thin-fuse-device", "juicefs-fuse-device",
                                                   "aqueduct-fuse-device"};

constexpr const char* kCheckMountVolume = "check-mount";

void trim_named(Json& container, std::vector<Json>& volumes,
                const std::vector<std::string>& prefixes) {
  if (container.contains("volumeMounts") && container["volumeMounts"].is_array()) {
    Json kept = Json::array();
    for (const auto& m : container["volumeMounts"]) {
      if (!has_any_prefix(m.value("name", ""), prefixes)) kept.push_back(m);
    }
    container["volumeMounts"] = std::move(kept);
  }
  std::erase_if(volumes,
                [&](const Json& v) { return has_any_prefix(v.value("name", ""), prefixes); });
}

void make_unprivileged(Json& container, std::vector<Json>& volumes) {
  trim_named(container, volumes, kHostMountNames);
  trim_named(container, volumes, kFuseDeviceNames);
  if (!container.contains("securityContext") || !container["securityContext"].is_object()) return;
  Json& sc = container["securityContext"];
  sc["privileged"] = false;
  if (sc.contains("capabilities") && sc["capabilities"].is_object() &&
      sc["capabilities"].contains("add") && sc["capabilities"]["add"].is_array()) {
    Json kept = Json::array();
    for (const auto& cap : sc["capabilities"]["add"]) {
      if (cap != "SYS_ADMIN") kept.push_back(cap);
    }
    sc["capabilities"]["add"] = std::move(kept);
  }
}

void add_post_start(Json& container, std::vector<Json>& volumes, const FuseTemplate& t) {
  if (!container.contains("volumeMounts") || !container["volumeMounts"].is_array()) {
    container["volumeMounts"] = Json::array();
  }
  container["volumeMounts"].push_back({{"name", kCheckMountVolume},
                                       {"mountPath", "/check-mount.sh"},
                                       {"subPath", "check-mount.sh"},
                                       {"readOnly", true}});
  if (!container.contains("lifecycle") || !container["lifecycle"].is_object()) {
    container["lifecycle"] = Json::object();
  }
  // The same command line Fluid writes (sub path last, possibly empty).
  const std::string& type = t.mount_type.empty() ? t.fs_type : t.mount_type;
  std::string cmd = "time /check-mount.sh " + t.container_mount_path + " " + type + " " +
                    t.sub_path + " >> /proc/1/fd/1";
  container["lifecycle"]["postStart"] = {{"exec", {{"command", Json::array({"bash", "-c", cmd})}}}};
  volumes.push_back({{"name", kCheckMountVolume},
                     {"configMap", {{"name", t.fs_type + "-check-mount"}, {"defaultMode", 493}}}});
}

void drop_metrics_ports(Json& container) {
  if (!container.contains("ports") || !container["ports"].is_array()) return;
  Json kept = Json::array();
  for (const auto& p : container["ports"]) {
    std::string name = p.value("name", "");
    if (name.size() >= 8 && name.compare(name.size() - 8, 8, "-metrics") == 0) continue;
    kept.push_back(p);
  }
  if (kept.empty()) {
    container.erase("ports");
  } else {
    container["ports"] = std::move(kept);
  }
}

Json& array_at(Json& obj, const char* key) {
  if (!obj.contains(key) || !obj[key].is_array()) obj[key] = Json::array();
  return obj[key];
}

// Sets mountPropagation HostToContainer on every mount of `names`; returns whether any matched.
bool propagate(Json& containers, const std::set<std::string>& names) {
  bool used = false;
  if (!containers.is_array()) return false;
  for (auto& c : containers) {
    if (!c.contains("volumeMounts") || !c["volumeMounts"].is_array()) continue;
    for (auto& m : c["volumeMounts"]) {
      if (names.count(m.value("name", ""))) {
        m["mountPropagation"] = "HostToContainer";
        used = true;
      }
    }
  }
  return used;
}

std::string join_path(const std::string& a, const std::string& b) {
  if (b.empty()) return a;
  std::string out = a;
  if (!out.empty() && out.back() != '/') out += '/';
  out += (b.front() == '/') ? b.substr(1) : b;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

void add_dataset_labels(Json& pod, const std::string& container, const DatasetBinding& ds) {
  Json& labels = pod["metadata"]["labels"];
  if (!labels.is_object()) labels = Json::object();
  labels[std::string(labels::kDatasetNamespacePrefix) + container] = ds.mounted.ns;
  labels[std::string(labels::kDatasetNamePrefix) + container] = ds.mounted.name;
}

// Batch pods: the sidecar's command runs under a shell that watches the pod's
// annotations (a downward-API file) and, once the sidecar-exit annotation is
// there, unmounts and exits 0 (k8s/sidecar_exit.h). Without a command (the
// image's entrypoint) there is nothing to wrap and the sidecar is left as is.
void add_exit_watch(Json& container, Json& volumes, const FuseTemplate& t) {
  if (!container.contains("command") || !container["command"].is_array() ||
      container["command"].empty())
    return;
  const std::string mount = "'" + t.container_mount_path + "'";
  const std::string script =
      std::string("\"$@\" &\npid=$!\ntrap 'kill -TERM \"$pid\" 2>/dev/null' TERM INT\n") +
      "while kill -0 \"$pid\" 2>/dev/null; do\n  if grep -q '^" + labels::kSidecarExit + "=' " +
      labels::kPodInfoPath + "/annotations 2>/dev/null; then\n    umount " + mount +
      " 2>/dev/null || fusermount -u " + mount +
      " 2>/dev/null\n    kill -TERM \"$pid\" 2>/dev/null\n    wait \"$pid\"\n    exit 0\n  fi\n"
      "  sleep 2\ndone\nwait \"$pid\"\n";
  Json command = Json::array({"/bin/sh", "-c", script, "fluid-fuse"});
  for (const auto& a : container["command"]) command.push_back(a);
  if (container.contains("args") && container["args"].is_array()) {
    for (const auto& a : container["args"]) command.push_back(a);
  }
  container["command"] = std::move(command);
  container.erase("args");
  array_at(container, "volumeMounts")
      .push_back({{"name", labels::kPodInfoVolume},
                  {"mountPath", labels::kPodInfoPath},
                  {"readOnly", true}});
  for (const auto& v : volumes) {
    if (v.value("name", "") == labels::kPodInfoVolume) return;
  }
  volumes.push_back(
      {{"name", labels::kPodInfoVolume},
       {"downwardAPI",
        {{"items", Json::array({{{"path", "annotations"},
                                 {"fieldRef", {{"fieldPath", "metadata.annotations"}}}}})}}}});
}

}  // namespace

bool has_any_prefix(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.rfind(p, 0) == 0; });
}

Result<bool> inject_fuse_sidecar(Json& pod, const std::string& claim, const DatasetBinding& ds,
                                 int index, const SidecarFlags& flags) {
  if (!ds.fuse) {
    return failed_precondition("dataset " + ds.mounted.ns + "/" + ds.mounted.name +
                               ": its runtime has no FUSE sidecar template" +
                               (ds.fuse_error.empty() ? "" : " (" + ds.fuse_error + ")"));
  }
  const FuseTemplate& t = *ds.fuse;
  const std::string suffix = "-" + std::to_string(index);

  // 1. Prepare the template.
  Json sidecar = t.container;
  std::vector<Json> to_add = t.volumes;
  if (!flags.keep_cache_dirs) trim_named(sidecar, to_add, kCacheDirNames);
  if (flags.unprivileged) make_unprivileged(sidecar, to_add);
  if (flags.post_start) add_post_start(sidecar, to_add, t);
  drop_metrics_ports(sidecar);
  std::string host_mount_path = t.host_mount_path;
  if (!flags.unique_host_dir.empty()) {
    // Fluid's random-suffix mode: <root>/<pod>/<unique>/<mount dir>, and the
    // FUSE's host mount volume at <root>/<pod>/<unique>.
    const auto slash = host_mount_path.find_last_of('/');
    if (slash == std::string::npos || slash == 0)
      return invalid_argument("dataset " + ds.mounted.ns + "/" + ds.mounted.name +
                              ": host mount path \"" + t.host_mount_path +
                              "\" has no parent folder for a random-suffix folder");
    host_mount_path = host_mount_path.substr(0, slash) + "/" + flags.unique_host_dir +
                      host_mount_path.substr(slash);
    for (auto& v : to_add) {
      if (!has_any_prefix(v.value("name", ""), kHostMountNames) || !v.contains("hostPath") ||
          !v["hostPath"].is_object() || !v["hostPath"].contains("path") ||
          !v["hostPath"]["path"].is_string())
        continue;
      v["hostPath"]["path"] =
          v["hostPath"]["path"].get<std::string>() + "/" + flags.unique_host_dir;
    }
  }

  // 2. The dataset's PVC volumes become a hostPath to the FUSE mount point.
  Json& spec = pod["spec"];
  Json& volumes = array_at(spec, "volumes");
  std::set<std::string> overridden;
  for (auto& v : volumes) {
    const Json* pvc = v.contains("persistentVolumeClaim") ? &v["persistentVolumeClaim"] : nullptr;
    if (!pvc || !pvc->is_object() || pvc->value("claimName", "") != claim) continue;
    std::string name = v.value("name", "");
    v = {{"name", name}, {"hostPath", {{"path", join_path(host_mount_path, t.sub_path)}}}};
    overridden.insert(name);
  }
  bool in_containers = spec.contains("containers") && propagate(spec["containers"], overridden);
  bool in_init = spec.contains("initContainers") && propagate(spec["initContainers"], overridden);

  // 3. Append the sidecar's volumes, names suffixed; a clash gets "-fluid[-n]".
  std::set<std::string> names;
  for (const auto& v : volumes) names.insert(v.value("name", ""));
  std::map<std::string, std::string> renamed;
  for (Json v : to_add) {
    std::string old_name = v.value("name", "");
    std::string name = old_name + suffix;
    for (int n = 0; names.count(name); ++n) {
      if (n > 100) return internal_error("no free volume name for " + old_name + suffix);
      name = old_name + suffix + "-fluid" + (n ? "-" + std::to_string(n) : "");
    }
    v["name"] = name;
    names.insert(name);
    renamed[old_name] = name;
    volumes.push_back(std::move(v));
  }
  if (sidecar.contains("volumeMounts") && sidecar["volumeMounts"].is_array()) {
    for (auto& m : sidecar["volumeMounts"]) {
      auto it = renamed.find(m.value("name", ""));
      if (it != renamed.end()) m["name"] = it->second;
    }
  }

  // 4. The sidecar itself.
  bool added = false;
  auto prepend = [&](const char* key, Json c) {
    Json& list = array_at(spec, key);
    list.insert(list.begin(), std::move(c));
    added = true;
  };
  if (flags.mode == SidecarMode::kNativeSidecar) {
    if (in_containers || in_init) {
      Json c = sidecar;
      const std::string name = std::string(labels::kFuseContainerName) + suffix;
      c["name"] = name;
      c["restartPolicy"] = "Always";
      add_dataset_labels(pod, name, ds);
      prepend("initContainers", std::move(c));
    }
  } else {
    if (in_containers) {
      Json c = sidecar;
      const std::string name = std::string(labels::kFuseContainerName) + suffix;
      c["name"] = name;
      const std::string restart = spec.value("restartPolicy", "Always");
      if (restart == "Never" || restart == "OnFailure") add_exit_watch(c, volumes, t);
      add_dataset_labels(pod, name, ds);
      prepend("containers", std::move(c));
    }
    if (in_init) {
      // Init containers run to completion: the FUSE client there only mounts
      // and waits briefly, as Fluid does.
      Json c = sidecar;
      const std::string name = std::string(labels::kInitFuseContainerName) + suffix;
      c["name"] = name;
      c.erase("lifecycle");
      c["command"] = Json::array({"sleep"});
      c["args"] = Json::array({"2s"});
      add_dataset_labels(pod, name, ds);
      prepend("initContainers", std::move(c));
    }
  }
  return added;
}

}  // namespace aqueduct::core::injection_internal
