#include "aqueduct/core/injection/pod_json.h"

#include <memory>

#include "../fluid/k8s_fields.h"
#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/yaml/yaml_reader.h"

namespace aqueduct::core {
namespace {

// JSON -> yaml-cpp, so the loader's checked walkers read webhook input too.
YAML::Node to_yaml(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      YAML::Node n(YAML::NodeType::Map);
      for (const auto& [k, v] : j.items()) n.force_insert(k, to_yaml(v));
      return n;
    }
    case Json::value_t::array: {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const auto& v : j) n.push_back(to_yaml(v));
      return n;
    }
    case Json::value_t::string:
      return YAML::Node(j.get<std::string>());
    case Json::value_t::boolean:
      return YAML::Node(j.get<bool>() ? "true" : "false");
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return YAML::Node(j.dump());
    default:
      return YAML::Node(YAML::NodeType::Null);
  }
}

// Only the fields the model reads are converted (and so type-checked): the
// rest of a pod (probes, ports, pod security context, ...) is accepted
// unchecked by the loader anyway, and converting it dominated webhook latency.
YAML::Node keep(const Json& j, std::initializer_list<const char*> keys,
                YAML::Node (*child)(const Json&)) {
  if (!j.is_object()) return to_yaml(j);
  YAML::Node n(YAML::NodeType::Map);
  for (const char* k : keys) {
    auto it = j.find(k);
    if (it != j.end()) n.force_insert(k, child ? child(*it) : to_yaml(*it));
  }
  return n;
}

YAML::Node containers_yaml(const Json& list) {
  if (!list.is_array()) return to_yaml(list);
  YAML::Node n(YAML::NodeType::Sequence);
  for (const auto& c : list) {
    n.push_back(keep(c,
                     {"name", "image", "command", "args", "env", "resources", "volumeMounts",
                      "securityContext", "restartPolicy"},
                     nullptr));
  }
  return n;
}

YAML::Node spec_yaml(const Json& spec) {
  if (!spec.is_object()) return to_yaml(spec);
  YAML::Node n = keep(spec,
                      {"volumes", "nodeSelector", "affinity", "tolerations", "schedulerName",
                       "restartPolicy", "nodeName", "topologySpreadConstraints"},
                      nullptr);
  for (const char* k : {"containers", "initContainers"}) {
    auto it = spec.find(k);
    if (it != spec.end()) n.force_insert(k, containers_yaml(*it));
  }
  return n;
}

YAML::Node pod_yaml(const Json& pod) {
  YAML::Node n(YAML::NodeType::Map);
  if (auto it = pod.find("metadata"); it != pod.end()) {
    n.force_insert(
        "metadata",
        keep(*it, {"name", "generateName", "namespace", "labels", "annotations"}, nullptr));
  }
  if (auto it = pod.find("spec"); it != pod.end()) n.force_insert("spec", spec_yaml(*it));
  return n;
}

Json requirement_json(const NodeSelectorRequirement& r) {
  Json o = {{"key", r.key}, {"operator", selector_op_name(r.op)}};
  if (!r.values.empty()) o["values"] = r.values;
  return o;
}

Json term_json(const NodeSelectorTerm& t) {
  Json o = Json::object();
  if (!t.match_expressions.empty()) {
    Json& a = o["matchExpressions"] = Json::array();
    for (const auto& r : t.match_expressions) a.push_back(requirement_json(r));
  }
  if (!t.match_fields.empty()) {
    Json& a = o["matchFields"] = Json::array();
    for (const auto& r : t.match_fields) a.push_back(requirement_json(r));
  }
  return o;
}

Json resources_json(const Resources& r) {
  Json o = Json::object();
  if (r.cpu_milli) o["cpu"] = std::to_string(r.cpu_milli) + "m";
  if (r.memory_bytes) o["memory"] = std::to_string(r.memory_bytes);
  if (r.gpu_milli) o["nvidia.com/gpu"] = std::to_string((r.gpu_milli + 999) / 1000);
  return o;
}

