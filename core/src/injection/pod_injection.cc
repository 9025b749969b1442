#include "aqueduct/core/injection/pod_injection.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "aqueduct/core/hash.h"
#include "aqueduct/core/injection/injection_labels.h"
#include "fuse_sidecar.h"

namespace aqueduct::core {
namespace {

namespace ii = injection_internal;

std::string label_of(const Pod& m, const char* key) {
  auto it = m.meta.labels.find(key);
  return it == m.meta.labels.end() ? "" : it->second;
}

bool platform_matched(const Pod& m, const InjectionOptions& o) {
  if (o.platform_label_key.empty()) return false;
  auto it = m.meta.labels.find(o.platform_label_key);
  return it != m.meta.labels.end() && it->second == o.platform_label_value;
}

// "<pod name>/<16 hex>" for random-suffix mode (Fluid writes
// "<name>/<micros>-<random>"): unique per admission and dataset, yet the same
// for the same review, so injection stays a function of its input.
std::string unique_host_dir(const Json& pod, const Pod& m, const InjectionOptions& o,
                            std::size_t index) {
  std::string name = m.meta.name;
  if (name.empty()) {
    name = pod.contains("metadata") && pod["metadata"].is_object()
               ? pod["metadata"].value("generateName", "")
               : "";
    name += "--generate-name";
  }
  const std::string token = o.unique_token.empty() ? pod.dump() : o.unique_token;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(fnv1a64(token + "#" + std::to_string(index))));
  return name + "/" + hex;
}

bool is_serverless(const Pod& m, const InjectionOptions& o) {
  return label_of(m, labels::kServerlessInject) == "true" ||
         label_of(m, labels::kFuseSidecarInject) == "true" || platform_matched(m, o);
}

// Writes the working model's node affinity back into the pod JSON.
void write_affinity(Json& pod, const Pod& m) {
  Json& spec = pod["spec"];
  if (!spec.contains("affinity") || !spec["affinity"].is_object())
    spec["affinity"] = Json::object();
  spec["affinity"]["nodeAffinity"] = node_affinity_to_json(m.node_affinity);
}

bool has_fuse_container(const Json& spec) {
  for (const char* key : {"containers", "initContainers"}) {
    if (!spec.contains(key) || !spec[key].is_array()) continue;
    for (const auto& c : spec[key]) {
      std::string n = c.value("name", "");
      for (std::string base : {labels::kFuseContainerName, labels::kInitFuseContainerName}) {
        if (n == base || (n.rfind(base + "-", 0) == 0 && n.size() > base.size() + 1 &&
                          std::all_of(n.begin() + static_cast<long>(base.size()) + 1, n.end(),
                                      [](char ch) { return ch >= '0' && ch <= '9'; }))) {
          return true;
        }
      }
    }
  }
  return false;
}

bool mount_propagation(Json& pod, const std::set<std::string>& claims) {
  std::set<std::string> volume_names;
  Json& spec = pod["spec"];
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (const auto& v : spec["volumes"]) {
      if (v.contains("persistentVolumeClaim") && v["persistentVolumeClaim"].is_object() &&
          claims.count(v["persistentVolumeClaim"].value("claimName", ""))) {
        volume_names.insert(v.value("name", ""));
      }
    }
  }
  bool changed = false;
  if (!spec.contains("containers") || !spec["containers"].is_array()) return false;
  for (auto& c : spec["containers"]) {
    if (!c.contains("volumeMounts") || !c["volumeMounts"].is_array()) continue;
    for (auto& vm : c["volumeMounts"]) {
      if (volume_names.count(vm.value("name", "")) && !vm.contains("mountPropagation")) {
        vm["mountPropagation"] = "HostToContainer";
        changed = true;
      }
    }
  }
  return changed;
}

