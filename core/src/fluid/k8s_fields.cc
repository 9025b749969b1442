#include "k8s_fields.h"

#include <algorithm>

namespace aqueduct::core::fluid_internal {
namespace {

std::optional<SelectorOp> parse_op(const std::string& s) {
  if (s == "In") return SelectorOp::kIn;
  if (s == "NotIn") return SelectorOp::kNotIn;
  if (s == "Exists") return SelectorOp::kExists;
  if (s == "DoesNotExist") return SelectorOp::kDoesNotExist;
  if (s == "Gt") return SelectorOp::kGt;
  if (s == "Lt") return SelectorOp::kLt;
  return std::nullopt;
}

NodeSelectorTerm parse_term(YamlCursor& t) {
  NodeSelectorTerm term;
  if (!t.expect_map("a node selector term")) return term;
  term.match_expressions = parse_requirements(t, "matchExpressions", false);
  term.match_fields = parse_requirements(t, "matchFields", false);
  t.finish_unknown("NodeSelectorTerm");
  return term;
}

}  // namespace

std::vector<NodeSelectorRequirement> parse_requirements(YamlCursor& parent, std::string_view key,
                                                        bool label_selector) {
  std::vector<NodeSelectorRequirement> out;
  parent.each(key, [&](YamlCursor& r) {
    if (!r.expect_map()) return;
    NodeSelectorRequirement req;
    req.key = r.str("key", true).value_or("");
    auto op = label_selector
                  ? r.one_of("operator", {"In", "NotIn", "Exists", "DoesNotExist"}, true)
                  : r.one_of("operator", {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}, true);
    if (op) req.op = *parse_op(*op);
    req.values = r.string_list("values");
    r.finish_unknown(label_selector ? "LabelSelectorRequirement" : "NodeSelectorRequirement");
    if (op) {
      bool needs_values = req.op == SelectorOp::kIn || req.op == SelectorOp::kNotIn;
      bool one_value = req.op == SelectorOp::kGt || req.op == SelectorOp::kLt;
      bool no_values = req.op == SelectorOp::kExists || req.op == SelectorOp::kDoesNotExist;
      if (needs_values && req.values.empty()) {
        r.error(r.field_path("values"), "operator " + *op + " needs at least one value");
      } else if (one_value && req.values.size() != 1) {
        r.error(r.field_path("values"), "operator " + *op + " needs exactly one integer value");
      } else if (no_values && !req.values.empty()) {
        r.error(r.field_path("values"), "operator " + *op + " takes no values");
      }
    }
    out.push_back(std::move(req));
  });
  return out;
}

ObjectMeta parse_meta(YamlCursor& obj, bool name_required) {
  ObjectMeta meta;
  meta.pos = obj.pos();
  auto m = obj.child("metadata", name_required);
  if (!m) return meta;
  if (!m->expect_map()) return meta;
  meta.pos = m->pos();
  meta.name = m->str("name", name_required).value_or("");
  if (auto ns = m->str("namespace")) meta.namespace_ = *ns;
  meta.labels = m->string_map("labels");
  meta.annotations = m->string_map("annotations");
  m->accept({"generateName", "uid", "resourceVersion", "creationTimestamp", "ownerReferences",
             "finalizers", "managedFields", "generation", "deletionTimestamp",
             "deletionGracePeriodSeconds", "selfLink"});
  m->finish_unknown("metadata");
  return meta;
}

void parse_node_selector(YamlCursor& sel, NodeAffinity& out) {
  if (!sel.expect_map("a node selector")) return;
  out.has_required = true;
  sel.each(
      "nodeSelectorTerms", [&](YamlCursor& t) { out.required.push_back(parse_term(t)); }, true);
  sel.finish_unknown("NodeSelector");
}

NodeAffinity parse_node_affinity(YamlCursor& na) {
  NodeAffinity out;
  if (!na.expect_map("a node affinity")) return out;
  if (auto req = na.child("requiredDuringSchedulingIgnoredDuringExecution")) {
    parse_node_selector(*req, out);
  }
  na.each("preferredDuringSchedulingIgnoredDuringExecution", [&](YamlCursor& p) {
    if (!p.expect_map()) return;
    PreferredSchedulingTerm pt;
    pt.weight = static_cast<std::int32_t>(p.integer("weight", true, 1, 100).value_or(0));
    if (auto pref = p.child("preference", true)) pt.preference = parse_term(*pref);
    p.finish_unknown("PreferredSchedulingTerm");
    out.preferred.push_back(std::move(pt));
  });
  na.finish_unknown("NodeAffinity");
  return out;
}

std::vector<Toleration> parse_tolerations(YamlCursor& parent, std::string_view key) {
  std::vector<Toleration> out;
  parent.each(key, [&](YamlCursor& t) {
    if (!t.expect_map("a toleration")) return;
    Toleration tol;
    tol.key = t.str("key").value_or("");
    tol.op = t.one_of("operator", {"Equal", "Exists"}).value_or("Equal");
    tol.value = t.str("value").value_or("");
    tol.effect = t.one_of("effect", {"NoSchedule", "PreferNoSchedule", "NoExecute"}).value_or("");
    tol.toleration_seconds = t.integer("tolerationSeconds").value_or(-1);
    if (tol.op == "Exists" && !tol.value.empty()) {
      t.error(t.field_path("value"), "must be empty when operator is Exists");
    }
    if (tol.key.empty() && tol.op != "Exists") {
      t.error(t.field_path("operator"), "must be Exists when key is empty");
    }
    t.finish_unknown("Toleration");
    out.push_back(std::move(tol));
  });
  return out;
}

namespace {
void parse_resource_list(YamlCursor& res, std::string_view key, Resources& out) {
  auto list = res.child(key);
  if (!list || !list->expect_map("a resource list")) return;
  if (auto q = list->quantity("cpu")) out.cpu_milli = q->as_milli();
  if (auto q = list->quantity("memory")) out.memory_bytes = q->as_int();
  if (auto q = list->quantity("nvidia.com/gpu")) out.gpu_milli = q->as_int() * 1000;
  if (auto q = list->quantity("aliyun.com/gpu-mem")) (void)q;  // accepted, not modeled
  list->accept({"ephemeral-storage", "hugepages-2Mi", "hugepages-1Gi", "aliyun.com/gpu-mem",
                "amd.com/gpu", "pods"});
  // Other extended resources (vendor/name) are valid Kubernetes; accept them.
  for (auto it = list->node().begin(); it != list->node().end(); ++it) {
    std::string k = it->first.Scalar();
    if (k.find('/') != std::string::npos) list->accept({k});
  }
  list->finish_unknown("a resource list");
}
}  // namespace

void parse_resources(YamlCursor& res, Resources& requests, Resources& limits) {
  if (!res.expect_map("resource requirements")) return;
  parse_resource_list(res, "requests", requests);
  parse_resource_list(res, "limits", limits);
  res.accept({"claims"});
  res.finish_unknown("ResourceRequirements");
}

std::vector<EnvVar> parse_env(YamlCursor& parent, std::string_view key) {
  std::vector<EnvVar> out;
  parent.each(key, [&](YamlCursor& e) {
    if (!e.expect_map("an environment variable")) return;
    EnvVar v;
    v.name = e.str("name", true).value_or("");
    v.value = e.str("value").value_or("");
    if (auto from = e.child("valueFrom")) {
      if (auto skr = from->child("secretKeyRef")) {
        v.value_from =
            "secretKeyRef:" + skr->str("name").value_or("") + "/" + skr->str("key").value_or("");
        skr->accept({"optional"});
        skr->finish_unknown("SecretKeySelector");
      } else if (auto cm = from->child("configMapKeyRef")) {
        v.value_from =
            "configMapKeyRef:" + cm->str("name").value_or("") + "/" + cm->str("key").value_or("");
        cm->accept({"optional"});
      }
      from->accept({"fieldRef", "resourceFieldRef"});
      from->finish_unknown("EnvVarSource");
    }
    e.finish_unknown("EnvVar");
    out.push_back(std::move(v));
  });
  return out;
}

Container parse_container(YamlCursor& c) {
  Container out;
  if (!c.expect_map("a container")) return out;
  out.name = c.str("name", true).value_or("");
  out.image = c.str("image").value_or("");
  out.command = c.string_list("command");
  out.args = c.string_list("args");
  out.env = parse_env(c, "env");
  if (auto r = c.child("resources")) parse_resources(*r, out.requests, out.limits);
  c.each("volumeMounts", [&](YamlCursor& m) {
    if (!m.expect_map("a volume mount")) return;
    VolumeMount vm;
    vm.name = m.str("name", true).value_or("");
    vm.mount_path = m.str("mountPath", true).value_or("");
    vm.sub_path = m.str("subPath").value_or("");
    vm.read_only = m.boolean("readOnly").value_or(false);
    vm.mount_propagation =
        m.one_of("mountPropagation", {"None", "HostToContainer", "Bidirectional"}).value_or("");
    m.accept({"subPathExpr", "recursiveReadOnly"});
    m.finish_unknown("VolumeMount");
    out.volume_mounts.push_back(std::move(vm));
  });
  if (auto sc = c.child("securityContext")) {
    out.privileged = sc->boolean("privileged").value_or(false);
    sc->accept({"capabilities", "runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem",
                "allowPrivilegeEscalation", "seLinuxOptions", "seccompProfile", "procMount",
                "windowsOptions", "appArmorProfile"});
    sc->finish_unknown("SecurityContext");
  }
  out.restart_policy = c.str("restartPolicy").value_or("");
  c.accept({"envFrom", "imagePullPolicy", "lifecycle", "livenessProbe", "ports", "readinessProbe",
            "resizePolicy", "startupProbe", "stdin", "stdinOnce", "terminationMessagePath",
            "terminationMessagePolicy", "tty", "volumeDevices", "workingDir"});
  c.finish_unknown("Container");
  return out;
}

void parse_pod_spec(YamlCursor& spec, Pod& pod) {
  if (!spec.expect_map("a pod spec")) return;
  spec.each(
      "containers", [&](YamlCursor& c) { pod.containers.push_back(parse_container(c)); }, true);
  spec.each("initContainers",
            [&](YamlCursor& c) { pod.init_containers.push_back(parse_container(c)); });
  spec.each("volumes", [&](YamlCursor& v) {
    if (!v.expect_map("a volume")) return;
    Volume vol;
    vol.name = v.str("name", true).value_or("");
    if (auto pvc = v.child("persistentVolumeClaim")) {
      vol.pvc_claim_name = pvc->str("claimName", true).value_or("");
      pvc->accept({"readOnly"});
      pvc->finish_unknown("PersistentVolumeClaimVolumeSource");
    }
    if (auto hp = v.child("hostPath")) {
      vol.host_path = hp->str("path", true).value_or("");
      vol.host_path_type = hp->str("type").value_or("");
      hp->finish_unknown("HostPathVolumeSource");
    }
    if (v.has("emptyDir")) vol.empty_dir = true;
    v.accept({"emptyDir"});
    for (auto it = v.node().begin(); it != v.node().end(); ++it) {
      std::string k = it->first.Scalar();
      if (k != "name" && k != "persistentVolumeClaim" && k != "hostPath" && k != "emptyDir") {
        vol.other_source = k;  // configMap, secret, projected, csi, ...: valid, not modeled
        v.accept({k});
      }
    }
    v.finish_unknown("Volume");
    pod.volumes.push_back(std::move(vol));
  });
  pod.node_selector = spec.string_map("nodeSelector");
  if (auto aff = spec.child("affinity")) {
    if (aff->expect_map("an affinity")) {
      if (auto na = aff->child("nodeAffinity")) pod.node_affinity = parse_node_affinity(*na);
      parse_pod_affinities(*aff, pod);
      aff->finish_unknown("Affinity");
    }
  }
  pod.tolerations = parse_tolerations(spec, "tolerations");
  pod.topology_spread = parse_topology_spread(spec);
  pod.scheduler_name = spec.str("schedulerName").value_or("");
  pod.restart_policy = spec.one_of("restartPolicy", {"Always", "OnFailure", "Never"}).value_or("");
  pod.node_name = spec.str("nodeName").value_or("");
  spec.accept({"activeDeadlineSeconds",
               "automountServiceAccountToken",
               "dnsConfig",
               "dnsPolicy",
               "enableServiceLinks",
               "ephemeralContainers",
               "hostAliases",
               "hostIPC",
               "hostNetwork",
               "hostPID",
               "hostUsers",
               "hostname",
               "imagePullSecrets",
               "os",
               "overhead",
               "preemptionPolicy",
               "priority",
               "priorityClassName",
               "readinessGates",
               "resourceClaims",
               "runtimeClassName",
               "schedulingGates",
               "securityContext",
               "serviceAccount",
               "serviceAccountName",
               "setHostnameAsFQDN",
               "shareProcessNamespace",
               "subdomain",
               "terminationGracePeriodSeconds",
               "resources"});
  spec.finish_unknown("PodSpec");
}

}  // namespace aqueduct::core::fluid_internal
