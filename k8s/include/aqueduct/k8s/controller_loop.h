// The loop every controller runs: keys from informer events go into a
// WorkQueue, worker threads reconcile them, failures come back with backoff.
// Runs only between start() and stop() (while this replica leads).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"
#include "aqueduct/k8s/work_queue.h"

namespace aqueduct::k8s {

// What a loop has done since it was made (all leaderships together).
struct ControllerLoopStats {
  std::string name;
  std::uint64_t successes = 0, errors = 0;  // reconciles that returned ok / an error
  std::size_t queue_depth = 0;              // keys waiting now (0 while stopped)
  bool running = false;
  // Reconcile durations: counts per bucket (upper bounds kDurationBuckets,
  // then +Inf) and their sum.
  static constexpr std::array<double, 8> kDurationBuckets = {0.005, 0.01, 0.025, 0.05,
                                                             0.1,   0.25, 1.0,   5.0};
  std::array<std::uint64_t, kDurationBuckets.size() + 1> buckets{};
  double seconds = 0;
};

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
  ControllerLoopStats stats() const;

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
  mutable std::mutex stats_mu_;
  ControllerLoopStats stats_;  // counters and durations; name and queue filled by stats()
};

}  // namespace aqueduct::k8s
