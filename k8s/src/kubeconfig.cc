#include "aqueduct/k8s/kubeconfig.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include "aqueduct/core/yaml/input_limits.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace aqueduct::k8s {
namespace {

namespace fs = std::filesystem;

core::Result<std::string> read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::not_found(what + ": cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::Result<std::string> base64_decode(const std::string& in, const std::string& what) {
  std::string clean;
  for (char c : in) {
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  }
  if (clean.size() % 4 != 0) return core::invalid_argument(what + ": not base64 (length)");
  std::string out(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return core::invalid_argument(what + ": not base64");
  std::size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') ++pad;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

// Finds the entry named `name` in a kubeconfig list (clusters, users, contexts).
YAML::Node named(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& e : list) {
    if (e["name"] && e["name"].as<std::string>("") == name) return e;
  }
  return YAML::Node();
}

// `<field>-data` (base64) or `<field>` (a path) -> PEM text.
core::Result<std::string> pem_of(const YAML::Node& n, const std::string& field, const fs::path& dir,
                                 const std::string& where) {
  if (n[field + "-data"]) {
    return base64_decode(n[field + "-data"].as<std::string>(""), where + "." + field + "-data");
  }
  if (n[field]) {
    fs::path p = n[field].as<std::string>("");
    if (p.is_relative()) p = dir / p;
    return read_file(p.string(), where + "." + field);
  }
  return std::string();
}

// users[].user.exec: the credential plugin, checked as kubectl checks it.
core::Result<ExecPlugin> exec_plugin(const YAML::Node& e, const fs::path& dir,
                                     const std::string& where) {
  ExecPlugin p;
  p.where = where;
  if (!e.IsMap()) return core::invalid_argument(where + ": expected a map");
  p.api_version = e["apiVersion"].as<std::string>("");
  if (p.api_version != "client.authentication.k8s.io/v1" &&
      p.api_version != "client.authentication.k8s.io/v1beta1") {
    return core::invalid_argument(where +
                                  ".apiVersion: expected client.authentication.k8s.io/v1 or "
                                  "/v1beta1, got \"" +
                                  p.api_version + "\"");
  }
  p.command = e["command"].as<std::string>("");
  if (p.command.empty()) return core::invalid_argument(where + ".command: missing");
  // A relative path with a slash is relative to the kubeconfig (as kubectl does).
  if (p.command.find('/') != std::string::npos && fs::path(p.command).is_relative()) {
    p.command = (dir / p.command).string();
  }
  if (e["args"]) {
    if (!e["args"].IsSequence()) return core::invalid_argument(where + ".args: expected a list");
    for (const auto& a : e["args"]) p.args.push_back(a.as<std::string>());
  }
  if (e["env"]) {
    if (!e["env"].IsSequence()) return core::invalid_argument(where + ".env: expected a list");
    for (std::size_t i = 0; i < e["env"].size(); ++i) {
      const YAML::Node& v = e["env"][i];
      const std::string name = v["name"].as<std::string>("");
      if (name.empty() || name.find('=') != std::string::npos) {
        return core::invalid_argument(where + ".env[" + std::to_string(i) +
                                      "].name: expected a variable name");
      }
      p.env.emplace_back(name, v["value"].as<std::string>(""));
    }
  }
  p.install_hint = e["installHint"].as<std::string>("");
  p.provide_cluster_info = e["provideClusterInfo"].as<bool>(false);
  const std::string mode = e["interactiveMode"].as<std::string>("IfAvailable");
  if (mode == "Always") {
    return core::invalid_argument(where +
                                  ".interactiveMode: Always needs a terminal; a controller has "
                                  "none (use Never or IfAvailable)");
  }
  if (mode != "Never" && mode != "IfAvailable") {
    return core::invalid_argument(where +
                                  ".interactiveMode: expected Never, IfAvailable or "
                                  "Always, got \"" +
                                  mode + "\"");
  }
  return p;
}

}  // namespace

// The loader proper; load_kubeconfig turns yaml-cpp's conversion errors
// (a field of the wrong shape) into a Status.
static core::Result<ClusterConfig> load_checked(const std::string& path,
                                                const std::string& context) {
  AQ_ASSIGN_OR_RETURN(std::string text, read_file(path, "kubeconfig"));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return core::invalid_argument(path + ":" + std::to_string(e.mark.line + 1) +
                                  ": not YAML: " + core::yaml_error_message(e));
  }
  AQ_RETURN_IF_ERROR(core::check_yaml_limits(root, path));
  if (!root.IsMap()) return core::invalid_argument(path + ": expected a kubeconfig mapping");
  const fs::path dir = fs::absolute(path).parent_path();
  std::string ctx_name = context;
  if (ctx_name.empty()) ctx_name = root["current-context"].as<std::string>("");
  if (ctx_name.empty())
    return core::invalid_argument(path + ": current-context: not set (pick one with --context)");
  YAML::Node ctx = named(root["contexts"], ctx_name)["context"];
  if (!ctx)
    return core::invalid_argument(path + ": contexts: no context named \"" + ctx_name + "\"");
  const std::string cluster_name = ctx["cluster"].as<std::string>("");
  const std::string user_name = ctx["user"].as<std::string>("");
  YAML::Node cluster = named(root["clusters"], cluster_name)["cluster"];
  if (!cluster) {
    return core::invalid_argument(path + ": clusters: no cluster named \"" + cluster_name +
                                  "\" (context " + ctx_name + ")");
  }
  ClusterConfig c;
  c.server = cluster["server"].as<std::string>("");
  if (c.server.rfind("https://", 0) != 0 && c.server.rfind("http://", 0) != 0) {
    return core::invalid_argument(path + ": clusters[" + cluster_name +
                                  "].cluster.server: expected https://host:port, got \"" +
                                  c.server + "\"");
  }
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  const std::string cwhere = path + ": clusters[" + cluster_name + "].cluster";
  AQ_ASSIGN_OR_RETURN(c.ca_pem, pem_of(cluster, "certificate-authority", dir, cwhere));
  c.insecure_skip_tls_verify = cluster["insecure-skip-tls-verify"].as<bool>(false);
  if (ctx["namespace"]) c.default_namespace = ctx["namespace"].as<std::string>("default");
  if (!user_name.empty()) {
    YAML::Node user = named(root["users"], user_name)["user"];
    if (!user) return core::invalid_argument(path + ": users: no user named \"" + user_name + "\"");
    const std::string uwhere = path + ": users[" + user_name + "].user";
    c.token = user["token"].as<std::string>("");
    if (user["tokenFile"]) {
      fs::path p = user["tokenFile"].as<std::string>("");
      if (p.is_relative()) p = dir / p;
      c.token_file = p.string();
    }
    AQ_ASSIGN_OR_RETURN(c.client_cert_pem, pem_of(user, "client-certificate", dir, uwhere));
    AQ_ASSIGN_OR_RETURN(c.client_key_pem, pem_of(user, "client-key", dir, uwhere));
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
      return core::invalid_argument(uwhere + ": client-certificate and client-key go together");
    }
    if (user["exec"]) {
      AQ_ASSIGN_OR_RETURN(c.exec, exec_plugin(user["exec"], dir, uwhere + ".exec"));
    } else if (user["auth-provider"]) {
      if (c.token.empty() && c.token_file.empty() && c.client_cert_pem.empty()) {
        return core::invalid_argument(
            uwhere +
            ": auth-provider credentials were removed from Kubernetes (1.26); use an exec "
            "plugin (e.g. gke-gcloud-auth-plugin, kubelogin), a token or a client certificate");
      }
    }
  }
  return c;
}

