// Alluxio: alluxio-fuse mounts the Alluxio namespace root through the
// runtime's master (alluxio_plan.h: its Service name, the tiered store and
// under-storage properties); amd64 images only.
#include "../common/fuse_common.h"
#include "alluxio_plan.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_alluxio_fuse(const core::Dataset& ds,
                                                     const core::Runtime& rt) {
  core::FuseTemplate t = fc::base_template("alluxio", ds, rt);
  const std::string root = fc::mount_root("alluxio", ds), mp = fc::mount_point("alluxio", ds);
  AQ_ASSIGN_OR_RETURN(alluxio::Plan plan, alluxio::plan(ds, rt));
  // NODE_IP and the secrets come first: the Java options refer to them as
  // $(NAME), which Kubernetes expands.
  fc::Json env = plan.secret_env;
  env.push_back(
      {{"name", "NODE_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.hostIP"}}}}}});
  const std::string java_opts = plan.java_opts() + " -Dalluxio.user.hostname=$(NODE_IP)";
  for (auto& e : fc::env_list({{"FLUID_RUNTIME_TYPE", "alluxio"},
                               {"FLUID_RUNTIME_NAMESPACE", ds.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", ds.meta.name},
                               {"ALLUXIO_FUSE_JAVA_OPTS", java_opts}},
                              rt))
    env.push_back(std::move(e));
  fc::Json args = fc::Json::array(
      {"fuse",
       "--fuse-opts=kernel_cache,ro,max_read=131072,attr_timeout=7200,entry_timeout=7200,"
       "allow_other",
       mp, "/"});
  for (const auto& a : rt.fuse.args) args.push_back(a);
  fc::Json mounts = fc::Json::array({{{"name", "alluxio-fuse-device"}, {"mountPath", "/dev/fuse"}},
                                     {{"name", "alluxio-fuse-mount"},
                                      {"mountPath", root},
                                      {"mountPropagation", "Bidirectional"}}});
  t.volumes.push_back(fc::host_path_volume("alluxio-fuse-device", "/dev/fuse", "CharDevice"));
  t.volumes.push_back(fc::host_path_volume("alluxio-fuse-mount", root, "DirectoryOrCreate"));
  // The workers' tier paths, for short-circuit reads (dropped unless the pod
  // asks for cache dirs).
  for (std::size_t i = 0; i < rt.tiers.size(); ++i) {
    const auto& level = rt.tiers[i];
    std::string medium = core::medium_name(level.medium);
    for (auto& ch : medium) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (std::size_t j = 0; j < level.paths.size(); ++j) {
      std::string name = medium + "-" + std::to_string(i) + "-" + std::to_string(j);
      mounts.push_back({{"name", name}, {"mountPath", level.paths[j]}});
      t.volumes.push_back(fc::host_path_volume(name, level.paths[j], "DirectoryOrCreate"));
    }
  }
  t.container = fc::fuse_container(
      "alluxio-fuse", fc::fuse_image(rt, "alluxio/alluxio-fuse:2.8.1"), rt,
      fc::Json::array({"/entrypoint.sh"}), args, env,
      fc::Json::array({"/opt/alluxio/integration/fuse/bin/alluxio-fuse", "unmount", mp}), mounts);
  return t;
}

}  // namespace aqueduct::runtime_adapters
