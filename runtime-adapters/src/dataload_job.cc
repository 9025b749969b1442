#include "aqueduct/runtime_adapters/dataload_job.h"

#include <sstream>

#include "../aqueduct/aqueduct_engine.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::runtime_adapters {
namespace {

using Json = nlohmann::ordered_json;

// Single quotes for sh, with embedded quotes escaped.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string load_command(const core::DataLoad& load, const core::Runtime& rt) {
  std::vector<std::string> paths;
  for (const auto& t : load.targets) paths.push_back(t.path.empty() ? "/" : t.path);
  if (paths.empty()) paths.push_back("/");
  std::ostringstream cmd;
  cmd << "set -e; ";
  for (const auto& p : paths) {
    const std::string in_mount = "/data" + (p == "/" ? std::string() : p);
    switch (rt.engine) {
      case core::RuntimeEngine::kJuiceFs:
        cmd << "juicefs warmup " << quoted(in_mount) << "; ";
        break;
      case core::RuntimeEngine::kAlluxio:
        cmd << "alluxio fs distributedLoad " << quoted(p) << "; ";
        break;
      case core::RuntimeEngine::kJindo:
        cmd << "jindo fs -load -meta -data " << quoted("jfs://" + load.dataset_name + p) << "; ";
        break;
      default:
        cmd << "find " << quoted(in_mount) << " -type f -exec cat {} + > /dev/null; ";
    }
  }
  cmd << "echo loaded";
  return cmd.str();
}

}  // namespace

std::string dataload_job_name(const core::DataLoad& load) { return load.meta.name + "-loader-job"; }

Json render_dataload_job(const core::DataLoad& load, const core::Dataset& ds,
                         const core::Runtime& rt, const std::string& dataload_uid) {
  std::string image = "busybox:1.36";
  if (auto t = render_fuse_template(ds, rt); t.ok() && t->container.contains("image")) {
    image = t->container["image"].get<std::string>();  // the engine's client has its load tool
  }
  const Json labels = {{"fluid.io/dataload", load.meta.name},
                       {"fluid.io/dataset-id", ds.meta.namespace_ + "-" + ds.meta.name}};
  Json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", dataload_job_name(load)},
                {"namespace", load.meta.namespace_},
                {"labels", labels}}},
              {"spec",
               {{"backoffLimit", 3},
                {"template",
                 {{"metadata", {{"labels", labels}}},
                  {"spec",
                   {{"restartPolicy", "OnFailure"},
                    {"containers",
                     Json::array({{{"name", "loader"},
                                   {"image", image},
                                   {"command", Json::array({"sh", "-c", load_command(load, rt)})},
                                   {"volumeMounts", Json::array({{{"name", "data"},
                                                                  {"mountPath", "/data"},
                                                                  {"readOnly", true}}})}}})},
                    {"volumes",
                     Json::array({{{"name", "data"},
                                   {"persistentVolumeClaim",
                                    {{"claimName", ds.meta.name}, {"readOnly", true}}}}})}}}}}}}};
  if (!dataload_uid.empty()) {
    job["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "data.fluid.io/v1alpha1"},
                                                       {"kind", "DataLoad"},
                                                       {"name", load.meta.name},
                                                       {"uid", dataload_uid},
                                                       {"controller", true},
                                                       {"blockOwnerDeletion", true}}});
  }
  if (rt.engine == core::RuntimeEngine::kAqueduct) {
    // `aqueduct load` puts the blocks straight into the workers: no mount needed.
    Json& pod = job["spec"]["template"]["spec"];
    Json cmd =
        Json::array({"aqueduct", "load", "--source", aqueduct_engine::source_uri(ds).value_or(""),
                     "--workers", aqueduct_engine::worker_endpoints(rt)});
    for (const auto& f : aqueduct_engine::client_credential_flags()) cmd.push_back(f);
    for (const auto& t : load.targets) cmd.push_back(t.path.empty() ? "/" : t.path);
    pod["containers"][0]["command"] = cmd;
    pod["containers"][0]["volumeMounts"] = Json::array({aqueduct_engine::token_mount()});
    if (auto env = aqueduct_engine::source_env(ds); !env.empty()) pod["containers"][0]["env"] = env;
    pod["volumes"] = Json::array({aqueduct_engine::token_volume(rt)});
    if (auto v = aqueduct_engine::local_source_volume(ds); !v.is_null()) {
      pod["volumes"].push_back(std::move(v));
      pod["containers"][0]["volumeMounts"].push_back(aqueduct_engine::local_source_mount(ds));
    }
  }
  return job;
}

}  // namespace aqueduct::runtime_adapters
