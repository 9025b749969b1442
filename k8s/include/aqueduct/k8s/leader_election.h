// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it,
// so several controller replicas run and exactly one acts: a candidate takes
// the lease when it is free or when its holder has not renewed it for the
// lease duration (measured on the candidate's own clock from when it last saw
// the record change, so clocks need not agree); the leader renews it every
// retry period and steps down when it cannot renew within the renew
// deadline. Every write carries the resourceVersion read, so two candidates
// never both win.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "aqueduct/k8s/api_client.h"

namespace aqueduct::k8s {

struct LeaderElectionConfig {
  std::string lease_namespace = "aqueduct-system";
  std::string lease_name = "aqueduct-controller";
  std::string identity;  // unique per replica; empty: hostname + "_" + pid
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_stop = true;  // hand the lease back at stop() (a crash does not)
};

class LeaderElector {
 public:
  struct Callbacks {
    std::function<void()> started_leading;  // from the elector's thread
    std::function<void()> stopped_leading;
  };
  LeaderElector(ApiClient& client, LeaderElectionConfig config, Callbacks callbacks);
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void start();
  void stop();
  bool is_leader() const { return leading_; }
  const std::string& identity() const { return config_.identity; }

 private:
  void run();
  // One attempt to take or keep the lease; true when held afterwards.
  bool try_acquire_or_renew();
  bool wait(std::chrono::milliseconds d);  // false when stopping
  void report(const core::Status& st);
  std::string last_error_;

  ApiClient& client_;
  LeaderElectionConfig config_;
  Callbacks callbacks_;
  std::atomic<bool> leading_{false}, stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  // What we last saw of the record and when (our clock).
  std::string observed_holder_, observed_renew_;
  std::chrono::steady_clock::time_point observed_at_{};
};

// Lease times ("MicroTime"): 2006-01-02T15:04:05.000000Z, UTC.
std::string micro_time_now();
// Object times ("Time"): 2006-01-02T15:04:05Z, UTC.
std::string time_now();

}  // namespace aqueduct::k8s
