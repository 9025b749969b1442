// Runs Fluid DataLoads as Jobs rendered by runtime-adapters/ (dataload_job.h):
// Pending until the dataset is Bound, then Executing with its Job, then
// Complete or Failed from the Job's outcome, with conditions, the duration
// and an Event per phase.
//   policy Once: a finished DataLoad is never run again, also not by a
//     restarted or new leader.
//   policy Cron (spec.schedule): a Job <name>-loader-job-<unix minute> per
//     firing (UTC), the latest missed firing only, never two at once (the
//     next firing waits for a running Job); status.lastScheduleTime and
//     lastSuccessfulTime carry the state across leaders; the last 3 Jobs kept.
//   policy OnEvent: reported as not run (Failed, UnsupportedPolicy).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/core/dataops/cron.h"
#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/controller_loop.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

class DataLoadController {
 public:
  // `only_own` (alongside Fluid): DataLoads of datasets without a runtime of
  // these kinds are Fluid's, and left alone.
  DataLoadController(ApiClient& client, std::vector<std::string> runtime_kinds, int workers = 2,
                     bool only_own = false);
  ~DataLoadController();
  void start_informers();
  bool wait_synced(std::chrono::milliseconds timeout);
  void start();
  void stop();
  void stop_informers();
  core::Status reconcile(const std::string& key);  // "namespace/name"
  std::uint64_t jobs_created() const { return jobs_created_; }
  // Policy time for Cron schedules (default: the wall clock, controller_support.h).
  void set_clock(std::function<core::Time()> now) { clock_ = std::move(now); }
  // How often Cron DataLoads are looked at while running (default 10 s).
  void set_cron_tick(std::chrono::milliseconds d) { cron_tick_ = d; }

  // Its reconcile loop, for metrics.
  const ControllerLoop& loop() const { return loop_; }

 private:
  using SetPhase =
      std::function<core::Status(const std::string& phase, const std::string& type,
                                 const std::string& reason, const std::string& message)>;
  core::Status reconcile_cron(const Json& dl, const core::CronSchedule& schedule, Json job,
                              Json& status, const SetPhase& set_phase);
  ApiClient& client_;
  bool only_own_ = false;
  std::unique_ptr<Informer> dataloads_, jobs_, datasets_;
  std::vector<std::pair<std::string, std::unique_ptr<Informer>>> runtimes_;
  ControllerLoop loop_;
  std::atomic<std::uint64_t> jobs_created_{0};
  std::function<core::Time()> clock_;
  std::chrono::milliseconds cron_tick_{10000};
  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool ticking_ = false;
  std::thread ticker_;
};

}  // namespace aqueduct::k8s
