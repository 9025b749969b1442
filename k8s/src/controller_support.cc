#include "aqueduct/k8s/controller_support.h"

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

}  // namespace aqueduct::k8s
