// JuiceFS: the client mounts the volume named by the Dataset (metaurl for the
// community edition, token for the enterprise one) and caches blocks in the
// runtime's tiered-store paths; its images are multi-arch (amd64, arm64).
#include <numeric>

#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_juicefs_fuse(const core::Dataset& ds,
                                                     const core::Runtime& rt) {
  core::FuseTemplate t = fc::base_template("juicefs", ds, rt);
  const std::string root = fc::mount_root("juicefs", ds), mp = fc::mount_point("juicefs", ds);
  fc::Json env = fc::env_list({{"FLUID_RUNTIME_TYPE", "juicefs"},
                               {"FLUID_RUNTIME_NAMESPACE", ds.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", ds.meta.name}},
                              rt);
  fc::Json metaurl = fc::secret_env(ds, "METAURL", "metaurl");
  fc::Json token = fc::secret_env(ds, "TOKEN", "token");
  if (metaurl.is_null() && token.is_null()) {
    return core::invalid_argument("Dataset " + ds.meta.namespace_ + "/" + ds.meta.name +
                                  ": spec.mounts[].encryptOptions: JuiceFS needs a \"metaurl\" "
                                  "(community) or \"token\" (enterprise) secret reference");
  }
  env.push_back(metaurl.is_null() ? token : metaurl);
  for (auto [var, opt] : {std::pair{"ACCESS_KEY", "access-key"}, {"SECRET_KEY", "secret-key"}}) {
    if (fc::Json e = fc::secret_env(ds, var, opt); !e.is_null()) env.push_back(e);
  }

  fc::Json mounts = fc::Json::array({{{"name", "juicefs-fuse-mount"},
                                      {"mountPath", root},
                                      {"mountPropagation", "Bidirectional"}}});
  t.volumes.push_back(fc::host_path_volume("juicefs-fuse-mount", root, "DirectoryOrCreate"));
  std::string cache_dirs;
  int n = 0;
  std::int64_t quota = 0;
  for (const auto& level : rt.tiers) {
    quota += level.quota_bytes;
    for (const auto& path : level.paths) {
      std::string name = "cache-dir-" + std::to_string(++n);
      mounts.push_back({{"name", name}, {"mountPath", path}});
      t.volumes.push_back(fc::host_path_volume(name, path, "DirectoryOrCreate"));
      cache_dirs += (cache_dirs.empty() ? "" : ":") + path;
    }
  }
  if (cache_dirs.empty()) cache_dirs = "memory";
  std::string cmd = metaurl.is_null() ? "exec /sbin/mount.juicefs " + ds.meta.name + " " + mp +
                                            " -o token=${TOKEN},allow_other,foreground"
                                      : "exec juicefs mount ${METAURL} " + mp + " -o allow_other";
  cmd += " --cache-dir=" + cache_dirs;
  if (quota > 0) cmd += " --cache-size=" + std::to_string(quota >> 20);
  t.container =
      fc::fuse_container("juicefs-fuse", fc::fuse_image(rt, "juicedata/juicefs-fuse:ce-v1.1.0"), rt,
                         fc::Json::array({"sh", "-c", cmd}), nullptr, env,
                         fc::Json::array({"sh", "-c", "umount " + mp}), mounts);
  t.container["ports"] = fc::Json::array({{{"name", "juicefs-metrics"}, {"containerPort", 9567}}});
  return t;
}

}  // namespace aqueduct::runtime_adapters
