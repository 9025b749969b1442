#include "aqueduct_engine.h"

#include "aqueduct/core/hash.h"

namespace aqueduct::runtime_adapters::aqueduct_engine {

core::Result<std::string> source_uri(const core::Dataset& ds) {
  const std::string where = "Dataset " + ds.meta.namespace_ + "/" + ds.meta.name;
  if (ds.mounts.empty()) return core::invalid_argument(where + ": spec.mounts: none to read from");
  const std::string& mp = ds.mounts.front().mount_point;
  for (const char* scheme : {"local://", "http://", "https://"}) {
    if (mp.rfind(scheme, 0) == 0) return mp;
  }
  return core::invalid_argument(where + ": spec.mounts[0].mountPoint \"" + mp +
                                "\": AqueductRuntime reads local:// and http(s):// sources");
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
