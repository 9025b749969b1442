#include "aqueduct/k8s/controller_metrics.h"

#include <cstdio>

namespace aqueduct::k8s {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string controller_metrics_text(const std::vector<ControllerLoopStats>& loops, bool leading) {
  std::string out;
  out += "# HELP aqueduct_controller_leader 1 while this replica holds the lease.\n";
  out += "# TYPE aqueduct_controller_leader gauge\n";
  out += std::string("aqueduct_controller_leader ") + (leading ? "1" : "0") + "\n";
  out += "# HELP aqueduct_controller_reconciles_total Reconciles by controller and result.\n";
  out += "# TYPE aqueduct_controller_reconciles_total counter\n";
  for (const auto& l : loops) {
    const std::string c = "controller=\"" + l.name + "\"";
    out += "aqueduct_controller_reconciles_total{" + c + ",result=\"success\"} " +
           std::to_string(l.successes) + "\n";
    out += "aqueduct_controller_reconciles_total{" + c + ",result=\"error\"} " +
           std::to_string(l.errors) + "\n";
  }
  out += "# HELP aqueduct_controller_reconcile_duration_seconds Time one reconcile took.\n";
  out += "# TYPE aqueduct_controller_reconcile_duration_seconds histogram\n";
  for (const auto& l : loops) {
    const std::string c = "controller=\"" + l.name + "\"";
    std::uint64_t cum = 0;
    for (std::size_t b = 0; b < l.buckets.size(); ++b) {
      cum += l.buckets[b];
      const std::string le = b < ControllerLoopStats::kDurationBuckets.size()
                                 ? number(ControllerLoopStats::kDurationBuckets[b])
                                 : "+Inf";
      out += "aqueduct_controller_reconcile_duration_seconds_bucket{" + c + ",le=\"" + le + "\"} " +
             std::to_string(cum) + "\n";
    }
    out +=
        "aqueduct_controller_reconcile_duration_seconds_sum{" + c + "} " + number(l.seconds) + "\n";
    out += "aqueduct_controller_reconcile_duration_seconds_count{" + c + "} " +
           std::to_string(cum) + "\n";
  }
  out += "# HELP aqueduct_controller_queue_depth Keys waiting to be reconciled.\n";
  out += "# TYPE aqueduct_controller_queue_depth gauge\n";
  for (const auto& l : loops) {
    out += "aqueduct_controller_queue_depth{controller=\"" + l.name + "\"} " +
           std::to_string(l.queue_depth) + "\n";
  }
  return out;
}

}  // namespace aqueduct::k8s
