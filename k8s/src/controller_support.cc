#include "aqueduct/k8s/controller_support.h"

#include <cstdio>
#include <ctime>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/leader_election.h"

namespace aqueduct::k8s {

core::Result<core::FluidObjects> load_fluid_objects(
    const std::vector<std::pair<Json, std::string>>& objects, const std::string& source) {
  std::string text;
  for (const auto& [obj, kind] : objects) {
    Json doc = obj;
    doc["apiVersion"] = "data.fluid.io/v1alpha1";
    doc["kind"] = kind;
    text += "---\n" + core::json_to_yaml_text(doc);
  }
  core::Diagnostics diags;
  core::FluidObjects out = core::load_fluid_yaml(text, source, diags);
  if (diags.error_count() == 0) return out;
  std::string why;
  for (const auto& d : diags.all()) {
    if (d.severity == core::Severity::kError)
      why += (why.empty() ? "" : "; ") + d.field + ": " + d.message;
  }
  return core::invalid_argument(why);
}

bool same_status(Json a, Json b) {
  for (Json* s : {&a, &b}) {
    if (!s->is_object() || !s->contains("conditions") || !(*s)["conditions"].is_array()) continue;
    for (auto& c : (*s)["conditions"]) {
      if (c.is_object()) {
        c.erase("lastUpdateTime");
        c.erase("lastTransitionTime");
      }
    }
  }
  return a == b;
}

void record_event(ApiClient& client, const Json& object, const std::string& kind,
                  const std::string& type, const std::string& reason, const std::string& message) {
  const Json& meta = object.contains("metadata") ? object["metadata"] : Json::object();
  const std::string ns = meta.value("namespace", "default");
  const std::string name = meta.value("name", "");
  const std::string now = time_now();
  Json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"generateName", name + "."}, {"namespace", ns}}},
             {"involvedObject",
              {{"apiVersion", "data.fluid.io/v1alpha1"},
               {"kind", kind},
               {"name", name},
               {"namespace", ns},
               {"uid", meta.value("uid", "")}}},
             {"type", type},
             {"reason", reason},
             {"message", message},
             {"source", {{"component", "aqueduct-controller"}}},
             {"firstTimestamp", now},
             {"lastTimestamp", now},
             {"count", 1}};
  (void)client.create(resources::events().collection(ns), ev);
}

namespace {
constexpr std::int64_t kPolicyEpochUnix = 1704067200;  // 2024-01-01T00:00:00Z
}  // namespace

core::Time policy_time_now() {
  using namespace std::chrono;
  const auto since = system_clock::now().time_since_epoch() - seconds(kPolicyEpochUnix);
  return duration_cast<core::Time>(since);
}

std::optional<core::Time> policy_time_from_rfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::int64_t unix = static_cast<std::int64_t>(timegm(&tm));
  return std::chrono::duration_cast<core::Time>(std::chrono::seconds(unix - kPolicyEpochUnix));
}

std::string rfc3339_from_policy_time(core::Time t) {
  const std::time_t unix = static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t).count() + kPolicyEpochUnix);
  std::tm tm{};
  gmtime_r(&unix, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace aqueduct::k8s