bool dataset_usage(Json& pod, const std::vector<const DatasetBinding*>& datasets) {
  Json& meta = pod["metadata"];
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) {
    meta["annotations"] = Json::object();
  }
  Json& ann = meta["annotations"];
  std::set<std::string> in_use;
  if (ann.contains(labels::kDatasetsInUse) && ann[labels::kDatasetsInUse].is_string()) {
    std::stringstream ss(ann[labels::kDatasetsInUse].get<std::string>());
    std::string item;
    while (std::getline(ss, item, ',')) {
      auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
      if (b != std::string::npos) in_use.insert(item.substr(b, e - b + 1));
    }
  }
  for (const auto* d : datasets) in_use.insert(d->mounted.name);
  std::string value;
  for (const auto& n : in_use) value += (value.empty() ? "" : ",") + n;
  if (ann.contains(labels::kDatasetsInUse) && ann[labels::kDatasetsInUse] == value) return false;
  ann[labels::kDatasetsInUse] = value;
  return true;
}

// ArchAffinity: the arches every injected sidecar image runs on.
bool arch_affinity(Json& pod, Pod& m, const std::vector<const DatasetBinding*>& datasets,
                   std::vector<std::string>& warnings) {
  std::set<Arch> ok = {Arch::kAmd64, Arch::kArm64};
  for (const auto* d : datasets) {
    if (!d->fuse || d->fuse->arches.empty()) continue;
    std::set<Arch> mine(d->fuse->arches.begin(), d->fuse->arches.end());
    std::set<Arch> both;
    std::set_intersection(ok.begin(), ok.end(), mine.begin(), mine.end(),
                          std::inserter(both, both.begin()));
    ok = std::move(both);
  }
  if (ok.size() == 2) return false;
  NodeSelectorRequirement req{"kubernetes.io/arch", SelectorOp::kIn, {}};
  for (Arch a : ok) req.values.push_back(arch_name(a));
  auto sel = m.node_selector.find("kubernetes.io/arch");
  if (sel != m.node_selector.end()) {
    if (std::find(req.values.begin(), req.values.end(), sel->second) != req.values.end()) {
      return false;  // the pod already picks an arch the sidecar runs on
    }
    warnings.push_back("the pod selects kubernetes.io/arch=" + sel->second +
                       " but its FUSE sidecar image does not run there");
  }
  NodeSelectorTerm term;
  term.match_expressions.push_back(std::move(req));
  inject_required_terms({term}, m);
  write_affinity(pod, m);
  return true;
}

}  // namespace

namespace {
Result<InjectionResult> inject_pod_unchecked(const Json& pod, const DatasetResolver& resolve,
                                             const InjectionOptions& options,
                                             const std::string& source);
}  // namespace

// The border: a field of an unexpected JSON type deep inside the pod is an
// error naming the source, never an exception escaping to the caller.
Result<InjectionResult> inject_pod(const Json& pod, const DatasetResolver& resolve,
                                   const InjectionOptions& options, const std::string& source) {
  try {
    return inject_pod_unchecked(pod, resolve, options, source);
  } catch (const Json::exception& e) {
    return invalid_argument(source + ": a field has the wrong type (" + std::string(e.what()) +
                            ")");
  }
}