Json container_json(const Container& c) {
  Json o = {{"name", c.name}};
  if (!c.image.empty()) o["image"] = c.image;
  if (!c.command.empty()) o["command"] = c.command;
  if (!c.args.empty()) o["args"] = c.args;
  if (!c.env.empty()) {
    Json& env = o["env"] = Json::array();
    for (const auto& e : c.env) {
      Json v = {{"name", e.name}};
      if (!e.value.empty()) v["value"] = e.value;
      env.push_back(std::move(v));
    }
  }
  Json res = Json::object();
  if (Json q = resources_json(c.requests); !q.empty()) res["requests"] = q;
  if (Json q = resources_json(c.limits); !q.empty()) res["limits"] = q;
  o["resources"] = res;
  if (!c.volume_mounts.empty()) {
    Json& vms = o["volumeMounts"] = Json::array();
    for (const auto& m : c.volume_mounts) {
      Json v = {{"name", m.name}, {"mountPath", m.mount_path}};
      if (!m.sub_path.empty()) v["subPath"] = m.sub_path;
      if (m.read_only) v["readOnly"] = true;
      if (!m.mount_propagation.empty()) v["mountPropagation"] = m.mount_propagation;
      vms.push_back(std::move(v));
    }
  }
  if (c.privileged) o["securityContext"] = {{"privileged", true}};
  if (!c.restart_policy.empty()) o["restartPolicy"] = c.restart_policy;
  return o;
}

Json volume_json(const Volume& v) {
  Json o = {{"name", v.name}};
  if (!v.pvc_claim_name.empty()) {
    o["persistentVolumeClaim"] = {{"claimName", v.pvc_claim_name}};
  } else if (!v.host_path.empty()) {
    o["hostPath"] = {{"path", v.host_path}};
    if (!v.host_path_type.empty()) o["hostPath"]["type"] = v.host_path_type;
  } else if (v.empty_dir) {
    o["emptyDir"] = Json::object();
  } else if (!v.other_source.empty()) {
    o[v.other_source] = Json::object();
  }
  return o;
}

Json label_selector_json(const LabelSelector& sel) {
  Json o = Json::object();
  if (!sel.match_labels.empty()) o["matchLabels"] = sel.match_labels;
  if (!sel.match_expressions.empty()) {
    Json& a = o["matchExpressions"] = Json::array();
    for (const auto& r : sel.match_expressions) {
      Json e = {{"key", r.key}, {"operator", selector_op_name(r.op)}};
      if (!r.values.empty()) e["values"] = r.values;
      a.push_back(std::move(e));
    }
  }
  return o;
}

Json affinity_term_json(const PodAffinityTerm& t) {
  Json o = Json::object();
  if (t.selector) o["labelSelector"] = label_selector_json(*t.selector);
  if (!t.namespaces.empty()) o["namespaces"] = t.namespaces;
  o["topologyKey"] = t.topology_key;
  return o;
}

Json pod_affinity_json(const PodAffinity& a) {
  Json o = Json::object();
  if (!a.required.empty()) {
    Json& r = o["requiredDuringSchedulingIgnoredDuringExecution"] = Json::array();
    for (const auto& t : a.required) r.push_back(affinity_term_json(t));
  }
  if (!a.preferred.empty()) {
    Json& p = o["preferredDuringSchedulingIgnoredDuringExecution"] = Json::array();
    for (const auto& w : a.preferred) {
      p.push_back({{"weight", w.weight}, {"podAffinityTerm", affinity_term_json(w.term)}});
    }
  }
  return o;
}

}  // namespace

