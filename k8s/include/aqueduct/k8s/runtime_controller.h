// Reconciles Fluid runtimes (one controller per runtime kind, enabled when
// the first runtime of its kind appears, as Fluid 0.8 does) into what the
// engine runs: the master and worker StatefulSets and the lazy FUSE DaemonSet
// rendered by runtime-adapters/ (runtime_workloads.h). The worker StatefulSet
// follows spec.replicas, so the runtime's scale subresource (kubectl scale, an
// HPA, Aqueduct's autoscalers) scales the cache; the status reports desired,
// scheduled and ready workers and the worker selector; nodes that host a
// worker get Fluid's cache labels (fluid.io/s-<ns>-<dataset>=true and the
// engine's), which the scheduler extender and injection read.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/controller_loop.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

struct RuntimeControllerStats {
  std::uint64_t reconciles = 0, created = 0, scaled = 0, status_writes = 0, node_labels = 0,
                errors = 0, updated = 0;   // updated: workloads re-rendered after a spec change
  std::vector<std::string> enabled_kinds;  // kinds whose controller is running
};

class RuntimeController {
 public:
  RuntimeController(ApiClient& client, std::vector<std::string> kinds, int workers = 2);
  ~RuntimeController();
  void start_informers();
  bool wait_synced(std::chrono::milliseconds timeout);
  void start();  // while leading
  void stop();
  void stop_informers();
  // One runtime: "Kind/namespace/name".
  core::Status reconcile(const std::string& key);
  RuntimeControllerStats stats() const;

  // Its reconcile loop, for metrics.
  const ControllerLoop& loop() const { return loop_; }

 private:
  struct Kind {
    std::string kind;
    std::unique_ptr<Informer> informer;
    std::atomic<bool> enabled{false};
  };
  void maybe_enable(Kind& k);
  // Fluid's node labels where the runtime's workers run (core/fluid/fluid_labels.h:
  // the dataset's and engine's labels, the s-h- capacity labels, dataset-num,
  // fluid_exclusive for an Exclusive dataset), and off the nodes they left.
  core::Status label_nodes(const core::Dataset& ds, const core::Runtime& rt);
  // Creates the ConfigMap, or puts its data back when it was edited.
  core::Status ensure_config_map(const std::string& ns, const Json& cm);

  ApiClient& client_;
  std::vector<std::unique_ptr<Kind>> kinds_;
  std::unique_ptr<Informer> datasets_, workers_pods_;
  // ThinRuntimeProfiles (when ThinRuntime is managed): a changed profile
  // touches the ThinRuntimes that name it.
  std::unique_ptr<Informer> profiles_;
  ControllerLoop loop_;
  std::atomic<std::uint64_t> reconciles_{0}, created_{0}, scaled_{0}, status_writes_{0},
      node_labels_{0}, updated_{0};
};

}  // namespace aqueduct::k8s
