// Simulated nodes on a real control plane (`aqueduct sim nodes`, like KWOK):
// registers a cluster's nodes with the apiserver, keeps them Ready with
// heartbeats, and plays the kubelet for the pods bound to them: each pod
// goes Pending -> Running (containers running, Ready) -> Succeeded or Failed
// (app containers terminated with their exit code) after the time a run
// model gives it. A pod deleted gracefully is removed at once. FUSE sidecars
// (containers named fluid-fuse-*) keep running after the app ends until the
// pod carries the sidecar-exit annotation (the sidecar-termination rule,
// sidecar_exit.h), as the wrapped sidecar does on a real kubelet.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"
#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

// Marks nodes this process registered; a node of the same name without it is refused.
inline constexpr const char* kSimulatedNodeLabel = "aqueduct.io/simulated";

// What the run model is told about a pod placed on a simulated node.
struct PodRunRequest {
  const Json* pod = nullptr;
  const core::Node* node = nullptr;
  std::map<std::string, std::string> annotations;
  bool has_dataset = false;       // mounts a claim
  bool cached_here = false;       // the node carries fluid.io/s-<ns>-<claim>=true
  bool cached_elsewhere = false;  // another node does
  bool has_runtime = false;       // cache labels anywhere, or a FUSE sidecar
};
struct PodRunPlan {
  core::Duration start_delay{0};
  core::Duration run{0};
  int exit_code = 0;
  bool runs_forever = false;  // serve until deleted (restartPolicy Always)
};
using PodRunModel = std::function<core::Result<PodRunPlan>(const PodRunRequest&)>;

struct SimulatedNodesConfig {
  double time_scale = 1.0;  // virtual seconds per wall-clock second
  std::chrono::milliseconds heartbeat{10000};
};

struct SimulatedNodesStats {
  std::uint64_t pods_started = 0, pods_succeeded = 0, pods_failed = 0, pods_deleted = 0,
                sidecars_ended = 0, container_restarts = 0, heartbeats = 0, model_errors = 0;
};

class SimulatedNodes {
 public:
  SimulatedNodes(ApiClient& client, std::vector<core::Node> nodes, PodRunModel model,
                 SimulatedNodesConfig config = {});
  ~SimulatedNodes();
  SimulatedNodes(const SimulatedNodes&) = delete;
  SimulatedNodes& operator=(const SimulatedNodes&) = delete;

  // Creates (or takes back) every node, Ready, without the not-ready taint.
  // Fails, naming the node, if a node of that name exists and is not simulated.
  core::Status register_nodes();
  // Watches pods and nodes, runs pods, sends heartbeats; until stop().
  void start();
  void stop();
  SimulatedNodesStats stats() const;
  // Log lines (model errors, API errors), drained by the caller.
  std::vector<std::string> take_log();

  // The v1 Node object registered for `node` (`index` picks its addresses).
  static Json node_object(const core::Node& node, std::size_t index);

 private:
  struct PodState;
  void loop();
  void on_pod(const std::string& key, const Json* pod);
  void advance(PodState& p, std::chrono::steady_clock::time_point now);
  void write_status(PodState& p);
  void heartbeat();
  void log(std::string line);
  std::chrono::steady_clock::duration wall(core::Duration virtual_time) const;

  ApiClient& client_;
  std::vector<core::Node> nodes_;
  std::map<std::string, std::size_t> node_index_;
  PodRunModel model_;
  SimulatedNodesConfig config_;
  std::unique_ptr<Informer> pods_, node_informer_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::optional<Json>> inbox_;  // pod key -> latest (nullopt: deleted)
  std::map<std::string, std::unique_ptr<PodState>> pods_state_;
  std::map<std::string, int> next_ip_;  // per node
  SimulatedNodesStats stats_;
  std::vector<std::string> log_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace aqueduct::k8s
