// Jindo: jindo-fuse talks to the dataset's namespace service; amd64 images only.
#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_jindo_fuse(const core::Dataset& ds,
                                                   const core::Runtime& rt) {
  core::FuseTemplate t = fc::base_template("jindo", ds, rt);
  const std::string root = fc::mount_root("jindo", ds), mp = fc::mount_point("jindo", ds);
  fc::Json env = fc::env_list({{"FLUID_RUNTIME_TYPE", "jindo"},
                               {"FLUID_RUNTIME_NAMESPACE", ds.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", ds.meta.name},
                               {"CLIENT_NAMESPACE_RPC_ADDRESS",
                                ds.meta.name + "-jindofs-master-0." + ds.meta.namespace_ + ":8101"},
                               {"FLUID_FUSE_MOUNTPOINT", mp}},
                              rt);
  fc::Json args = fc::Json::array({"-okernel_cache", "-oro", "-oattr_timeout=7200",
                                   "-oentry_timeout=7200", "-onegative_timeout=7200"});
  for (const auto& a : rt.fuse.args) args.push_back(a);
  fc::Json mounts = fc::Json::array(
      {{{"name", "jindofs-fuse-device"}, {"mountPath", "/dev/fuse"}},
       {{"name", "jindofs-fuse-mount"}, {"mountPath", root}, {"mountPropagation", "Bidirectional"}},
       {{"name", "volume-localtime"}, {"mountPath", "/etc/localtime"}, {"readOnly", true}}});
  t.volumes.push_back(fc::host_path_volume("jindofs-fuse-device", "/dev/fuse", "CharDevice"));
  t.volumes.push_back(fc::host_path_volume("jindofs-fuse-mount", root, "DirectoryOrCreate"));
  t.volumes.push_back(fc::host_path_volume("volume-localtime", "/etc/localtime", "File"));
  int n = 0;
  for (const auto& level : rt.tiers) {
    for (const auto& path : level.paths) {
      std::string name = "datavolume-" + std::to_string(n++);
      mounts.push_back({{"name", name}, {"mountPath", path}});
      t.volumes.push_back(fc::host_path_volume(name, path, "DirectoryOrCreate"));
    }
  }
  t.container = fc::fuse_container(
      "jindofs-fuse",
      fc::fuse_image(rt, "registry.cn-shanghai.aliyuncs.com/jindofs/jindo-fuse:6.2.0"), rt,
      fc::Json::array({"/entrypoint.sh"}), args, env, fc::Json::array({"umount", "-l", mp}),
      mounts);
  return t;
}

}  // namespace aqueduct::runtime_adapters
