// Certificates for the cache workers' mutual TLS: a private certificate
// authority, made in memory, and one certificate it signs that both ends of
// a worker connection present (workers as servers, FUSE mounts and loaders as
// clients). The runtime controller keeps the result in the runtime's worker
// Secret; `aqueduct tls issue` writes it to files for clusters and tests
// outside Kubernetes.
#pragma once

#include <string>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::k8s {

// PEM text: the authority's certificate (what each end trusts), and the
// shared certificate with its private key.
struct IssuedTls {
  std::string ca_cert_pem;
  std::string cert_pem;
  std::string key_pem;
};

// A fresh ECDSA P-256 authority (its key is dropped once it has signed) and a
// certificate valid for `dns_names` (wildcards such as "*.rt-worker.ns.svc"
// allowed) and `ip_addresses`, for both serverAuth and clientAuth. At least
// one name or address is required.
core::Result<IssuedTls> issue_mutual_tls(const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses,
                                         int valid_days = 3650);

// Writes DIR/ca.crt, DIR/tls.crt and DIR/tls.key (the key owner-only, 0600,
// never through a symlink); creates DIR if needed.
core::Status write_tls_files(const std::string& dir, const IssuedTls& tls);

}  // namespace aqueduct::k8s
