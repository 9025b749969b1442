// What Aqueduct's cache workers say about themselves: their Prometheus text
// (`aqueduct worker --metrics-listen`, GET /metrics) read into the numbers a
// runtime's status reports and its autoscaler decides on (Fluid's
// cacheStates: capacity, cached bytes, hit ratio).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "aqueduct/core/status.h"
#include "aqueduct/k8s/api_client.h"

namespace aqueduct::k8s {

struct WorkerMetrics {
  std::int64_t used_bytes = 0, capacity_bytes = 0;
  std::uint64_t hits = 0, misses = 0;  // block reads since the worker started
};

// Sums the tier gauges and reads the hit/miss counters. Errors say which
// line could not be read.
core::Result<WorkerMetrics> parse_worker_metrics(const std::string& text);

// GET http://host:port/metrics, within `timeout` (connect and read).
core::Result<WorkerMetrics> scrape_worker(const std::string& host, int port,
                                          std::chrono::milliseconds timeout);

// The runtime's cacheStates from its Ready worker pods (podIP and the
// container port named "metrics"): cacheCapacity, cached, cachedPercentage,
// cacheHitRatio (all time), and workersReporting "n/m" (workers that
// answered of those Ready; the others are left out of the sums).
Json cache_states_from_workers(const std::vector<Json>& worker_pods,
                               std::chrono::milliseconds timeout);

}  // namespace aqueduct::k8s
