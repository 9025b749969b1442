// JuiceFS: the client runs the runtime's FUSE script (ConfigMap
// <runtime>-fuse-script, juicefs_plan.h): format or auth, then
// `exec mount.juicefs` with Fluid's options, caching in the first tier
// level's folders; its images are multi-arch (amd64, arm64).
#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "juicefs_plan.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_juicefs_fuse(const core::Dataset& ds,
                                                     const core::Runtime& rt) {
  AQ_ASSIGN_OR_RETURN(juicefs::Plan plan, juicefs::plan(ds, rt));
  core::FuseTemplate t = fc::base_template("juicefs", ds, rt);
  const std::string root = fc::mount_root("juicefs", ds), mp = fc::mount_point("juicefs", ds);
  fc::Json env = fc::env_list({{"FLUID_RUNTIME_TYPE", "juicefs"},
                               {"FLUID_RUNTIME_NAMESPACE", ds.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", ds.meta.name}},
                              rt);
  for (const auto& e : plan.env) env.push_back(e);

  fc::Json mounts = fc::Json::array(
      {{{"name", "juicefs-fuse-mount"}, {"mountPath", root}, {"mountPropagation", "Bidirectional"}},
       {{"name", "juicefs-fuse-script"}, {"mountPath", juicefs::kScriptDir}}});
  t.volumes.push_back(fc::host_path_volume("juicefs-fuse-mount", root, "DirectoryOrCreate"));
  t.volumes.push_back(
      {{"name", "juicefs-fuse-script"},
       {"configMap", {{"name", juicefs::fuse_script_config_map(rt)}, {"defaultMode", 0755}}}});
  int n = 0;
  for (const auto& dir : plan.cache_dirs) {
    std::string name = "cache-dir-" + std::to_string(++n);
    mounts.push_back({{"name", name}, {"mountPath", dir}});
    t.volumes.push_back(fc::host_path_volume(name, dir, "DirectoryOrCreate"));
  }
  t.container = fc::fuse_container(
      "juicefs-fuse", plan.image, rt,
      fc::Json::array({"sh", std::string(juicefs::kScriptDir) + "/script.sh"}), nullptr, env,
      fc::Json::array({"sh", "-c", "umount " + juicefs::shell_word(mp)}), mounts);
  t.container["ports"] = fc::Json::array({{{"name", "juicefs-metrics"}, {"containerPort", 9567}}});
  return t;
}

}  // namespace aqueduct::runtime_adapters
