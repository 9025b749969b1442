// Jindo: jindo-fuse as Fluid's JindoCache chart runs it (jindo_plan.h): the
// host's /runtime-mnt/jindo/<ns>/<dataset> at /jfs, the mount at
// /jfs/jindofs-fuse, the client configured by the runtime's
// <rt>-jindofs-config ConfigMap and its credentials projected into /token;
// amd64 images only.
#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "jindo_plan.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_jindo_fuse(const core::Dataset& ds,
                                                   const core::Runtime& rt) {
  AQ_ASSIGN_OR_RETURN(jindo::Plan plan, jindo::plan(ds, rt));
  core::FuseTemplate t = fc::base_template("jindo", ds, rt);
  const std::string root = fc::mount_root("jindo", ds);
  t.container_mount_path = jindo::kFuseMountDir;
  std::vector<std::pair<std::string, std::string>> base = {
      {"CLIENT_NAMESPACE_RPC_ADDRESS", plan.master_host(0) + ":" + std::to_string(plan.master_rpc)},
      {"FLUID_FUSE_MOUNTPOINT", jindo::kFuseMountPoint}};
  if (rt.master.disabled && rt.worker.disabled) base.emplace_back("FLUID_FUSE_MODE", "fuseOnly");
  base.emplace_back("FLUID_RUNTIME_TYPE", "jindofs");
  base.emplace_back("FLUID_RUNTIME_NS", rt.meta.namespace_);
  base.emplace_back("FLUID_RUNTIME_NAME", rt.meta.name);
  fc::Json env = fc::env_list(base, rt);
  fc::Json mounts = fc::Json::array({{{"name", "jindofs-fuse-device"}, {"mountPath", "/dev/fuse"}},
                                     {{"name", "jindofs-fuse-mount"},
                                      {"mountPath", jindo::kFuseMountDir},
                                      {"mountPropagation", "Bidirectional"}}});
  for (const char* file : {"jindocache.cfg", "core-site.xml", "jindosdk.cfg"}) {
    const std::string at = std::string(file) == "core-site.xml"
                               ? "/hdfs-3.2.1/etc/hadoop/core-site.xml"
                               : "/" + std::string(file);
    mounts.push_back({{"name", "bigboot-config"}, {"mountPath", at}, {"subPath", file}});
  }
  t.volumes.push_back(fc::host_path_volume("jindofs-fuse-device", "/dev/fuse", "CharDevice"));
  t.volumes.push_back(fc::host_path_volume("jindofs-fuse-mount", root, "DirectoryOrCreate"));
  for (const auto& [key, v] : plan.worker_volumes) {
    if (v.type != "hostPath") continue;
    mounts.push_back({{"name", "datavolume-" + key}, {"mountPath", v.path}});
    t.volumes.push_back(fc::host_path_volume("datavolume-" + key, v.path, "DirectoryOrCreate"));
  }
  if (!plan.secret_projections.empty()) {
    mounts.push_back(
        {{"name", "jindofs-secret-token"}, {"mountPath", "/token"}, {"readOnly", true}});
    fc::Json sources = fc::Json::array();
    for (const auto& p : plan.secret_projections)
      sources.push_back({{"secret", {{"name", p["name"]}, {"items", p["items"]}}}});
    t.volumes.push_back({{"name", "jindofs-secret-token"}, {"projected", {{"sources", sources}}}});
  }
  t.volumes.push_back(
      {{"name", "bigboot-config"}, {"configMap", {{"name", plan.fullname + "-config"}}}});
  t.container =
      fc::fuse_container("jindofs-fuse", plan.fuse_image, rt, fc::Json::array({"/entrypoint.sh"}),
                         fc::Json(plan.fuse_args), env, fc::Json::array({"/prestop.sh"}), mounts);
  if (rt.fuse.image_pull_policy.empty()) t.container["imagePullPolicy"] = "Always";
  return t;
}

}  // namespace aqueduct::runtime_adapters
