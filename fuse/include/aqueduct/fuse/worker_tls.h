// Mutual TLS between cache workers and their clients (the FUSE mount and
// `aqueduct load`): each end presents a certificate signed by the authority
// the other trusts, so neither reads nor writes blocks with a stranger, and
// the token (when there is one) no longer travels in clear text.
#pragma once

#include <string>

#include "aqueduct/core/status.h"

namespace aqueduct::fuse {

// PEM text. A worker requires a client certificate signed by `ca_cert_pem`;
// a client accepts only a worker whose certificate that authority signed and
// whose name matches.
struct WorkerTls {
  std::string ca_cert_pem;  // the authority this end trusts
  std::string cert_pem;     // this end's certificate (chain)
  std::string key_pem;      // its private key
  // Clients: the name the worker's certificate must carry, when it is not the
  // host part of the address (e.g. workers reached by IP). Empty: that host.
  std::string server_name;
};

// Reads and checks the three PEM files: each must parse, the key must match
// the certificate, and the key file must not be readable by others. Errors
// name the flag and the file; `flag_prefix` is "--tls" or "--worker-tls", and
// the flags are PREFIX-ca, PREFIX-cert and PREFIX-key.
core::Result<WorkerTls> load_worker_tls(const std::string& flag_prefix, const std::string& ca_file,
                                        const std::string& cert_file, const std::string& key_file);

}  // namespace aqueduct::fuse
