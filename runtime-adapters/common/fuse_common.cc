#include "fuse_common.h"

#include "aqueduct/runtime_adapters/engine_profile.h"

namespace aqueduct::runtime_adapters::fuse_common {

std::string mount_root(const std::string& engine, const core::Dataset& ds) {
  return "/runtime-mnt/" + engine + "/" + ds.meta.namespace_ + "/" + ds.meta.name;
}

std::string mount_point(const std::string& engine, const core::Dataset& ds) {
  // Jindo's client mounts at <root>/jindofs-fuse (Fluid's jindoFuseMountpath).
  return mount_root(engine, ds) + "/" + (engine == "jindo" ? "jindofs" : engine) + "-fuse";
}

std::string fuse_image(const core::Runtime& rt, const std::string& default_image) {
  if (rt.fuse.image.empty()) return default_image;
  return rt.fuse.image_tag.empty() ? rt.fuse.image : rt.fuse.image + ":" + rt.fuse.image_tag;
}

Json env_vars(const std::vector<core::EnvVar>& env) {
  Json out = Json::array();
  for (const auto& e : env) {
    Json v = {{"name", e.name}};
    const std::string secret = "secretKeyRef:", cm = "configMapKeyRef:";
    auto ref = [&](const std::string& prefix, const char* kind) {
      std::string rest = e.value_from.substr(prefix.size());
      auto slash = rest.find('/');
      v["valueFrom"] = {{kind, {{"name", rest.substr(0, slash)}, {"key", rest.substr(slash + 1)}}}};
    };
    if (e.value_from.rfind(secret, 0) == 0) {
      ref(secret, "secretKeyRef");
    } else if (e.value_from.rfind(cm, 0) == 0) {
      ref(cm, "configMapKeyRef");
    } else {
      v["value"] = e.value;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Json env_list(const std::vector<std::pair<std::string, std::string>>& base,
              const core::Runtime& rt) {
  Json out = Json::array();
  for (const auto& [k, v] : base) out.push_back({{"name", k}, {"value", v}});
  for (auto& v : env_vars(rt.fuse.env)) out.push_back(std::move(v));
  return out;
}

namespace {
Json resource_list(const core::Resources& r) {
  Json o = Json::object();
  if (r.cpu_milli) o["cpu"] = std::to_string(r.cpu_milli) + "m";
  if (r.memory_bytes) o["memory"] = std::to_string(r.memory_bytes);
  return o;
}
}  // namespace

Json resources(const core::Runtime& rt) {
  Json o = Json::object();
  if (Json q = resource_list(rt.fuse.requests); !q.empty()) o["requests"] = q;
  if (Json q = resource_list(rt.fuse.limits); !q.empty()) o["limits"] = q;
  return o;
}

Json host_path_volume(const std::string& name, const std::string& path, const std::string& type) {
  Json hp = {{"path", path}};
  if (!type.empty()) hp["type"] = type;
  return {{"name", name}, {"hostPath", hp}};
}

Json privileged_context() {
  return {{"privileged", true}, {"capabilities", {{"add", Json::array({"SYS_ADMIN"})}}}};
}

Json secret_env(const core::Dataset& ds, const std::string& env_name, const std::string& option) {
  for (const auto& m : ds.mounts) {
    for (const auto& eo : m.encrypt_options) {
      if (eo.name != option) continue;
      return {
          {"name", env_name},
          {"valueFrom",
           {{"secretKeyRef", {{"name", eo.secret_key_ref.name}, {"key", eo.secret_key_ref.key}}}}}};
    }
  }
  for (const auto& eo : ds.shared_encrypt_options) {
    if (eo.name != option) continue;
    return {
        {"name", env_name},
        {"valueFrom",
         {{"secretKeyRef", {{"name", eo.secret_key_ref.name}, {"key", eo.secret_key_ref.key}}}}}};
  }
  return nullptr;
}

Json fuse_container(const std::string& name, const std::string& image, const core::Runtime& rt,
                    Json command, Json args, Json env, Json pre_stop, Json mounts) {
  Json c = {{"name", name},
            {"image", image},
            {"imagePullPolicy",
             rt.fuse.image_pull_policy.empty() ? "IfNotPresent" : rt.fuse.image_pull_policy}};
  if (!command.is_null()) c["command"] = std::move(command);
  if (!args.is_null()) c["args"] = std::move(args);
  c["env"] = std::move(env);
  c["resources"] = resources(rt);
  c["securityContext"] = privileged_context();
  c["lifecycle"] = {{"preStop", {{"exec", {{"command", std::move(pre_stop)}}}}}};
  c["volumeMounts"] = std::move(mounts);
  return c;
}

core::FuseTemplate base_template(const std::string& engine, const core::Dataset& ds,
                                 const core::Runtime& rt) {
  core::FuseTemplate t;
  t.fs_type = engine;
  t.host_mount_path = mount_point(engine, ds);
  t.container_mount_path = mount_root(engine, ds);
  t.arches = engine_profile(rt.engine).arches;
  return t;
}

}  // namespace aqueduct::runtime_adapters::fuse_common