core::Result<ClusterConfig> load_kubeconfig(const std::string& path, const std::string& context) {
  try {
    return load_checked(path, context);
  } catch (const YAML::Exception& e) {
    return core::invalid_argument(
        path + ":" + std::to_string(e.mark.line + 1) +
        ": a kubeconfig field has the wrong shape: " + core::yaml_error_message(e));
  }
}

core::Result<ClusterConfig> in_cluster_config(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port || !*host || !*port) {
    return core::failed_precondition("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  ClusterConfig c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  c.server = "https://" + h + ":" + port;
  c.token_file = sa_dir + "/token";
  AQ_ASSIGN_OR_RETURN(c.token, read_file(c.token_file, "service account token"));
  AQ_ASSIGN_OR_RETURN(c.ca_pem, read_file(sa_dir + "/ca.crt", "service account CA"));
  auto ns = read_file(sa_dir + "/namespace", "namespace");
  if (ns.ok() && !ns->empty()) c.default_namespace = *ns;
  return c;
}

core::Result<ClusterConfig> resolve_cluster_config(const std::string& kubeconfig_flag) {
  if (!kubeconfig_flag.empty()) return load_kubeconfig(kubeconfig_flag);
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return load_kubeconfig(first);
  }
  auto in = in_cluster_config();
  if (in.ok()) return in;
  if (const char* home = std::getenv("HOME")) {
    std::string p = std::string(home) + "/.kube/config";
    if (fs::exists(p)) return load_kubeconfig(p);
  }
  return core::not_found(
      "no cluster to talk to: pass --kubeconfig, set KUBECONFIG, or run in a pod");
}

}  // namespace aqueduct::k8s
