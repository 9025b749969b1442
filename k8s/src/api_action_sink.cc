#include "aqueduct/k8s/api_action_sink.h"

namespace aqueduct::k8s {
namespace {

core::Result<std::pair<std::string, std::string>> split(std::string_view key, const char* what) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) {
    return core::invalid_argument(std::string(what) + " \"" + std::string(key) +
                                  "\": expected namespace/name");
  }
  return std::make_pair(std::string(key.substr(0, slash)), std::string(key.substr(slash + 1)));
}

}  // namespace

ApiActionSink::ApiActionSink(ApiClient& client, std::vector<std::string> runtime_kinds)
    : client_(client), kinds_(std::move(runtime_kinds)) {}

core::Status ApiActionSink::bind(std::string_view pod_key, std::string_view node_name) {
  AQ_ASSIGN_OR_RETURN(auto key, split(pod_key, "pod"));
  Json binding = {
      {"apiVersion", "v1"},
      {"kind", "Binding"},
      {"metadata", {{"name", key.second}, {"namespace", key.first}}},
      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", std::string(node_name)}}}};
  auto r = client_.create(resources::pods().object(key.first, key.second, "binding"), binding);
  return r.ok() ? core::Status::ok() : r.status();
}

core::Status ApiActionSink::patch_pod(std::string_view pod_key, const core::Pod&) {
  return core::failed_precondition(
      "pod " + std::string(pod_key) +
      ": a live pod's spec cannot change after creation; the admission "
      "webhook mutates pods as they are created");
}

core::Status ApiActionSink::scale_runtime(std::string_view runtime_key, std::int32_t replicas) {
  AQ_ASSIGN_OR_RETURN(auto key, split(runtime_key, "runtime"));
  if (replicas < 0)
    return core::invalid_argument("replicas: expected >= 0, got " + std::to_string(replicas));
  for (const auto& kind : kinds_) {
    auto rt = resources::runtime(kind);
    if (!rt.ok()) continue;
    auto r = client_.patch(rt->object(key.first, key.second, "scale"),
                           Json{{"spec", {{"replicas", replicas}}}});
    if (r.ok()) return core::Status::ok();
    if (r.status().code() != core::StatusCode::kNotFound) return r.status();
  }
  return core::not_found("runtime " + std::string(runtime_key) +
                         ": none of the watched kinds has it");
}

core::Status ApiActionSink::place_cache_worker(std::string_view runtime_key,
                                               std::string_view node) {
  return core::failed_precondition("runtime " + std::string(runtime_key) +
                                   ": on a live cluster its workers are " +
                                   "placed by their StatefulSet and kube-scheduler, not on node " +
                                   std::string(node) + "; scale the runtime instead");
}

core::Status ApiActionSink::remove_cache_worker(std::string_view runtime_key,
                                                std::string_view node) {
  return core::failed_precondition(
      "runtime " + std::string(runtime_key) + ": on a live cluster a worker is " +
      "not removed from a chosen node (" + std::string(node) + "); scale the runtime instead");
}

Json dataload_to_json(const core::DataLoad& load) {
  Json targets = Json::array();
  for (const auto& t : load.targets)
    targets.push_back({{"path", t.path}, {"replicas", t.replicas}});
  Json spec = {{"dataset",
                {{"name", load.dataset_name},
                 {"namespace",
                  load.dataset_namespace.empty() ? load.meta.namespace_ : load.dataset_namespace}}},
               {"loadMetadata", load.load_metadata}};
  if (!targets.empty()) spec["target"] = targets;
  spec["policy"] = load.policy == core::DataLoadPolicy::kCron      ? "Cron"
                   : load.policy == core::DataLoadPolicy::kOnEvent ? "OnEvent"
                                                                   : "Once";
  if (!load.schedule.empty()) spec["schedule"] = load.schedule;
  return Json{{"apiVersion", "data.fluid.io/v1alpha1"},
              {"kind", "DataLoad"},
              {"metadata", {{"name", load.meta.name}, {"namespace", load.meta.namespace_}}},
              {"spec", spec}};
}

core::Status ApiActionSink::start_data_load(const core::DataLoad& load) {
  if (load.meta.name.empty()) return core::invalid_argument("DataLoad: metadata.name: required");
  auto r = client_.create(resources::data_loads().collection(load.meta.namespace_),
                          dataload_to_json(load));
  return r.ok() ? core::Status::ok() : r.status();
}

}  // namespace aqueduct::k8s
