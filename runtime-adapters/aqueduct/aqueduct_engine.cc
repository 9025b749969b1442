#include "aqueduct_engine.h"

#include "../common/fuse_common.h"
#include "aqueduct/core/hash.h"

namespace aqueduct::runtime_adapters::aqueduct_engine {

namespace {
// The first of `keys` set in the mount's options (then the dataset's shared ones).
std::string option(const core::Dataset& ds, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (auto it = ds.mounts.front().options.find(k); it != ds.mounts.front().options.end())
      return it->second;
    if (auto it = ds.shared_options.find(k); it != ds.shared_options.end()) return it->second;
  }
  return "";
}
bool has_secret(const core::Dataset& ds, const char* name) {
  for (const auto& eo : ds.mounts.front().encrypt_options)
    if (eo.name == name) return true;
  for (const auto& eo : ds.shared_encrypt_options)
    if (eo.name == name) return true;
  return false;
}
// S3 credentials: Alluxio's option names, or JuiceFS's.
constexpr std::pair<const char*, const char*> kS3Secrets[] = {
    {"AWS_ACCESS_KEY_ID", "aws.accessKeyId"},
    {"AWS_ACCESS_KEY_ID", "access-key"},
    {"AWS_SECRET_ACCESS_KEY", "aws.secretKey"},
    {"AWS_SECRET_ACCESS_KEY", "secret-key"},
    {"AWS_SESSION_TOKEN", "aws.sessionToken"}};
}  // namespace

core::Result<std::string> source_uri(const core::Dataset& ds) {
  const std::string where = "Dataset " + ds.meta.namespace_ + "/" + ds.meta.name;
  if (ds.mounts.empty()) return core::invalid_argument(where + ": spec.mounts: none to read from");
  const std::string& mp = ds.mounts.front().mount_point;
  for (const char* scheme : {"local://", "http://", "https://"}) {
    if (mp.rfind(scheme, 0) == 0) return mp;
  }
  if (mp.rfind("s3://", 0) == 0) {
    if (mp.find('?') != std::string::npos)
      return core::invalid_argument(where + ": spec.mounts[0].mountPoint \"" + mp +
                                    "\": give the endpoint and region as mount options "
                                    "(s3.endpoint, s3.region), not in the URI");
    std::string uri = mp, sep = "?";
    if (auto e = option(ds, {"s3.endpoint", "alluxio.underfs.s3.endpoint"}); !e.empty()) {
      if (e.find("://") == std::string::npos) e = "https://" + e;  // Alluxio's form: a host
      uri += sep + "endpoint=" + e;
      sep = "&";
    }
    if (auto r = option(ds, {"s3.region", "alluxio.underfs.s3.region"}); !r.empty())
      uri += sep + "region=" + r;
    const bool id = has_secret(ds, "aws.accessKeyId") || has_secret(ds, "access-key");
    const bool secret = has_secret(ds, "aws.secretKey") || has_secret(ds, "secret-key");
    if (id != secret)
      return core::invalid_argument(
          where + ": spec.mounts[0].encryptOptions: " +
          (id ? "an access key id without a secret key" : "a secret key without an access key id") +
          " (aws.accessKeyId and aws.secretKey go together)");
    return uri;
  }
  return core::invalid_argument(where + ": spec.mounts[0].mountPoint \"" + mp +
                                "\": AqueductRuntime reads local://, http(s):// and s3:// sources");
}

nlohmann::ordered_json source_env(const core::Dataset& ds) {
  nlohmann::ordered_json env = nlohmann::ordered_json::array();
  if (ds.mounts.empty() || ds.mounts.front().mount_point.rfind("s3://", 0) != 0) return env;
  std::string done;
  for (const auto& [var, opt] : kS3Secrets) {
    if (done.find(std::string(var) + ";") != std::string::npos) continue;
    auto e = fuse_common::secret_env(ds, var, opt);
    if (e.is_null()) continue;
    env.push_back(std::move(e));
    done += std::string(var) + ";";
  }
  return env;
}

