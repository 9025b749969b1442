#include "thin_plan.h"

#include <algorithm>
#include <map>

#include "../common/fuse_common.h"

namespace aqueduct::runtime_adapters::thin {
namespace {

using Json = nlohmann::ordered_json;

// The runtime's fuse spec over the profile's, field by field as Fluid merges them.
core::ComponentSpec merge_fuse(const core::ComponentSpec& profile, const core::ComponentSpec& rt) {
  core::ComponentSpec out = rt;
  if (out.image.empty()) out.image = profile.image;
  if (out.image_tag.empty()) out.image_tag = profile.image_tag;
  if (out.image_pull_policy.empty()) out.image_pull_policy = profile.image_pull_policy;
  if (out.command.empty()) out.command = profile.command;
  if (out.args.empty()) out.args = profile.args;
  if (out.node_selector.empty()) out.node_selector = profile.node_selector;
  if (out.network_mode.empty()) out.network_mode = profile.network_mode;
  if (out.requests.cpu_milli == 0 && out.requests.memory_bytes == 0)
    out.requests = profile.requests;
  if (out.limits.cpu_milli == 0 && out.limits.memory_bytes == 0) out.limits = profile.limits;
  out.env = profile.env;
  out.env.insert(out.env.end(), rt.env.begin(), rt.env.end());
  out.options = profile.options;
  for (const auto& [k, v] : rt.options) out.options[k] = v;
  return out;
}

}  // namespace

std::string config_map_name(const core::Runtime& rt) { return rt.meta.name + "-fuse-conf"; }

core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt) {
  const std::string where = "ThinRuntime " + rt.meta.namespace_ + "/" + rt.meta.name;
  Plan p;
  p.effective = rt;
  p.file_system_type = "fuse";
  if (!rt.profile_name.empty()) {
    if (!rt.thin_profile) {
      return core::not_found(where + ": spec.profileName: ThinRuntimeProfile \"" + rt.profile_name +
                             "\" not found");
    }
    p.effective.fuse = merge_fuse(rt.thin_profile->fuse, rt.fuse);
    if (!rt.thin_profile->file_system_type.empty())
      p.file_system_type = rt.thin_profile->file_system_type;
  }
  if (p.effective.fuse.image.empty()) {
    return core::invalid_argument(
        where + ": spec.fuse.image: required (the FUSE client's image), from the runtime or " +
        (rt.profile_name.empty() ? std::string("a ThinRuntimeProfile named by spec.profileName")
                                 : "ThinRuntimeProfile \"" + rt.profile_name + "\""));
  }
  const std::string& mode =
      p.effective.fuse.network_mode.empty() ? rt.network_mode : p.effective.fuse.network_mode;
  p.host_network = mode != "ContainerNetwork";

  // MOUNT_OPTIONS.
  std::map<std::string, std::string> options;
  if (std::find(ds.access_modes.begin(), ds.access_modes.end(), "ReadOnlyMany") !=
      ds.access_modes.end())
    options["ro"] = "";
  for (const auto& [k, v] : p.effective.fuse.options) options[k] = v;
  for (const auto& [k, v] : options)
    p.mount_options += (p.mount_options.empty() ? "" : ",") + (v.empty() ? k : k + "=" + v);

  // Host folders the mounts ask for (Fluid's fluid.fuse.hostvolume option).
  const bool read_only = options.count("ro") > 0;
  for (std::size_t i = 0; i < ds.mounts.size(); ++i) {
    auto it = ds.mounts[i].options.find("fluid.fuse.hostvolume");
    if (it == ds.mounts[i].options.end()) continue;
    const std::string field = "Dataset " + ds.meta.namespace_ + "/" + ds.meta.name +
                              ": spec.mounts[" + std::to_string(i) +
                              "].options.fluid.fuse.hostvolume";
    const std::string& v = it->second;
    const auto colon = v.find(':');
    const std::string host = v.substr(0, colon);
    const std::string in_pod = colon == std::string::npos ? host : v.substr(colon + 1);
    if (host.empty() || host.front() != '/' || in_pod.empty() || in_pod.front() != '/' ||
        in_pod.find(':') != std::string::npos) {
      return core::invalid_argument(
          field + ": expected /host/path or /host/path:/path/in/pod, got \"" + v + "\"");
    }
    for (const auto& m : p.host_mounts) {
      if (m["mountPath"] == in_pod)
        return core::invalid_argument(field + ": " + in_pod + " is mounted twice");
    }
    const std::string name = "fluid-fuse-hostvolume-" + std::to_string(p.host_volumes.size());
    p.host_volumes.push_back({{"name", name}, {"hostPath", {{"path", host}}}});
    p.host_mounts.push_back({{"name", name}, {"mountPath", in_pod}, {"readOnly", read_only}});
  }

  // config.json: each Secret mounted once, each encryptOption its file's path.
  std::map<std::string, bool> secret_mounted;
  auto secret_path = [&](const core::EncryptOption& eo) {
    const std::string& secret = eo.secret_key_ref.name;
    const std::string dir = std::string(kSecretsDir) + "/" + secret;
    if (!secret_mounted[secret]) {
      secret_mounted[secret] = true;
      const std::string vol = "thin-fuseconfig-" + secret;
      p.secret_volumes.push_back({{"name", vol}, {"secret", {{"secretName", secret}}}});
      p.secret_mounts.push_back({{"name", vol}, {"mountPath", dir}, {"readOnly", true}});
    }
    return dir + "/" + eo.secret_key_ref.key;
  };
  Json mounts = Json::array();
  for (const core::Mount& m : ds.mounts) {
    std::map<std::string, std::string> o = ds.shared_options;
    for (const auto& [k, v] : m.options) o[k] = v;
    for (const auto* list : {&ds.shared_encrypt_options, &m.encrypt_options}) {
      // An encryptOption wins over a plain option of the same name.
      for (const auto& eo : *list) o[eo.name] = secret_path(eo);
    }
    Json j = {{"mountPoint", m.mount_point}};
    if (!o.empty()) j["options"] = o;
    if (!m.name.empty()) j["name"] = m.name;
    if (!m.path.empty()) j["path"] = m.path;
    if (m.read_only) j["readOnly"] = true;
    if (m.shared) j["shared"] = true;
    mounts.push_back(std::move(j));
  }
  if (ds.mounts.empty()) {
    // A dataset mounted later still gets its shared secrets' files.
    for (const auto& eo : ds.shared_encrypt_options) secret_path(eo);
  }
  Json config = {{"mounts", mounts}, {"targetPath", fuse_common::mount_point("thin", ds)}};
  if (!rt.fuse.options.empty()) config["runtimeOptions"] = rt.fuse.options;
  config["accessModes"] =
      ds.access_modes.empty() ? Json::array({"ReadOnlyMany"}) : Json(ds.access_modes);
  p.config_json = config.dump();
  return p;
}

}  // namespace aqueduct::runtime_adapters::thin