Result<Pod> pod_model_from_json(const Json& pod, const std::string& source) {
  if (!pod.is_object()) {
    return invalid_argument(source + ": expected a Pod object, got " +
                            std::string(pod.type_name()));
  }
  Diagnostics diags;
  auto file = std::make_shared<const std::string>(source);
  YamlCursor root(pod_yaml(pod), "", file, &diags);
  Pod out;
  out.meta = fluid_internal::parse_meta(root, /*name_required=*/false);
  if (auto spec = root.child("spec", /*required=*/true)) fluid_internal::parse_pod_spec(*spec, out);
  if (diags.has_errors()) return diags.to_status();
  return out;
}

Json node_affinity_to_json(const NodeAffinity& na) {
  Json o = Json::object();
  if (na.has_required) {
    Json terms = Json::array();
    for (const auto& t : na.required) terms.push_back(term_json(t));
    o["requiredDuringSchedulingIgnoredDuringExecution"] = {{"nodeSelectorTerms", terms}};
  }
  if (!na.preferred.empty()) {
    Json& a = o["preferredDuringSchedulingIgnoredDuringExecution"] = Json::array();
    for (const auto& p : na.preferred) {
      a.push_back({{"weight", p.weight}, {"preference", term_json(p.preference)}});
    }
  }
  return o;
}

Json tolerations_to_json(const std::vector<Toleration>& tolerations) {
  Json ts = Json::array();
  for (const auto& t : tolerations) {
    Json o = Json::object();
    if (!t.key.empty()) o["key"] = t.key;
    o["operator"] = t.op;
    if (!t.value.empty()) o["value"] = t.value;
    if (!t.effect.empty()) o["effect"] = t.effect;
    if (t.toleration_seconds >= 0) o["tolerationSeconds"] = t.toleration_seconds;
    ts.push_back(std::move(o));
  }
  return ts;
}

Json pod_to_json(const Pod& pod) {
  Json meta = {{"name", pod.meta.name}, {"namespace", pod.meta.namespace_}};
  if (!pod.meta.labels.empty()) meta["labels"] = pod.meta.labels;
  if (!pod.meta.annotations.empty()) meta["annotations"] = pod.meta.annotations;
  Json spec = Json::object();
  Json& cs = spec["containers"] = Json::array();
  for (const auto& c : pod.containers) cs.push_back(container_json(c));
  if (!pod.init_containers.empty()) {
    Json& ic = spec["initContainers"] = Json::array();
    for (const auto& c : pod.init_containers) ic.push_back(container_json(c));
  }
  if (!pod.volumes.empty()) {
    Json& vs = spec["volumes"] = Json::array();
    for (const auto& v : pod.volumes) vs.push_back(volume_json(v));
  }
  if (!pod.node_selector.empty()) spec["nodeSelector"] = pod.node_selector;
  if (Json na = node_affinity_to_json(pod.node_affinity); !na.empty()) {
    spec["affinity"]["nodeAffinity"] = na;
  }
  if (!pod.pod_affinity.empty())
    spec["affinity"]["podAffinity"] = pod_affinity_json(pod.pod_affinity);
  if (!pod.pod_anti_affinity.empty()) {
    spec["affinity"]["podAntiAffinity"] = pod_affinity_json(pod.pod_anti_affinity);
  }
  if (!pod.topology_spread.empty()) {
    Json& ts = spec["topologySpreadConstraints"] = Json::array();
    for (const auto& c : pod.topology_spread) {
      Json o = {{"maxSkew", c.max_skew},
                {"topologyKey", c.topology_key},
                {"whenUnsatisfiable", c.do_not_schedule ? "DoNotSchedule" : "ScheduleAnyway"}};
      if (c.selector) o["labelSelector"] = label_selector_json(*c.selector);
      ts.push_back(std::move(o));
    }
  }
  if (!pod.tolerations.empty()) spec["tolerations"] = tolerations_to_json(pod.tolerations);
  if (!pod.scheduler_name.empty()) spec["schedulerName"] = pod.scheduler_name;
  if (!pod.restart_policy.empty()) spec["restartPolicy"] = pod.restart_policy;
  if (!pod.node_name.empty()) spec["nodeName"] = pod.node_name;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
}

}  // namespace aqueduct::core
