// A controller's queue of object keys: a key queued twice before it is taken
// is reconciled once; a key being reconciled is not handed to a second
// worker; failed keys come back after an exponential delay (per key, 50 ms
// doubling to 30 s), successful ones forget their failures.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace aqueduct::k8s {

class WorkQueue {
 public:
  void add(const std::string& key);
  // Blocks until a key is ready or shutdown(); nullopt after shutdown.
  std::optional<std::string> take();
  // After take(): the key's reconcile ended; `failed` requeues it with backoff.
  void done(const std::string& key, bool failed);
  void shutdown();
  std::size_t size() const;

 private:
  using Clock = std::chrono::steady_clock;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_, processing_, dirty_;  // dirty: re-added while processing
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, int> failures_;
  bool shutdown_ = false;
};

}  // namespace aqueduct::k8s
