// Fluid's Dataset (data.fluid.io/v1alpha1): remote mounts, placement mode and
// the node affinity that limits where its cache may live. Secrets in
// encryptOptions stay references; values are never resolved or printed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "aqueduct/core/model/object_meta.h"
#include "aqueduct/core/model/scheduling_terms.h"

namespace aqueduct::core {

struct SecretKeyRef {
  std::string name;  // Secret object name
  std::string key;   // key inside the Secret
};

struct EncryptOption {
  std::string name;  // e.g. "fs.s3a.access.key"
  SecretKeyRef secret_key_ref;
};

struct Mount {
  std::string mount_point;  // "s3://bucket/path", "oss://...", "pvc://..."
  std::string name;
  std::string path;  // defaults to "/<name>"
  bool read_only = false;
  bool shared = false;
  std::map<std::string, std::string> options;
  std::vector<EncryptOption> encrypt_options;
};

enum class PlacementMode { kExclusive, kShared };

struct Dataset {
  ObjectMeta meta;
  std::vector<Mount> mounts;
  PlacementMode placement = PlacementMode::kExclusive;  // Fluid's default
  NodeAffinity node_affinity;                           // only `required` is meaningful
  std::vector<Toleration> tolerations;
  std::vector<std::string> access_modes;
  std::vector<EncryptOption> shared_encrypt_options;
  std::map<std::string, std::string> shared_options;
  // Modeling extension (annotation `aqueduct.io/size`, or the experiment): total bytes
  // and file count of the data under the mounts. 0 = unknown.
  std::int64_t size_bytes = 0;
  std::int64_t file_count = 0;
};

}  // namespace aqueduct::core