namespace {
std::string local_source_path(const core::Dataset& ds) {
  if (ds.mounts.empty()) return "";
  const std::string& mp = ds.mounts.front().mount_point;
  if (mp.rfind("local://", 0) != 0) return "";
  std::string path = mp.substr(8);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}
constexpr const char* kLocalSourceVolume = "aqueduct-local-source";
}  // namespace

nlohmann::ordered_json local_source_volume(const core::Dataset& ds) {
  const std::string path = local_source_path(ds);
  if (path.empty()) return nullptr;
  return {{"name", kLocalSourceVolume}, {"hostPath", {{"path", path}, {"type", "Directory"}}}};
}

nlohmann::ordered_json local_source_mount(const core::Dataset& ds) {
  const std::string path = local_source_path(ds);
  if (path.empty()) return nullptr;
  return {{"name", kLocalSourceVolume}, {"mountPath", path}, {"readOnly", true}};
}

int worker_port(const core::Runtime& rt) {
  return 20000 + static_cast<int>(core::fnv1a64(rt.meta.namespace_ + "/" + rt.meta.name) % 10000);
}

std::string worker_endpoints(const core::Runtime& rt) {
  std::string out;
  const std::string svc = rt.meta.name + "-worker";
  for (std::int32_t i = 0; i < rt.replicas; ++i) {
    out += (out.empty() ? "" : ",") + svc + "-" + std::to_string(i) + "." + svc + "." +
           rt.meta.namespace_ + ".svc:" + std::to_string(worker_port(rt));
  }
  return out;
}

std::vector<std::string> worker_tiers(const core::Runtime& rt) {
  std::vector<std::string> out;
  for (const auto& level : rt.tiers) {
    std::string medium = core::medium_name(level.medium);
    for (auto& ch : medium) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (level.paths.empty()) {
      out.push_back(medium + ":" + std::to_string(level.quota_bytes));
      continue;
    }
    for (std::size_t i = 0; i < level.paths.size(); ++i) {
      const std::int64_t size =
          i < level.quota_list.size()
              ? level.quota_list[i]
              : level.quota_bytes / static_cast<std::int64_t>(level.paths.size());
      out.push_back(medium + ":" + level.paths[i] + ":" + std::to_string(size));
    }
  }
  if (out.empty()) out.push_back("mem:1Gi");
  return out;
}

std::string token_secret_name(const core::Runtime& rt) { return rt.meta.name + "-worker-token"; }

std::string token_file() { return std::string(kTokenDir) + "/token"; }

nlohmann::ordered_json token_volume(const core::Runtime& rt) {
  return {{"name", kTokenVolume},
          {"secret", {{"secretName", token_secret_name(rt)}, {"defaultMode", 0400}}}};
}

nlohmann::ordered_json token_mount() {
  return {{"name", kTokenVolume}, {"mountPath", kTokenDir}, {"readOnly", true}};
}

std::vector<std::string> worker_tls_names(const core::Runtime& rt) {
  const std::string svc = "*." + rt.meta.name + "-worker." + rt.meta.namespace_ + ".svc";
  return {svc, svc + ".cluster.local"};
}

std::vector<std::string> worker_credential_flags() {
  const std::string dir = kTokenDir;
  return {"--token-file", token_file(),     "--tls-ca",  dir + "/ca.crt",
          "--tls-cert",   dir + "/tls.crt", "--tls-key", dir + "/tls.key"};
}

std::vector<std::string> client_credential_flags() {
  const std::string dir = kTokenDir;
  return {"--worker-token-file", token_file(),     "--worker-tls-ca",  dir + "/ca.crt",
          "--worker-tls-cert",   dir + "/tls.crt", "--worker-tls-key", dir + "/tls.key"};
}

}  // namespace aqueduct::runtime_adapters::aqueduct_engine
