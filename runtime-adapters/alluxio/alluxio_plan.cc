#include "alluxio_plan.h"

#include "../common/fuse_common.h"
#include "../common/workload_common.h"

namespace aqueduct::runtime_adapters::alluxio {
namespace {

using Json = nlohmann::ordered_json;

std::string env_name(const std::string& option) {
  std::string out = "ALLUXIO_SECRET_";
  for (char c : option)
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  return out;
}

std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string alluxio_size(std::int64_t bytes) {
  static const char* units[] = {"TB", "GB", "MB", "KB"};
  static const int shifts[] = {40, 30, 20, 10};
  for (int i = 0; i < 4; ++i) {
    const std::int64_t unit = std::int64_t{1} << shifts[i];
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + units[i];
  }
  return std::to_string(bytes) + "B";
}

std::string Plan::java_opts() const {
  std::string out;
  for (const auto& [k, v] : properties) out += (out.empty() ? "-D" : " -D") + k + "=" + v;
  return out;
}

core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt) {
  const std::string where = "Dataset " + ds.meta.namespace_ + "/" + ds.meta.name;
  if (ds.mounts.empty()) return core::invalid_argument(where + ": spec.mounts: none to mount");
  Plan p;
  p.master_host = rt.meta.name + "-master-0." + ds.meta.namespace_;
  auto& props = p.properties;
  props["alluxio.master.hostname"] = p.master_host;
  props["alluxio.master.rpc.port"] = std::to_string(kMasterRpcPort);
  props["alluxio.master.journal.type"] = "UFS";
  props["alluxio.master.journal.folder"] = "/journal";
  props["alluxio.user.file.replication.max"] = "1";

  // Secrets: an env variable per encryptOption name, from its Secret.
  p.secret_env = Json::array();
  std::map<std::string, std::string> secret_ref;  // option name -> its env variable
  auto add_secret = [&](const core::EncryptOption& eo) {
    if (secret_ref.count(eo.name)) return;
    const std::string env = env_name(eo.name);
    p.secret_env.push_back(
        {{"name", env},
         {"valueFrom",
          {{"secretKeyRef", {{"name", eo.secret_key_ref.name}, {"key", eo.secret_key_ref.key}}}}}});
    secret_ref[eo.name] = env;
  };
  for (const auto& eo : ds.shared_encrypt_options) add_secret(eo);
  for (const auto& m : ds.mounts)
    for (const auto& eo : m.encrypt_options) add_secret(eo);

  // A mount's options: the dataset's shared ones, its own, and its secrets as
  // references: `open` and `close` wrap the env variable's name ("$(" ")"
  // for Kubernetes to expand in an env value, "${" "}" for the shell).
  auto mount_options = [&](const core::Mount& m, const char* open, const char* close) {
    std::map<std::string, std::string> o = ds.shared_options;
    for (const auto& [k, v] : m.options) o[k] = v;
    for (const auto& eo : ds.shared_encrypt_options)
      o[eo.name] = open + secret_ref[eo.name] + close;
    for (const auto& eo : m.encrypt_options) o[eo.name] = open + secret_ref[eo.name] + close;
    return o;
  };

  const bool root_mount = ds.mounts.size() == 1 && ds.mounts.front().path == "/";
  if (root_mount) {
    props["alluxio.master.mount.table.root.ufs"] = ds.mounts.front().mount_point;
    for (const auto& [k, v] : mount_options(ds.mounts.front(), "$(", ")"))
      props["alluxio.master.mount.table.root.option." + k] = v;
  } else {
    props["alluxio.master.mount.table.root.ufs"] = "/underFSStorage";
    std::string s =
        "#!/bin/bash\n"
        "# Mounts the dataset's under-storage once the master answers.\n"
        "set -e\n"
        "until alluxio fs ls / > /dev/null 2>&1; do sleep 2; done\n";
    for (const auto& m : ds.mounts) {
      std::string path = m.path.empty() ? "/" + m.name : m.path;
      if (path == "/")
        return core::invalid_argument(where +
                                      ": spec.mounts[]: only a single mount may use path "
                                      "\"/\" (it becomes the namespace root)");
      std::string cmd = "alluxio fs mount";
      if (m.read_only) cmd += " --readonly";
      if (m.shared) cmd += " --shared";
      for (const auto& [k, v] : mount_options(m, "${", "}")) {
        // Secrets stay variable references, expanded by the shell.
        const bool secret = v.rfind("${", 0) == 0;
        cmd += " --option " + (secret ? "\"" + k + "=" + v + "\"" : single_quoted(k + "=" + v));
      }
      cmd += " " + single_quoted(path) + " " + single_quoted(m.mount_point);
      s += "if ! alluxio fs mount | grep -q \" on " + path + " \"; then\n  " + cmd + "\nfi\n";
    }
    s += "echo \"under-storage mounted\"\nexec sleep infinity\n";
    p.mount_script = s;
  }

  // The workers' tiered store.
  if (!rt.tiers.empty()) {
    props["alluxio.worker.tieredstore.levels"] = std::to_string(rt.tiers.size());
    for (std::size_t i = 0; i < rt.tiers.size(); ++i) {
      const auto& level = rt.tiers[i];
      const std::string t = "alluxio.worker.tieredstore.level" + std::to_string(i);
      std::string alias = core::medium_name(level.medium);
      std::string paths, quotas, media;
      for (std::size_t j = 0; j < level.paths.size(); ++j) {
        paths += (j ? "," : "") + level.paths[j] + "/" + ds.meta.namespace_ + "/" + rt.meta.name;
        const std::int64_t q = j < level.quota_list.size()
                                   ? level.quota_list[j]
                                   : level.quota_bytes / std::int64_t(level.paths.size());
        quotas += (j ? "," : "") + alluxio_size(q);
        media += (j ? "," : "") + alias;
      }
      props[t + ".alias"] = alias;
      props[t + ".dirs.mediumtype"] = media;
      if (!paths.empty()) props[t + ".dirs.path"] = paths;
      if (!quotas.empty()) props[t + ".dirs.quota"] = quotas;
      props[t + ".watermark.high.ratio"] = ratio(level.high);
      props[t + ".watermark.low.ratio"] = ratio(level.low);
    }
  }
  for (const auto& [k, v] : rt.properties) props[k] = v;  // the runtime's own win
  return p;
}

Json master_service(const core::Dataset& ds, const core::Runtime& rt, const Json& labels,
                    const Json& owners) {
  return workload_common::pod_service(rt.meta.name + "-master-0", ds, labels, owners,
                                      Json::array({{{"name", "rpc"}, {"port", kMasterRpcPort}},
                                                   {{"name", "web"}, {"port", 19999}},
                                                   {{"name", "job-rpc"}, {"port", 20001}},
                                                   {{"name", "job-web"}, {"port", 20002}}}));
}

}  // namespace aqueduct::runtime_adapters::alluxio
