// Reconciles Fluid Datasets into what pods mount: a Dataset with a runtime of
// the same name gets its PersistentVolume and PersistentVolumeClaim (rendered
// by runtime-adapters/) and status phase Bound with the runtime listed; one
// without gets phase NotBound; a deleted one loses its PV (the claim goes
// with it by owner reference, and is deleted here too). Objects that already
// exist are left as they are, so a restart, a second replica taking over, or
// a replayed event repeats no work. Malformed datasets are reported in their
// status (phase Failed, a condition naming the field) and as an Event.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/controller_loop.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

struct DatasetControllerStats {
  std::uint64_t reconciles = 0, created = 0, deleted = 0, status_writes = 0, errors = 0;
};

class DatasetController {
 public:
  // Watches Datasets and the given runtime kinds through its own informers.
  // `only_own` (the "alongside Fluid" install): a Dataset without a runtime
  // of these kinds is left alone (no status, no volume, no Event), and only
  // volumes this controller made are deleted, so nothing Fluid owns is written.
  DatasetController(ApiClient& client, std::vector<std::string> runtime_kinds, int workers = 2,
                    bool only_own = false);
  ~DatasetController();

  // Informers: start early (a standby replica keeps warm caches).
  void start_informers();
  bool wait_synced(std::chrono::milliseconds timeout);
  // Reconciling: only while leading. start() queues every known dataset.
  void start();
  void stop();
  void stop_informers();

  // One dataset ("namespace/name"), as the workers do it.
  core::Status reconcile(const std::string& key);
  DatasetControllerStats stats() const;

  // Its reconcile loop, for metrics.
  const ControllerLoop& loop() const { return loop_; }

 private:
  struct RuntimeInformer {
    std::string kind;
    std::unique_ptr<Informer> informer;
  };
  std::optional<Json> runtime_for(const std::string& key, std::string* kind) const;
  core::Status write_status(const Json& dataset, Json status);
  void event(const Json& dataset, const std::string& type, const std::string& reason,
             const std::string& message);

  ApiClient& client_;
  bool only_own_ = false;
  std::unique_ptr<Informer> datasets_;
  std::vector<RuntimeInformer> runtimes_;
  ControllerLoop loop_;
  std::atomic<std::uint64_t> reconciles_{0}, created_{0}, deleted_{0}, status_writes_{0};
};

}  // namespace aqueduct::k8s
