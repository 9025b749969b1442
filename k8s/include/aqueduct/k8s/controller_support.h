// Small pieces every controller uses: reading Fluid objects that came from
// the API through the same loader as the simulator, and recording Events.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/time.h"
#include "aqueduct/k8s/api_client.h"

namespace aqueduct::k8s {

// Loads API objects of data.fluid.io/v1alpha1 (each with its kind, which
// objects from a list may lack). A problem is an InvalidArgument whose
// message lists every error as "field: message".
core::Result<core::FluidObjects> load_fluid_objects(
    const std::vector<std::pair<Json, std::string>>& objects, const std::string& source);

// Whether two statuses say the same, ignoring the conditions' timestamps: a
// status is written only when it really changed (no update loops).
bool same_status(Json a, Json b);

// Records a v1 Event about `object` (type "Normal" or "Warning"); best effort.
void record_event(ApiClient& client, const Json& object, const std::string& kind,
                  const std::string& type, const std::string& reason, const std::string& message);

// Time as core's policies and cron count it: core::Time 0 is 2024-01-01
// 00:00 UTC, so schedules match the wall clock in UTC.
core::Time policy_time_now();
// "2026-11-29T07:00:00Z" <-> policy time (whole seconds). Unreadable: nullopt.
std::optional<core::Time> policy_time_from_rfc3339(const std::string& text);
std::string rfc3339_from_policy_time(core::Time t);

}  // namespace aqueduct::k8s
