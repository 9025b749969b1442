// A cluster node as the policies see it: capacity, topology, kind (regular ECS
// or serverless ECI behind a virtual kubelet), arch, cache media and price.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aqueduct/core/model/object_meta.h"
#include "aqueduct/core/model/resources.h"
#include "aqueduct/core/model/scheduling_terms.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

enum class Arch { kAmd64, kArm64 };
const char* arch_name(Arch a);

enum class NodeKind {
  kEcs,  // a regular node: runs DaemonSets, can host cache workers and node-level FUSE
  kEci,  // a serverless virtual-kubelet node: no DaemonSets, needs an injected FUSE sidecar
};
const char* node_kind_name(NodeKind k);

// Cache media, in the order Fluid's tieredstore ranks them (fastest first).
enum class MediumType { kMem = 0, kSsd = 1, kHdd = 2 };
inline constexpr int kMediumCount = 3;
const char* medium_name(MediumType m);

struct Node {
  ObjectMeta meta;  // labels include kubernetes.io/arch, topology.kubernetes.io/zone, ...
  NodeKind kind = NodeKind::kEcs;
  Arch arch = Arch::kAmd64;
  std::string zone;
  std::string region;
  Resources allocatable;
  std::int64_t cache_capacity_bytes[kMediumCount] = {0, 0, 0};  // MEM, SSD, HDD usable for cache
  double nic_bandwidth = 0;                                     // bytes/s, each direction
  double price_per_hour = 0;                                    // currency units per hour
  double speed_factor = 1.0;  // compute speed relative to the reference node
  // A cache worker's start here (image pull + start); 0: the driver's default.
  Duration worker_startup{0};
  Duration pod_start_median{0};  // a pod's start here: image pull (ECS) or cold start (ECI)
  double pod_start_sigma = 0;    // log-normal spread of it (0: fixed)
  // Serverless (ECI) billing per pod, per second of its life, on its requests.
  double price_per_cpu_hour = 0, price_per_gib_hour = 0, price_per_gpu_hour = 0;
  std::vector<Taint> taints;
  std::string pool;  // the experiment node pool it came from
};

}  // namespace aqueduct::core
