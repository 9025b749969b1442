// Runs Fluid DataLoads (policy Once) as Jobs rendered by runtime-adapters/
// (dataload_job.h): Pending until the dataset is Bound, then Executing with
// its Job, then Complete or Failed from the Job's outcome, with conditions,
// the duration and an Event per phase. A finished DataLoad is never run
// again, also not by a restarted or new leader.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/controller_loop.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

class DataLoadController {
 public:
  DataLoadController(ApiClient& client, std::vector<std::string> runtime_kinds, int workers = 2);
  ~DataLoadController();
  void start_informers();
  bool wait_synced(std::chrono::milliseconds timeout);
  void start();
  void stop();
  void stop_informers();
  core::Status reconcile(const std::string& key);  // "namespace/name"
  std::uint64_t jobs_created() const { return jobs_created_; }

 private:
  ApiClient& client_;
  std::unique_ptr<Informer> dataloads_, jobs_, datasets_;
  std::vector<std::pair<std::string, std::unique_ptr<Informer>>> runtimes_;
  ControllerLoop loop_;
  std::atomic<std::uint64_t> jobs_created_{0};
};

}  // namespace aqueduct::k8s
