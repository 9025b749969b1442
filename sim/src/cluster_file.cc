#include "aqueduct/sim/cluster_file.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/node_pools.h"
#include "aqueduct/sim/policy_yaml.h"

namespace aqueduct::sim {
using core::YamlCursor;

namespace {

std::optional<core::RuntimeEngine> engine_from(const std::string& s) {
  for (auto e :
       {core::RuntimeEngine::kAlluxio, core::RuntimeEngine::kJuiceFs, core::RuntimeEngine::kJindo,
        core::RuntimeEngine::kGooseFs, core::RuntimeEngine::kThin, core::RuntimeEngine::kEfc,
        core::RuntimeEngine::kVineyard, core::RuntimeEngine::kAqueduct}) {
    if (s == core::runtime_engine_name(e)) return e;
  }
  return std::nullopt;
}

core::Resources parse_allocated(YamlCursor& a) {
  core::Resources r;
  if (!a.expect_map("{cpu, memory, gpu, pods}")) return r;
  if (auto q = a.quantity("cpu")) r.cpu_milli = q->as_milli();
  if (auto q = a.quantity("memory")) r.memory_bytes = q->as_int();
  if (auto q = a.quantity("gpu")) r.gpu_milli = q->as_milli();
  r.pods = a.integer("pods", false, 0).value_or(0);
  a.finish_unknown("allocated");
  return r;
}

}  // namespace

core::Result<ClusterFile> load_cluster_file(const std::string& path, core::Diagnostics& diags,
                                            const core::LoadOptions& options) {
  auto text = core::read_text_file(path);
  if (!text.ok()) {
    diags.error(core::SourcePos{path, 0, 0}, "", text.status().message());
    return text.status();
  }
  return load_cluster_yaml(*text, path, diags, options);
}

core::Result<ClusterFile> load_cluster_yaml(const std::string& text, const std::string& path,
                                            core::Diagnostics& diags,
                                            const core::LoadOptions& options) {
  auto docs = core::parse_yaml_documents(text, path, diags);
  if (docs.size() != 1) {
    if (docs.size() > 1)
      diags.error(core::SourcePos{path, 1, 1}, "", "expected one Cluster document");
    return diags.to_status();
  }
  auto file = std::make_shared<const std::string>(path);
  YamlCursor root(docs[0], "", file, &diags, /*strict=*/!options.lenient);
  ClusterFile out;
  if (!root.expect_map("a Cluster object")) return diags.to_status();
  root.one_of("apiVersion", {"aqueduct.io/v1alpha1"}, true);
  root.one_of("kind", {"Cluster"}, true);
  if (auto m = root.child("metadata")) {
    out.name = m->str("name").value_or("");
    m->accept({"labels", "annotations"});
    m->finish_unknown("metadata");
  }
  auto spec = root.child("spec", true);
  root.finish_unknown("a Cluster");
  if (!spec || !spec->expect_map("the cluster spec")) return diags.to_status();

  std::vector<NodePoolSpec> pools;
  spec->each("nodePools", [&](YamlCursor& p) { pools.push_back(parse_node_pool(p)); });
  std::map<std::string, core::Resources> allocated;
  spec->each("nodes", [&](YamlCursor& n) {
    core::Resources a;
    if (auto al = n.child("allocated")) a = parse_allocated(*al);
    NodePoolSpec pool = parse_node_pool(n, /*single=*/true, {"allocated"});
    allocated[pool.name] = a;
    pools.push_back(std::move(pool));
  });
  out.nodes = build_pool_nodes(pools);
  if (out.nodes.empty())
    spec->error(spec->field_path("nodes"), "expected at least one node (nodes or nodePools)");
  for (std::size_t i = 1; i < out.nodes.size(); ++i) {
    if (out.nodes[i].meta.name == out.nodes[i - 1].meta.name) {
      spec->error(spec->field_path("nodes"),
                  "duplicate node name \"" + out.nodes[i].meta.name + "\"");
    }
  }
  for (const auto& n : out.nodes) {
    auto it = allocated.find(n.meta.name);
    out.allocated.push_back(it == allocated.end() ? core::Resources{} : it->second);
  }
  spec->each("caches", [&](YamlCursor& c) {
    if (!c.expect_map("{dataset, engine, placement, workers}")) return;
    DatasetCacheSpec dc;
    std::string ref = c.str("dataset", true).value_or("");
    if (auto slash = ref.find('/'); slash != std::string::npos) {
      dc.ns = ref.substr(0, slash);
      dc.name = ref.substr(slash + 1);
    } else {
      dc.name = ref;
    }
    if (auto e = c.str("engine")) {
      auto eng = engine_from(*e);
      if (!eng) {
        c.error(
            c.field_path("engine"),
            "expected alluxio, juicefs, jindo, goosefs, thin, efc or vineyard, got \"" + *e + "\"");
      } else {
        dc.engine = *eng;
      }
    }
    if (auto p = c.one_of("placement", {"Exclusive", "Shared"})) {
      dc.placement =
          *p == "Shared" ? core::PlacementMode::kShared : core::PlacementMode::kExclusive;
    }
    c.each(
        "workers",
        [&](YamlCursor& w) {
          if (!w.expect_map("{node, cached, memory, disk}")) return;
          CacheWorkerSpec ws;
          ws.node = w.str("node", true).value_or("");
          if (auto q = w.quantity("cached")) ws.cached_bytes = q->as_int();
          if (auto q = w.quantity("memory")) ws.memory_bytes = q->as_int();
          if (auto q = w.quantity("disk")) ws.disk_bytes = q->as_int();
          w.finish_unknown("a cache worker");
          bool known = std::any_of(out.nodes.begin(), out.nodes.end(),
                                   [&](const core::Node& n) { return n.meta.name == ws.node; });
          if (!ws.node.empty() && !known)
            w.error(w.field_path("node"), "no node named \"" + ws.node + "\"");
          dc.workers.push_back(ws);
        },
        true);
    c.finish_unknown("a cache entry");
    out.caches.push_back(std::move(dc));
  });
  if (auto sc = spec->child("scheduler")) parse_scheduler_profile(*sc, out.profile);
  out.injection = spec->one_of("injection", {"none", "fluid"}).value_or("none");
  if (auto tl = spec->child("tieredLocality")) parse_tiered_locality(*tl, out.tiered_locality);
  spec->finish_unknown("the cluster spec");
  if (diags.has_errors()) return diags.to_status();
  // Fluid's labels where the cache workers run.
  for (const auto& dc : out.caches) {
    core::Dataset ds;
    ds.meta.name = dc.name;
    ds.meta.namespace_ = dc.ns;
    ds.placement = dc.placement;
    core::Runtime rt;
    rt.engine = dc.engine;
    for (const auto& w : dc.workers) {
      for (auto& n : out.nodes) {
        if (n.meta.name == w.node)
          core::label_node_for_worker(n, ds, rt, w.memory_bytes, w.disk_bytes);
      }
    }
  }
  return out;
}

StaticCluster::StaticCluster(ClusterFile file, const core::FluidObjects& objects)
    : file_(std::move(file)) {
  for (std::size_t i = 0; i < file_.nodes.size(); ++i) {
    core::Resources a = file_.allocated[i];
    infos_.push_back({&file_.nodes[i], a, static_cast<std::int32_t>(a.pods), 0.0, {}});
  }
  datasets_ = objects.datasets;
  runtimes_ = objects.runtimes;
  for (const auto& dc : file_.caches) {
    bool have = std::any_of(datasets_.begin(), datasets_.end(), [&](const core::Dataset& d) {
      return d.meta.name == dc.name && d.meta.namespace_ == dc.ns;
    });
    if (!have) {
      core::Dataset d;
      d.meta.name = dc.name;
      d.meta.namespace_ = dc.ns;
      d.placement = dc.placement;
      datasets_.push_back(d);
    }
    core::CacheState cs;
    cs.dataset = dc.ns + "/" + dc.name;
    for (const auto& w : dc.workers) {
      cs.workers.push_back({w.node, w.memory_bytes + w.disk_bytes, w.cached_bytes, w.cached_bytes});
      cs.cached_bytes += w.cached_bytes;
      cs.capacity_bytes += w.memory_bytes + w.disk_bytes;
    }
    std::sort(cs.workers.begin(), cs.workers.end(),
              [](const auto& a, const auto& b) { return a.node_name < b.node_name; });
    cache_.push_back(std::move(cs));
  }
  std::sort(cache_.begin(), cache_.end(),
            [](const auto& a, const auto& b) { return a.dataset < b.dataset; });
}

core::Status StaticCluster::bind(std::string_view pod_key, std::string_view node_name) {
  std::size_t i = node_index(node_name);
  if (i == core::kNoNode) return core::not_found("no node " + std::string(node_name));
  auto it = pending_.find(std::string(pod_key));
  if (it == pending_.end()) return core::not_found("bind: unknown pod " + std::string(pod_key));
  if (!infos_[i].free().fits(it->second.requests())) {
    return core::resource_exhausted(std::string(pod_key) + " does not fit on " +
                                    std::string(node_name));
  }
  infos_[i].requested += it->second.requests();
  ++infos_[i].pod_count;
  bound_.push_back(std::move(it->second));
  bound_.back().node_name = std::string(node_name);
  infos_[i].pods.push_back(&bound_.back());
  if (!bound_.back().pod_affinity.empty() || !bound_.back().pod_anti_affinity.empty()) {
    ++pods_with_affinity_;
  }
  pending_.erase(it);
  return core::Status::ok();
}

core::Status StaticCluster::scale_runtime(std::string_view key, std::int32_t) {
  return core::failed_precondition("a static cluster has no controllers: cannot scale " +
                                   std::string(key));
}
core::Status StaticCluster::place_cache_worker(std::string_view key, std::string_view) {
  return core::failed_precondition(
      "a static cluster has no controllers: cannot place a worker of " + std::string(key));
}
core::Status StaticCluster::remove_cache_worker(std::string_view key, std::string_view) {
  return core::failed_precondition(
      "a static cluster has no controllers: cannot remove a worker of " + std::string(key));
}
core::Status StaticCluster::start_data_load(const core::DataLoad& load) {
  return core::failed_precondition("a static cluster has no controllers: cannot run DataLoad " +
                                   core::object_key(load.meta));
}

core::Pod StaticCluster::inject(const core::Pod& pod) const {
  core::Pod out = pod;
  std::vector<std::string> keys;
  for (const auto& [n, w] : file_.tiered_locality.preferred) keys.push_back(n);
  for (const auto& n : file_.tiered_locality.required) keys.push_back(n);
  std::vector<core::MountedDataset> mounted;
  for (const auto& claim : pod.claim_names()) {
    core::MountedDataset m;
    m.ns = pod.meta.namespace_;
    m.name = claim;
    for (const auto& dc : file_.caches) {
      if (dc.name != claim || dc.ns != pod.meta.namespace_) continue;
      m.has_runtime = true;
      std::vector<const core::Node*> worker_nodes;
      for (const auto& w : dc.workers) {
        std::size_t i = node_index(w.node);
        if (i != core::kNoNode) worker_nodes.push_back(infos_[i].node);
      }
      m.cache_affinity = core::cache_affinity_from_nodes(worker_nodes, keys);
    }
    mounted.push_back(std::move(m));
  }
  if (mounted.empty()) {
    core::prefer_nodes_without_cache(out);
  } else {
    core::node_affinity_with_cache(out, mounted, file_.tiered_locality);
  }
  return out;
}

}  // namespace aqueduct::sim
