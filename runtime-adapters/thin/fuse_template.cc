// Thin: the FUSE client a ThinRuntimeProfile (or the runtime itself) names,
// run as Fluid's Thin chart runs it (thin_plan.h): config.json from the
// "<runtime>-fuse-conf" ConfigMap, MOUNT_POINT and MOUNT_OPTIONS in the env,
// each encryptOption's Secret as files, the first tier's folder as its cache.
// amd64 unless the image says otherwise (not knowable here).
#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "thin_plan.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_thin_fuse(const core::Dataset& ds,
                                                  const core::Runtime& rt) {
  AQ_ASSIGN_OR_RETURN(thin::Plan plan, thin::plan(ds, rt));
  const core::Runtime& eff = plan.effective;
  core::FuseTemplate t = fc::base_template("thin", ds, eff);
  t.mount_type = plan.file_system_type;
  const std::string root = fc::mount_root("thin", ds), mp = fc::mount_point("thin", ds);
  fc::Json env = fc::env_list({{"FLUID_RUNTIME_TYPE", "thin"},
                               {"FLUID_RUNTIME_NS", rt.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", rt.meta.name}},
                              eff);
  env.push_back({{"name", "MOUNT_POINT"}, {"value", mp}});
  if (!plan.mount_options.empty())
    env.push_back({{"name", "MOUNT_OPTIONS"}, {"value", plan.mount_options}});
  fc::Json mounts = fc::Json::array(
      {{{"name", "thin-fuse-device"}, {"mountPath", "/dev/fuse"}},
       {{"name", "thin-fuse-mount"}, {"mountPath", root}, {"mountPropagation", "Bidirectional"}},
       {{"name", "thin-conf"}, {"mountPath", thin::kConfigDir}, {"readOnly", true}}});
  t.volumes.push_back(fc::host_path_volume("thin-fuse-device", "/dev/fuse", "CharDevice"));
  t.volumes.push_back(fc::host_path_volume("thin-fuse-mount", root, "DirectoryOrCreate"));
  t.volumes.push_back(
      {{"name", "thin-conf"},
       {"configMap",
        {{"name", thin::config_map_name(rt)},
         {"items", fc::Json::array({{{"key", "config.json"}, {"path", "config.json"}}})},
         {"defaultMode", 0444}}}});
  if (!rt.tiers.empty() && !rt.tiers.front().paths.empty()) {
    const std::string& cache = rt.tiers.front().paths.front();
    mounts.push_back({{"name", "cache-dir"}, {"mountPath", cache}});
    t.volumes.push_back(fc::host_path_volume("cache-dir", cache, "DirectoryOrCreate"));
  }
  for (const auto& m : plan.secret_mounts) mounts.push_back(m);
  for (const auto& v : plan.secret_volumes) t.volumes.push_back(v);
  for (const auto& m : plan.host_mounts) mounts.push_back(m);
  for (const auto& v : plan.host_volumes) t.volumes.push_back(v);
  t.container =
      fc::fuse_container("thin-fuse", fc::fuse_image(eff, ""), eff,
                         eff.fuse.command.empty() ? fc::Json(nullptr) : fc::Json(eff.fuse.command),
                         eff.fuse.args.empty() ? fc::Json(nullptr) : fc::Json(eff.fuse.args), env,
                         fc::Json::array({"umount", mp}), mounts);
  t.container["securityContext"]["runAsUser"] = 0;
  t.container["securityContext"]["runAsGroup"] = 0;
  return t;
}

}  // namespace aqueduct::runtime_adapters
