#include "aqueduct/k8s/controller_loop.h"

#include <iostream>

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

void ControllerLoop::worker() {
  while (auto key = queue_->take()) {
    core::Status st = reconcile_(*key);
    if (!st.is_ok()) {
      ++errors_;
      log_.warn(name_ + " " + *key + ": " + st.message() + " (will retry)");
    }
    queue_->done(*key, !st.is_ok());
  }
}

}  // namespace aqueduct::k8s
