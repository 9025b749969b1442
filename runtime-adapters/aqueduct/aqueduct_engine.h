// Aqueduct's own engine (AqueductRuntime): cache workers are `aqueduct worker`
// (gRPC block service on the runtime's tiered store), the FUSE client is
// `aqueduct fuse mount` over them, DataLoads run `aqueduct load`. The pieces
// the FUSE template, the workloads and the loader Job share. Private to
// runtime-adapters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters::aqueduct_engine {

inline constexpr const char* kImage = "aqueduct/aqueduct:0.1.0";

// The dataset's source for the mount and loader: its first mount's
// mountPoint, which must be local://, http(s):// or s3:// (what the data
// plane reads). For S3 the mount options `s3.endpoint` and `s3.region` (or
// Alluxio's `alluxio.underfs.s3.endpoint`/`.region`) become the URI's
// endpoint= and region=.
core::Result<std::string> source_uri(const core::Dataset& ds);
// For an s3:// source: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN from the mount's encryptOptions (`aws.accessKeyId`,
// `aws.secretKey`, `aws.sessionToken`, or JuiceFS's `access-key`,
// `secret-key`) as secretKeyRefs; values are never read. Empty otherwise.
nlohmann::ordered_json source_env(const core::Dataset& ds);
// For a local:///path source: the node's folder as a read-only hostPath
// volume, mounted at the same path so that the source URI reads the same
// inside the pod (Fluid mounts local:// mount points into its pods the same
// way). Null for other sources.
nlohmann::ordered_json local_source_volume(const core::Dataset& ds);
nlohmann::ordered_json local_source_mount(const core::Dataset& ds);
// The workers' gRPC port: fixed per runtime (20000-29999, from its namespace
// and name), so workers of several datasets can share a node's host network.
int worker_port(const core::Runtime& rt);
// "<rt>-worker-<i>.<rt>-worker.<ns>.svc:<port>" for every replica, comma-separated
// (the headless Service gives each StatefulSet pod that name).
std::string worker_endpoints(const core::Runtime& rt);
// `--tier` values from the tiered store: mem:SIZE, mem:PATH:SIZE, ssd:PATH:SIZE, ...
std::vector<std::string> worker_tiers(const core::Runtime& rt);

// The shared token the workers require of every RPC: a Secret
// "<rt>-worker-token" in the runtime's namespace, key "token". The runtime
// controller creates it once with a random value and never rewrites it; the
// workers, FUSE clients (DaemonSet and injected sidecars) and loader Jobs
// mount it read-only, owner-only (0400), at kTokenDir.
inline constexpr const char* kTokenDir = "/etc/aqueduct/worker-token";
inline constexpr const char* kTokenVolume = "aqueduct-worker-token";
std::string token_secret_name(const core::Runtime& rt);
std::string token_file();  // kTokenDir + "/token"
// The pod volume and the container's mount of the token Secret.
nlohmann::ordered_json token_volume(const core::Runtime& rt);
nlohmann::ordered_json token_mount();

// Mutual TLS: the same Secret also holds ca.crt, tls.crt and tls.key (a CA
// made for this runtime alone and one certificate it signed, which workers
// and clients both present). The controller adds them when it creates the
// Secret, or to a Secret made before it did.
// The names the certificate carries: every worker's name under the headless
// Service ("*.<rt>-worker.<ns>.svc", and the cluster.local form).
std::vector<std::string> worker_tls_names(const core::Runtime& rt);
// `aqueduct worker`: --token-file and the --tls-ca/-cert/-key files.
std::vector<std::string> worker_credential_flags();
// Clients (`fuse mount`, `load`): --worker-token-file and --worker-tls-*.
std::vector<std::string> client_credential_flags();

}  // namespace aqueduct::runtime_adapters::aqueduct_engine
