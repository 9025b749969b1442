// Thin: a user-supplied FUSE image (any file system with a FUSE client); the
// runtime must name it. Its mount config comes from a ConfigMap the runtime
// controller writes; amd64 unless the image says otherwise (not knowable here).
#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_thin_fuse(const core::Dataset& ds,
                                                  const core::Runtime& rt) {
  if (rt.fuse.image.empty()) {
    return core::invalid_argument("ThinRuntime " + rt.meta.namespace_ + "/" + rt.meta.name +
                                  ": spec.fuse.image: required (the FUSE image to run; "
                                  "ThinRuntimeProfile images are not looked up)");
  }
  core::FuseTemplate t = fc::base_template("thin", ds, rt);
  const std::string root = fc::mount_root("thin", ds), mp = fc::mount_point("thin", ds);
  fc::Json env = fc::env_list({{"FLUID_RUNTIME_TYPE", "thin"},
                               {"FLUID_RUNTIME_NAMESPACE", ds.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", ds.meta.name},
                               {"FLUID_RUNTIME_CONFIG_PATH", "/etc/fluid/config/config.json"},
                               {"FLUID_FUSE_MOUNTPOINT", mp}},
                              rt);
  fc::Json mounts = fc::Json::array(
      {{{"name", "thin-fuse-device"}, {"mountPath", "/dev/fuse"}},
       {{"name", "thin-fuse-mount"}, {"mountPath", root}, {"mountPropagation", "Bidirectional"}},
       {{"name", "thin-runtime-config"}, {"mountPath", "/etc/fluid/config"}, {"readOnly", true}}});
  t.volumes.push_back(fc::host_path_volume("thin-fuse-device", "/dev/fuse", "CharDevice"));
  t.volumes.push_back(fc::host_path_volume("thin-fuse-mount", root, "DirectoryOrCreate"));
  t.volumes.push_back({{"name", "thin-runtime-config"},
                       {"configMap", {{"name", ds.meta.name + "-thin-fuse-config"}}}});
  t.container =
      fc::fuse_container("thin-fuse", fc::fuse_image(rt, ""), rt, nullptr,
                         rt.fuse.args.empty() ? fc::Json(nullptr) : fc::Json(rt.fuse.args), env,
                         fc::Json::array({"umount", "-l", mp}), mounts);
  return t;
}

}  // namespace aqueduct::runtime_adapters
