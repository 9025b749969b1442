#include "aqueduct/k8s/controller_loop.h"

#include <chrono>

namespace aqueduct::k8s {

ControllerLoop::ControllerLoop(std::string name, int workers, Reconcile reconcile, core::Logger log)
    : name_(std::move(name)),
      log_(std::move(log)),
      workers_(std::max(1, workers)),
      reconcile_(std::move(reconcile)) {}

ControllerLoop::~ControllerLoop() { stop(); }

void ControllerLoop::start(const std::vector<std::string>& initial) {
  if (running_) return;
  queue_ = std::make_unique<WorkQueue>();
  for (const auto& k : initial) queue_->add(k);
  running_ = true;
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { worker(); });
}

void ControllerLoop::stop() {
  if (!running_) return;
  running_ = false;
  queue_->shutdown();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void ControllerLoop::enqueue(const std::string& key) {
  if (running_ && queue_) queue_->add(key);
}

ControllerLoopStats ControllerLoop::stats() const {
  ControllerLoopStats out;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    out = stats_;
  }
  out.name = name_;
  out.running = running_;
  out.queue_depth = running_ && queue_ ? queue_->size() : 0;
  return out;
}

void ControllerLoop::worker() {
  while (auto key = queue_->take()) {
    const auto t0 = std::chrono::steady_clock::now();
    core::Status st = reconcile_(*key);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++(st.is_ok() ? stats_.successes : stats_.errors);
      std::size_t b = 0;
      while (b < ControllerLoopStats::kDurationBuckets.size() &&
             s > ControllerLoopStats::kDurationBuckets[b]) {
        ++b;
      }
      ++stats_.buckets[b];
      stats_.seconds += s;
    }
    if (!st.is_ok()) {
      ++errors_;
      log_.warn(name_ + " " + *key + ": " + st.message() + " (will retry)");
    }
    queue_->done(*key, !st.is_ok());
  }
}

}  // namespace aqueduct::k8s
