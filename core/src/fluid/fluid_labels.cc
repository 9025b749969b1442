#include "aqueduct/core/fluid/fluid_labels.h"

#include <cstdio>

#include "aqueduct/core/scheduling/node_matching.h"

namespace aqueduct::core {

std::string dataset_label(std::string_view ns, std::string_view name) {
  return "fluid.io/s-" + std::string(ns) + "-" + std::string(name);
}

std::string engine_dataset_label(RuntimeEngine engine, std::string_view ns, std::string_view name) {
  return "fluid.io/s-" + std::string(runtime_engine_name(engine)) + "-" + std::string(ns) + "-" +
         std::string(name);
}

std::string capacity_label(RuntimeEngine engine, char kind, std::string_view ns,
                           std::string_view name) {
  return "fluid.io/s-h-" + std::string(runtime_engine_name(engine)) + "-" + std::string(1, kind) +
         "-" + std::string(ns) + "-" + std::string(name);
}

std::string fuse_label(std::string_view ns, std::string_view name) {
  return "fluid.io/f-" + std::string(ns) + "-" + std::string(name);
}

std::string exclusive_value(std::string_view ns, std::string_view name) {
  return std::string(ns) + "_" + std::string(name);
}

std::string format_capacity(std::int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", v, kUnits[u]);
  return buf;
}

std::string worker_placement_conflict(const Node& node, const Dataset& ds) {
  if (ds.node_affinity.has_required) {
    bool any = false;
    for (const auto& t : ds.node_affinity.required) any = any || term_matches(t, node);
    if (!any) return "node(s) didn't match the dataset's nodeAffinity";
  }
  auto excl = node.meta.labels.find(kExclusiveLabel);
  std::string mine = exclusive_value(ds.meta.namespace_, ds.meta.name);
  if (excl != node.meta.labels.end() && excl->second != mine) {
    return "node(s) are held exclusively by dataset " + excl->second;
  }
  if (ds.placement == PlacementMode::kExclusive && node.meta.labels.count(kDatasetNumLabel) &&
      !node.meta.labels.count(dataset_label(ds.meta.namespace_, ds.meta.name))) {
    return "node(s) already cache other datasets (placement Exclusive)";
  }
  return "";
}

void label_node_for_worker(Node& node, const Dataset& ds, const Runtime& rt, std::int64_t mem_bytes,
                           std::int64_t disk_bytes) {
  const auto& ns = ds.meta.namespace_;
  const auto& name = ds.meta.name;
  auto& l = node.meta.labels;
  std::string common = dataset_label(ns, name);
  bool fresh = !l.count(common);
  l[common] = "true";
  l[engine_dataset_label(rt.engine, ns, name)] = "true";
  l[capacity_label(rt.engine, 'm', ns, name)] = format_capacity(mem_bytes);
  l[capacity_label(rt.engine, 'd', ns, name)] = format_capacity(disk_bytes);
  l[capacity_label(rt.engine, 't', ns, name)] = format_capacity(mem_bytes + disk_bytes);
  if (fresh) {
    int n = 0;
    auto it = l.find(kDatasetNumLabel);
    if (it != l.end()) n = std::atoi(it->second.c_str());
    l[kDatasetNumLabel] = std::to_string(n + 1);
  }
  if (ds.placement == PlacementMode::kExclusive) l[kExclusiveLabel] = exclusive_value(ns, name);
}

void unlabel_node_for_worker(Node& node, const Dataset& ds, const Runtime& rt) {
  const auto& ns = ds.meta.namespace_;
  const auto& name = ds.meta.name;
  auto& l = node.meta.labels;
  if (!l.erase(dataset_label(ns, name))) return;
  l.erase(engine_dataset_label(rt.engine, ns, name));
  for (char k : {'m', 'd', 't'}) l.erase(capacity_label(rt.engine, k, ns, name));
  auto it = l.find(kDatasetNumLabel);
  if (it != l.end()) {
    int n = std::atoi(it->second.c_str()) - 1;
    if (n <= 0) {
      l.erase(it);
    } else {
      it->second = std::to_string(n);
    }
  }
  auto ex = l.find(kExclusiveLabel);
  if (ex != l.end() && ex->second == exclusive_value(ns, name)) l.erase(ex);
}

void label_node_for_fuse(Node& node, const Dataset& ds) {
  node.meta.labels[fuse_label(ds.meta.namespace_, ds.meta.name)] = "true";
}

}  // namespace aqueduct::core
