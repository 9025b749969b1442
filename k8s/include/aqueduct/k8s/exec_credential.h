// Kubeconfig `exec` credential plugins (client.authentication.k8s.io), as
// EKS (aws eks get-token), GKE (gke-gcloud-auth-plugin) and AKS (kubelogin)
// write them: the client runs the command and reads an ExecCredential from
// its standard output, a bearer token or a client certificate, valid until
// its expirationTimestamp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::k8s {

struct ExecPlugin {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // a path, or a name looked up on $PATH
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the client's environment
  std::string install_hint;                              // shown when the command is missing
  bool provide_cluster_info = false;  // pass spec.cluster in KUBERNETES_EXEC_INFO
  std::string where;                  // "<kubeconfig>: users[<name>].user.exec", for errors
};

struct ExecCredential {
  std::string token;
  std::string client_cert_pem, client_key_pem;
  // When it stops being valid; nullopt: until the server refuses it.
  std::optional<std::chrono::system_clock::time_point> expires;
};

// Runs the plugin (stdin closed, at most `timeout`) and parses its answer.
// `server` and `ca_pem` go into spec.cluster when the plugin asks for them.
// Errors name the kubeconfig entry and the command, with its exit status
// and the tail of its standard error, or the ExecCredential field that is
// wrong.
core::Result<ExecCredential> run_exec_plugin(
    const ExecPlugin& plugin, const std::string& server, const std::string& ca_pem,
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Parses an ExecCredential (the plugin's standard output) for `plugin`.
core::Result<ExecCredential> parse_exec_credential(const ExecPlugin& plugin,
                                                   const std::string& text);

}  // namespace aqueduct::k8s
