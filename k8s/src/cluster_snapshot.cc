#include "aqueduct/k8s/cluster_snapshot.h"

#include <algorithm>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/injection/pod_json.h"
#include "aqueduct/core/quantity.h"
#include "aqueduct/core/scheduling/node_matching.h"
#include "aqueduct/core/yaml/yaml_json.h"

namespace aqueduct::k8s {
namespace {

// o[key] without copying; a null when missing.
const Json& at(const Json& o, const char* key) {
  static const Json kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

std::string str(const Json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
}

core::Result<std::int64_t> quantity(const Json& v, const std::string& where, bool milli) {
  std::string text = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
  auto q = core::parse_quantity(text);
  if (!q) return core::invalid_argument(where + ": expected a quantity, got " + v.dump());
  return milli ? q->as_milli() : q->as_int();
}

}  // namespace

core::Result<core::Node> node_from_json(const Json& j) {
  const Json& meta = at(j, "metadata");
  core::Node n;
  n.meta.name = str(meta, "name");
  if (n.meta.name.empty()) return core::invalid_argument("Node: metadata.name: required");
  n.meta.namespace_ = "";
  const std::string where = "Node " + n.meta.name;
  if (meta.contains("labels") && meta["labels"].is_object()) {
    for (auto& [k, v] : meta["labels"].items()) {
      if (v.is_string()) n.meta.labels[k] = v.get<std::string>();
    }
  }
  const auto& l = n.meta.labels;
  auto label = [&](const char* k) {
    auto it = l.find(k);
    return it == l.end() ? std::string() : it->second;
  };
  n.arch = label("kubernetes.io/arch") == "arm64" ? core::Arch::kArm64 : core::Arch::kAmd64;
  n.zone = label("topology.kubernetes.io/zone");
  if (n.zone.empty()) n.zone = label("failure-domain.beta.kubernetes.io/zone");
  n.region = label("topology.kubernetes.io/region");
  if (n.region.empty()) n.region = label("failure-domain.beta.kubernetes.io/region");
  const Json& status = at(j, "status");
  const Json& alloc =
      at(status, "allocatable").is_object() ? at(status, "allocatable") : at(status, "capacity");
  if (alloc.is_object()) {
    for (auto& [k, v] : alloc.items()) {
      const std::string f = where + ": status.allocatable." + k;
      if (k == "cpu") {
        AQ_ASSIGN_OR_RETURN(n.allocatable.cpu_milli, quantity(v, f, true));
      } else if (k == "memory") {
        AQ_ASSIGN_OR_RETURN(n.allocatable.memory_bytes, quantity(v, f, false));
      } else if (k == "nvidia.com/gpu") {
        AQ_ASSIGN_OR_RETURN(n.allocatable.gpu_milli, quantity(v, f, true));
      } else if (k == "pods") {
        AQ_ASSIGN_OR_RETURN(n.allocatable.pods, quantity(v, f, false));
      }
    }
  }
  const Json& spec = at(j, "spec");
  if (spec.contains("taints") && spec["taints"].is_array()) {
    for (const auto& t : spec["taints"]) {
      core::Taint taint;
      taint.key = str(t, "key");
      taint.value = str(t, "value");
      const std::string e = str(t, "effect");
      if (e == "NoSchedule")
        taint.effect = core::TaintEffect::kNoSchedule;
      else if (e == "PreferNoSchedule")
        taint.effect = core::TaintEffect::kPreferNoSchedule;
      else if (e == "NoExecute")
        taint.effect = core::TaintEffect::kNoExecute;
      else
        return core::invalid_argument(where + ": spec.taints[].effect: unknown \"" + e + "\"");
      if (taint.key == core::kVirtualKubeletTaintKey) n.kind = core::NodeKind::kEci;
      n.taints.push_back(std::move(taint));
    }
  }
  if (label("type") == "virtual-kubelet") n.kind = core::NodeKind::kEci;
  return n;
}

std::unique_ptr<ClusterSnapshot> ClusterSnapshot::build(const SnapshotInput& in,
                                                        std::vector<std::string>* warnings) {
  auto warn = [&](const std::string& m) {
    if (warnings) warnings->push_back(m);
  };
  std::unique_ptr<ClusterSnapshot> s(new ClusterSnapshot());
  std::vector<const Json*> all_nodes;
  for (const auto& j : in.nodes) all_nodes.push_back(&j);
  all_nodes.insert(all_nodes.end(), in.node_refs.begin(), in.node_refs.end());
  s->node_models_.reserve(all_nodes.size());
  for (const Json* j : all_nodes) {
    auto n = node_from_json(*j);
    if (!n) {
      warn(n.status().message());
      continue;
    }
    s->node_models_.push_back(std::move(*n));
  }
  std::sort(s->node_models_.begin(), s->node_models_.end(),
            [](const core::Node& a, const core::Node& b) { return a.meta.name < b.meta.name; });
  for (const auto& n : s->node_models_) s->infos_.push_back(core::NodeInfo{&n, {}, 0, 0, {}});

  for (const auto& j : in.pods) {
    const std::string phase = str(at(j, "status"), "phase");
    if (phase == "Succeeded" || phase == "Failed") continue;  // holds no resources
    auto p = core::pod_model_from_json(j, "Pod " + key_of(j));
    if (!p) {
      warn(p.status().message());
      continue;
    }
    auto pod = std::make_unique<core::Pod>(std::move(*p));
    if (pod->node_name.empty()) {
      s->pending_.push_back(pod.get());
    } else if (std::size_t i = s->node_index(pod->node_name); i != core::kNoNode) {
      s->infos_[i].requested += pod->requests();
      s->infos_[i].pod_count += 1;
      s->infos_[i].pods.push_back(pod.get());
      if (!pod->pod_affinity.empty() || !pod->pod_anti_affinity.empty()) ++s->pods_with_affinity_;
    }
    s->pods_.push_back(std::move(pod));
  }

  // Datasets and runtimes through the Fluid loader, as YAML.
  std::string text;
  for (const auto* list : {&in.datasets, &in.runtimes}) {
    for (const auto& j : *list) text += "---\n" + core::json_to_yaml_text(j);
  }
  core::Diagnostics diags;
  core::FluidObjects objs = core::load_fluid_yaml(text, "the API's Fluid objects", diags);
  for (const auto& d : diags.all()) {
    if (d.severity == core::Severity::kError) warn(d.to_string());
  }
  s->datasets_ = std::move(objs.datasets);
  s->runtimes_ = std::move(objs.runtimes);
  std::sort(s->datasets_.begin(), s->datasets_.end(),
            [](const core::Dataset& a, const core::Dataset& b) {
              return core::object_key(a.meta) < core::object_key(b.meta);
            });
  // Where each dataset is cached: nodes carrying its Fluid label.
  for (const auto& ds : s->datasets_) {
    const core::Runtime* runtime = nullptr;
    for (const auto& rt : s->runtimes_) {
      if (rt.meta.name == ds.meta.name && rt.meta.namespace_ == ds.meta.namespace_) runtime = &rt;
    }
    if (!runtime) continue;
    // The labels say where, not how much: each worker is taken to hold its
    // quota's worth (1 GiB without a tiered store).
    const std::int64_t per_worker =
        runtime->worker_quota_bytes() > 0 ? runtime->worker_quota_bytes() : (std::int64_t{1} << 30);
    core::CacheState cs;
    cs.dataset = core::object_key(ds.meta);
    const std::string label = core::dataset_label(ds.meta.namespace_, ds.meta.name);
    for (const auto& n : s->node_models_) {
      auto it = n.meta.labels.find(label);
      if (it == n.meta.labels.end() || it->second != "true") continue;
      core::WorkerCacheState w;
      w.node_name = n.meta.name;
      w.capacity_bytes = per_worker;
      w.cached_bytes = per_worker;
      cs.capacity_bytes += per_worker;
      cs.cached_bytes += per_worker;
      cs.workers.push_back(w);
    }
    s->cache_states_.push_back(std::move(cs));
  }
  return s;
}

const core::Pod* ClusterSnapshot::pod(std::string_view key) const {
  for (const auto& p : pods_) {
    if (core::object_key(p->meta) == key) return p.get();
  }
  return nullptr;
}

}  // namespace aqueduct::k8s
