#include "aqueduct/k8s/work_queue.h"

#include <algorithm>

namespace aqueduct::k8s {

void WorkQueue::add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return;
  if (processing_.count(key)) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

std::optional<std::string> WorkQueue::take() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (shutdown_) return std::nullopt;
    // Delayed keys whose time has come join the queue.
    const auto now = Clock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      std::string k = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      if (!processing_.count(k) && queued_.insert(k).second) queue_.push_back(k);
    }
    if (!queue_.empty()) {
      std::string k = queue_.front();
      queue_.pop_front();
      queued_.erase(k);
      processing_.insert(k);
      return k;
    }
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.begin()->first);
    }
  }
}

void WorkQueue::done(const std::string& key, bool failed) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (failed) {
    int n = ++failures_[key];
    auto delay = std::chrono::milliseconds(50) * (1LL << std::min(n - 1, 10));
    delay = std::min<std::chrono::milliseconds>(delay, std::chrono::seconds(30));
    delayed_.emplace(Clock::now() + delay, key);
  } else {
    failures_.erase(key);
  }
  if (dirty_.erase(key) && queued_.insert(key).second) queue_.push_back(key);
  cv_.notify_all();
}

void WorkQueue::shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

std::size_t WorkQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + delayed_.size();
}

}  // namespace aqueduct::k8s
