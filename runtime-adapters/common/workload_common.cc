#include "workload_common.h"

#include "aqueduct/core/injection/pod_json.h"

namespace aqueduct::runtime_adapters::workload_common {

Json owned_meta(const std::string& name, const core::Dataset& ds, const Json& lbls,
                const Json& owners) {
  return Json{{"name", name},
              {"namespace", ds.meta.namespace_},
              {"labels", lbls},
              {"ownerReferences", owners}};
}

Json quantity_map(const core::Resources& r) {
  Json m = Json::object();
  if (r.cpu_milli > 0) m["cpu"] = std::to_string(r.cpu_milli) + "m";
  if (r.memory_bytes > 0) m["memory"] = std::to_string(r.memory_bytes);
  if (r.gpu_milli > 0) m["nvidia.com/gpu"] = std::to_string(r.gpu_milli / 1000);
  return m;
}

Json owner(const core::Runtime& rt, const std::string& kind, const std::string& uid) {
  return Json::array({{{"apiVersion", "data.fluid.io/v1alpha1"},
                       {"kind", kind},
                       {"name", rt.meta.name},
                       {"uid", uid},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}});
}

Json labels(const std::string& engine, const std::string& role, const core::Dataset& ds) {
  return Json{{"app", engine},
              {"role", engine + "-" + role},
              {"release", ds.meta.name},
              {"fluid.io/dataset-id", ds.meta.namespace_ + "-" + ds.meta.name}};
}

Json stateful_set(const std::string& name, const core::Dataset& ds, const Json& lbls,
                  const Json& owners, std::int32_t replicas, Json pod_spec) {
  return Json{{"apiVersion", "apps/v1"},
              {"kind", "StatefulSet"},
              {"metadata", owned_meta(name, ds, lbls, owners)},
              {"spec",
               {{"replicas", replicas},
                {"serviceName", name},
                {"podManagementPolicy", "Parallel"},
                {"selector", {{"matchLabels", lbls}}},
                {"template", {{"metadata", {{"labels", lbls}}}, {"spec", std::move(pod_spec)}}}}}};
}

Json dataset_tolerations(const core::Dataset& ds) {
  std::vector<core::Toleration> cleared = ds.tolerations;
  for (auto& t : cleared) t.toleration_seconds = -1;
  return core::tolerations_to_json(cleared);
}

void apply_fluid_worker_placement(Json& sts, const core::Dataset& ds) {
  Json& tmpl = sts["spec"]["template"];
  const bool exclusive = ds.placement == core::PlacementMode::kExclusive;
  tmpl["metadata"]["labels"]["fluid.io/dataset"] = ds.meta.namespace_ + "-" + ds.meta.name;
  tmpl["metadata"]["labels"]["fluid.io/dataset-placement"] = exclusive ? "Exclusive" : "Shared";
  auto by_host = [](Json selector) {
    return Json{{"labelSelector", std::move(selector)}, {"topologyKey", "kubernetes.io/hostname"}};
  };
  const Json any_dataset = {
      {"matchExpressions", Json::array({{{"key", "fluid.io/dataset"}, {"operator", "Exists"}}})}};
  Json anti = Json::object();
  if (exclusive) {
    anti["requiredDuringSchedulingIgnoredDuringExecution"] = Json::array({by_host(any_dataset)});
  } else {
    anti["preferredDuringSchedulingIgnoredDuringExecution"] =
        Json::array({{{"weight", 50}, {"podAffinityTerm", by_host(any_dataset)}}});
    anti["requiredDuringSchedulingIgnoredDuringExecution"] = Json::array(
        {by_host({{"matchExpressions", Json::array({{{"key", "fluid.io/dataset-placement"},
                                                     {"operator", "In"},
                                                     {"values", Json::array({"Exclusive"})}}})}})});
  }
  Json node = Json::object();
  node["preferredDuringSchedulingIgnoredDuringExecution"] = Json::array(
      {{{"weight", 100},
        {"preference",
         {{"matchExpressions",
           Json::array({{{"key", "fluid.io/f-" + ds.meta.namespace_ + "-" + ds.meta.name},
                         {"operator", "In"},
                         {"values", Json::array({"true"})}}})}}}}});
  if (ds.node_affinity.has_required) {
    Json na = core::node_affinity_to_json(ds.node_affinity);
    node["requiredDuringSchedulingIgnoredDuringExecution"] =
        na["requiredDuringSchedulingIgnoredDuringExecution"];
  }
  Json& spec = tmpl["spec"];
  spec["affinity"] = Json{{"podAntiAffinity", anti}, {"nodeAffinity", node}};
  if (!ds.tolerations.empty()) {
    Json& tol = spec["tolerations"];
    if (!tol.is_array()) tol = Json::array();
    for (auto& t : dataset_tolerations(ds)) tol.push_back(std::move(t));
  }
}

Json pod_service(const std::string& pod, const core::Dataset& ds, const Json& lbls,
                 const Json& owners, Json ports) {
  Json selector = lbls;
  selector["statefulset.kubernetes.io/pod-name"] = pod;
  return Json{{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", owned_meta(pod, ds, lbls, owners)},
              {"spec",
               {{"clusterIP", "None"},
                {"publishNotReadyAddresses", true},
                {"selector", selector},
                {"ports", std::move(ports)}}}};
}

Json config_map(const std::string& name, const core::Dataset& ds, const Json& lbls,
                const Json& owners, Json data) {
  return Json{{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", owned_meta(name, ds, lbls, owners)},
              {"data", std::move(data)}};
}

}  // namespace aqueduct::runtime_adapters::workload_common
