// The three ports every policy is written against. The simulator and the live
// Kubernetes adapter each implement all three, so a policy runs unchanged in both.
//  - ClusterView: a consistent, read-only snapshot of the cluster.
//  - ActionSink: every effect a policy may ask for; completion shows up in a later view.
//  - Clock: the current time and timers (virtual in sim/, real in k8s/).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/model/cache_state.h"
#include "aqueduct/core/model/dataload.h"
#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

// A node together with what is already placed on it (as kube-scheduler's NodeInfo).
struct NodeInfo {
  const Node* node = nullptr;
  Resources requested;  // sum of requests of pods bound to it
  std::int32_t pod_count = 0;
  // Load on the node's data paths, 0..1 (0 when unknown): the busier of its
  // NIC and its cache workers' serving bandwidth.
  double io_utilization = 0;
  // The pods bound to it, for the plugins that look at other pods' labels and
  // terms (InterPodAffinity, PodTopologySpread). Owned by the view; valid
  // while the view is unchanged.
  std::vector<const Pod*> pods;
  Resources free() const { return node->allocatable - requested; }
};

inline constexpr std::size_t kNoNode = static_cast<std::size_t>(-1);

class ClusterView {
 public:
  virtual ~ClusterView() = default;
  // Nodes in a stable order (by name). The span stays valid until the view changes.
  virtual std::span<const NodeInfo> nodes() const = 0;
  // Index of a node in nodes(), or kNoNode.
  virtual std::size_t node_index(std::string_view name) const;
  // Pods waiting to be scheduled, in queue order.
  virtual std::span<const Pod* const> pending_pods() const = 0;
  virtual std::span<const Dataset> datasets() const = 0;
  virtual std::span<const Runtime> runtimes() const = 0;
  // One entry per dataset with a runtime, sorted by dataset key.
  virtual std::span<const CacheState> cache_states() const = 0;
  // How many bound pods carry pod affinity or anti-affinity terms. The
  // InterPodAffinity plugin skips its walk over every node's pods when none
  // do. The default counts them (a walk itself); views that know it answer
  // in O(1).
  virtual std::size_t pods_with_affinity() const;
};

class ActionSink {
 public:
  virtual ~ActionSink() = default;
  // Bind a pending pod (namespace/name) to a node.
  virtual Status bind(std::string_view pod_key, std::string_view node_name) = 0;
  // Replace a pending pod's spec (the result of injection).
  virtual Status patch_pod(std::string_view pod_key, const Pod& mutated) = 0;
  // Ask a runtime (namespace/name) to run `replicas` cache workers.
  virtual Status scale_runtime(std::string_view runtime_key, std::int32_t replicas) = 0;
  // Place or remove one cache worker of a runtime on a named node.
  virtual Status place_cache_worker(std::string_view runtime_key, std::string_view node) = 0;
  virtual Status remove_cache_worker(std::string_view runtime_key, std::string_view node) = 0;
  // Start warming a dataset's cache.
  virtual Status start_data_load(const DataLoad& load) = 0;
};

// A handle to a scheduled timer; value 0 is "no timer".
struct TimerId {
  std::uint64_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend bool operator==(TimerId, TimerId) = default;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
  // Runs `fn` at time `at` (>= now()). Timers due at the same time fire in the
  // order they were scheduled.
  virtual TimerId schedule_at(Time at, std::function<void()> fn) = 0;
  TimerId schedule_after(Duration d, std::function<void()> fn) {
    return schedule_at(now() + d, std::move(fn));
  }
  // Cancels a pending timer; false if it already fired or was cancelled.
  virtual bool cancel(TimerId id) = 0;
};

// "namespace/name" for objects, the key used across ports.
std::string object_key(const ObjectMeta& meta);

}  // namespace aqueduct::core
