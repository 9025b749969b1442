#include "workload_common.h"

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
