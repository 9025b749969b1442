// The loop every controller runs: keys from informer events go into a
// WorkQueue, worker threads reconcile them, failures come back with backoff.
// Runs only between start() and stop() (while this replica leads).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"
#include "aqueduct/k8s/work_queue.h"

namespace aqueduct::k8s {

class ControllerLoop {
 public:
  using Reconcile = std::function<core::Status(const std::string& key)>;
  ControllerLoop(std::string name, int workers, Reconcile reconcile, core::Logger log = {});
  ~ControllerLoop();
  // Starts the workers with `initial` keys queued (a fresh list: every object once).
  void start(const std::vector<std::string>& initial);
  void stop();
  void enqueue(const std::string& key);  // ignored while stopped
  bool running() const { return running_; }
  std::uint64_t errors() const { return errors_; }

 private:
  void worker();
  std::string name_;
  core::Logger log_;
  int workers_;
  Reconcile reconcile_;
  std::unique_ptr<WorkQueue> queue_;
  std::vector<std::thread> threads_;
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace aqueduct::k8s
