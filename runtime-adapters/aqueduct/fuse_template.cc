// Aqueduct: `aqueduct fuse mount` over the runtime's `aqueduct worker`s,
// reading the dataset's local://, http(s):// or s3:// source on a miss; one
// multi-arch image (amd64, arm64). Arguments from spec.fuse.args follow ours
// (e.g. --block-size 8Mi, --meta-ttl 30s). The workers' token comes from the
// runtime's token Secret, mounted read-only, with the mutual-TLS
// certificate the mount presents to the workers.
#include "../common/fuse_common.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct_engine.h"

namespace aqueduct::runtime_adapters {
namespace fc = fuse_common;

core::Result<core::FuseTemplate> render_aqueduct_fuse(const core::Dataset& ds,
                                                      const core::Runtime& rt) {
  AQ_ASSIGN_OR_RETURN(std::string source, aqueduct_engine::source_uri(ds));
  core::FuseTemplate t = fc::base_template("aqueduct", ds, rt);
  const std::string root = fc::mount_root("aqueduct", ds), mp = fc::mount_point("aqueduct", ds);
  fc::Json env = fc::env_list({{"FLUID_RUNTIME_TYPE", "aqueduct"},
                               {"FLUID_RUNTIME_NAMESPACE", ds.meta.namespace_},
                               {"FLUID_RUNTIME_NAME", ds.meta.name}},
                              rt);
  for (auto& e : aqueduct_engine::source_env(ds)) env.push_back(std::move(e));
  fc::Json mounts = fc::Json::array({{{"name", "aqueduct-fuse-device"}, {"mountPath", "/dev/fuse"}},
                                     {{"name", "aqueduct-fuse-mount"},
                                      {"mountPath", root},
                                      {"mountPropagation", "Bidirectional"}},
                                     aqueduct_engine::token_mount()});
  t.volumes.push_back(fc::host_path_volume("aqueduct-fuse-device", "/dev/fuse", "CharDevice"));
  t.volumes.push_back(fc::host_path_volume("aqueduct-fuse-mount", root, "DirectoryOrCreate"));
  t.volumes.push_back(aqueduct_engine::token_volume(rt));
  if (auto v = aqueduct_engine::local_source_volume(ds); !v.is_null()) {
    t.volumes.push_back(std::move(v));
    mounts.push_back(aqueduct_engine::local_source_mount(ds));
  }
  fc::Json command =
      fc::Json::array({"aqueduct", "fuse", "mount", mp, "--source", source, "--dataset",
                       ds.meta.namespace_ + "/" + ds.meta.name, "--allow-other", "--recover"});
  const std::string workers = aqueduct_engine::worker_endpoints(rt);
  if (!workers.empty()) {
    command.push_back("--workers");
    command.push_back(workers);
    for (const auto& f : aqueduct_engine::client_credential_flags()) command.push_back(f);
  }
  t.container =
      fc::fuse_container("aqueduct-fuse", fc::fuse_image(rt, aqueduct_engine::kImage), rt, command,
                         rt.fuse.args.empty() ? fc::Json(nullptr) : fc::Json(rt.fuse.args), env,
                         fc::Json::array({"umount", mp}), mounts);
  return t;
}

}  // namespace aqueduct::runtime_adapters
