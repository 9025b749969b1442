// The controller's Prometheus metrics (`aqueduct controller --metrics-listen`,
// GET /metrics): per controller, reconciles by result, their durations and
// the work-queue depth, and whether this replica leads.
#pragma once

#include <string>
#include <vector>

#include "aqueduct/k8s/controller_loop.h"

namespace aqueduct::k8s {

std::string controller_metrics_text(const std::vector<ControllerLoopStats>& loops, bool leading);

}  // namespace aqueduct::k8s