namespace {
Result<InjectionResult> inject_pod_unchecked(const Json& pod, const DatasetResolver& resolve,
                                             const InjectionOptions& options,
                                             const std::string& source) {
  if (!pod.is_object()) {
    return invalid_argument(source + ": expected a Pod object, got " + pod.type_name());
  }
  if (pod.contains("kind") && pod["kind"] != "Pod") {
    return invalid_argument(source + ": kind: expected Pod, got " + pod["kind"].dump());
  }
  if (pod.contains("metadata") && !pod["metadata"].is_object()) {
    return invalid_argument(source + ": metadata: expected an object");
  }
  AQ_ASSIGN_OR_RETURN(Pod m, pod_model_from_json(pod, source));

  InjectionResult out;
  out.pod = pod;
  if (label_of(m, labels::kEnableInjection) == "false") {
    out.profile = "skip";
    out.reason = std::string(labels::kEnableInjection) + "=false";
    out.pod = pod;
    return out;
  }
  if (label_of(m, labels::kInjectionDone) == "true") {
    out.profile = "skip";
    out.reason = std::string(labels::kInjectionDone) + "=true (already injected)";
    out.pod = pod;
    return out;
  }

  // The datasets the pod's PVCs name, in volume order, once each.
  std::vector<std::pair<std::string, DatasetBinding>> bound;
  std::set<std::string> seen;
  for (const auto& v : m.volumes) {
    if (v.pvc_claim_name.empty() || !seen.insert(v.pvc_claim_name).second) continue;
    auto b = resolve(m.meta.namespace_, v.pvc_claim_name);
    if (!b) continue;
    if (!b->mounted.has_runtime) {
      out.warnings.push_back("dataset " + b->mounted.ns + "/" + b->mounted.name +
                             " has no runtime: not injected for it");
      continue;
    }
    out.datasets.push_back(b->mounted.ns + "/" + b->mounted.name);
    bound.emplace_back(v.pvc_claim_name, std::move(*b));
  }
  std::vector<const DatasetBinding*> ds;
  std::vector<MountedDataset> mounted;
  std::set<std::string> claims;
  for (const auto& [claim, b] : bound) {
    ds.push_back(&b);
    mounted.push_back(b.mounted);
    claims.insert(claim);
  }
  const bool with_dataset = !ds.empty();

  if (is_serverless(m, options)) {
    out.profile = with_dataset ? "serverless-with-dataset" : "serverless-without-dataset";
    if (!with_dataset) return out;
    if (has_fuse_container(out.pod["spec"])) {
      out.warnings.push_back("a fluid-fuse container exists already: no sidecar injected");
    } else {
      ii::SidecarFlags flags;
      flags.unprivileged =
          platform_matched(m, options) || label_of(m, labels::kUnprivilegedInject) == "true";
      flags.keep_cache_dirs = label_of(m, labels::kCacheDirInject) == "true";
      flags.post_start = label_of(m, labels::kPostStartInject) != "false";
      flags.mode = options.sidecar_mode;
      const auto mode = m.meta.annotations.find(labels::kHostMountPathMode);
      const bool random_suffix =
          mode != m.meta.annotations.end() && mode->second == labels::kHostPathModeRandomSuffix;
      bool any = false;
      for (std::size_t i = 0; i < bound.size(); ++i) {
        if (random_suffix) flags.unique_host_dir = unique_host_dir(pod, m, options, i);
        AQ_ASSIGN_OR_RETURN(bool added,
                            ii::inject_fuse_sidecar(out.pod, bound[i].first, bound[i].second,
                                                    static_cast<int>(i), flags));
        any = any || added;
      }
      out.applied.push_back("FuseSidecar");
      if (options.arch_affinity && any && arch_affinity(out.pod, m, ds, out.warnings)) {
        out.applied.push_back("ArchAffinity");
      }
      out.pod["metadata"]["labels"][labels::kInjectionDone] = "true";
    }
    if (dataset_usage(out.pod, ds)) out.applied.push_back("DatasetUsageInjector");
    return out;
  }

  if (options.serverful_opt_in && label_of(m, labels::kServerfulFuseInject) != "true") {
    out.profile = "skip";
    out.reason = std::string("serverful injection is opt-in and the pod lacks ") +
                 labels::kServerfulFuseInject + "=true";
    return out;
  }
  if (!with_dataset) {
    out.profile = "serverful-without-dataset";
    if (prefer_nodes_without_cache(m)) {
      write_affinity(out.pod, m);
      out.applied.push_back("PreferNodesWithoutCache");
    }
    return out;
  }
  out.profile = "serverful-with-dataset";
  if (require_node_with_fuse(m, mounted)) {
    write_affinity(out.pod, m);
    out.applied.push_back("RequireNodeWithFuse");
  }
  if (node_affinity_with_cache(m, mounted, options.tiered_locality)) {
    write_affinity(out.pod, m);
    out.applied.push_back("NodeAffinityWithCache");
  }
  if (mount_propagation(out.pod, claims)) out.applied.push_back("MountPropagationInjector");
  if (dataset_usage(out.pod, ds)) out.applied.push_back("DatasetUsageInjector");
  return out;
}
}  // namespace

DatasetResolver restrict_to_engine(DatasetResolver inner, std::string fs_type) {
  return [inner = std::move(inner), fs_type = std::move(fs_type)](
             std::string_view ns, std::string_view claim) -> std::optional<DatasetBinding> {
    auto b = inner(ns, claim);
    if (!b || !b->mounted.has_runtime || !b->fuse || b->fuse->fs_type != fs_type)
      return std::nullopt;
    return b;
  };
}

}  // namespace aqueduct::core
