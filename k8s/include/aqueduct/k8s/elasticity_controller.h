// Core's cache autoscalers on a live cluster. A runtime opts in with the
// annotation aqueduct.io/autoscaler (fluid-hpa, demand, schedule, static)
// and passes the policy's arguments in aqueduct.io/autoscaler-args
// ("target=80,maxReplicas=6"; for schedule "cron.0=0 8 * * 1-5;replicas.0=4"
// with ';' between pairs when a value holds commas). Every period, while the
// replica leads, each such runtime's metrics are read from its status (the
// workers Fluid-style runtime controllers report: workerNumberReady,
// cacheStates.cached / cacheCapacity / cacheHitRatio) and its policy's
// decision goes through the ActionSink: the runtime's scale subresource, which
// the runtime controller turns into workers. Each change is an Event with the
// policy's reason; a bad policy is a Warning Event, once per annotation value.
// AqueductRuntimes' cacheStates are written here first, every period, from
// their Ready workers' /metrics (worker_metrics.h), opted in or not.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/core/elasticity/autoscaler.h"
#include "aqueduct/k8s/api_action_sink.h"
#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/controller_support.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

inline constexpr const char* kAutoscalerAnnotation = "aqueduct.io/autoscaler";
inline constexpr const char* kAutoscalerArgsAnnotation = "aqueduct.io/autoscaler-args";

// "k=v,k=v" or "k=v;k=v" -> map. Errors name the piece.
core::Result<core::AutoscalerArgs> parse_autoscaler_args(const std::string& text);

// A runtime object's metrics as far as its status tells them.
core::RuntimeMetrics runtime_metrics_from(const Json& runtime, core::Time now);

class ElasticityController {
 public:
  ElasticityController(ApiClient& client, std::vector<std::string> runtime_kinds,
                       std::chrono::milliseconds period);
  ~ElasticityController();
  void start_informers();
  bool wait_synced(std::chrono::milliseconds timeout);
  void start();  // ticks every period until stop()
  void stop();
  void stop_informers();
  // One round over every opted-in runtime at policy time `now` (tests call it directly).
  void tick(core::Time now);
  std::uint64_t scalings() const { return scalings_; }
  // Reading a worker's /metrics gives up after this (default 1 s).
  void set_scrape_timeout(std::chrono::milliseconds d) { scrape_timeout_ = d; }

 private:
  // AqueductRuntime: cacheStates from its workers, written to the status and into `rt`.
  void refresh_cache_states(Json& rt);
  struct Policy {
    std::string spec;                              // annotation values it was made from
    std::unique_ptr<core::Autoscaler> autoscaler;  // null: the spec is bad (reported once)
  };
  ApiClient& client_;
  ApiActionSink sink_;
  std::chrono::milliseconds period_;
  std::vector<std::pair<std::string, std::unique_ptr<Informer>>> runtimes_;
  core::AutoscalerRegistry registry_;
  std::map<std::string, Policy> policies_;  // "Kind/ns/name"
  std::mutex mu_;                           // policies_, and one tick at a time
  std::mutex run_mu_;
  std::condition_variable cv_;
  bool running_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> scalings_{0};
  std::chrono::milliseconds scrape_timeout_{1000};
};

}  // namespace aqueduct::k8s
