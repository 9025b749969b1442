// How to reach a Kubernetes API server: from a kubeconfig file (token,
// client certificate, CA, insecure-skip-tls-verify; inline *-data or file
// paths; exec credential plugins) or from inside a pod (the service
// account's token and CA).
#pragma once

#include <optional>
#include <string>

#include "aqueduct/core/status.h"
#include "aqueduct/k8s/exec_credential.h"

namespace aqueduct::k8s {

struct ClusterConfig {
  std::string server;  // https://host:port (or http:// for tests)
  // PEM text, already read from files or decoded from *-data fields.
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  std::string token;
  std::string token_file;  // re-read on every client start (bound SA tokens rotate)
  std::string client_cert_pem, client_key_pem;
  // A credential plugin (users[].user.exec): the client runs it for a token
  // or certificate before connecting, again when that expires, and once
  // more when the server answers 401.
  std::optional<ExecPlugin> exec;
  std::string default_namespace = "default";
};

// Loads `context` (empty: current-context) from a kubeconfig file. Relative
// file paths in it are resolved against the kubeconfig's folder. Errors name
// the file and the field.
core::Result<ClusterConfig> load_kubeconfig(const std::string& path,
                                            const std::string& context = "");

// The in-cluster config: $KUBERNETES_SERVICE_HOST/_PORT and the files under
// `sa_dir` (token, ca.crt, namespace).
core::Result<ClusterConfig> in_cluster_config(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// --kubeconfig if given, else $KUBECONFIG, else in-cluster, else ~/.kube/config.
core::Result<ClusterConfig> resolve_cluster_config(const std::string& kubeconfig_flag);

}  // namespace aqueduct::k8s
