// The node labels Fluid's runtimes maintain where cache workers and FUSE
// clients run, and the placement rule for cache workers (Exclusive/Shared).
// Pure functions on the model: the simulator applies them to its nodes, the
// live adapter compares them with the cluster's.
//   fluid.io/s-<ns>-<dataset>=true                 a cache worker of the dataset runs here
//   fluid.io/s-<engine>-<ns>-<dataset>=true        ... of that engine (alluxio, juicefs, ...)
//   fluid.io/s-h-<engine>-{m,d,t}-<ns>-<dataset>   cache capacity here: memory, disk, total
//   ("2GiB") fluid.io/dataset-num=<n>                       how many datasets cache here
//   fluid_exclusive=<ns>_<dataset>                 an Exclusive dataset owns this node
//   fluid.io/f-<ns>-<dataset>=true                 the dataset's FUSE client runs here (lazy FUSE)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/runtime.h"

namespace aqueduct::core {

inline constexpr const char* kDatasetNumLabel = "fluid.io/dataset-num";
inline constexpr const char* kExclusiveLabel = "fluid_exclusive";
// The tiered-locality name Fluid uses for "the nodes of the dataset's cache workers".
inline constexpr const char* kNodeLocalityName = "fluid.io/node";
inline constexpr const char* kFuseLocalityName = "fluid.io/fuse";

std::string dataset_label(std::string_view ns, std::string_view name);
std::string engine_dataset_label(RuntimeEngine engine, std::string_view ns, std::string_view name);
// kind: 'm' memory, 'd' disk, 't' total.
std::string capacity_label(RuntimeEngine engine, char kind, std::string_view ns,
                           std::string_view name);
std::string fuse_label(std::string_view ns, std::string_view name);
std::string exclusive_value(std::string_view ns, std::string_view name);
// Bytes as Fluid writes them in capacity labels: 4 significant digits and a binary unit ("1.5GiB").
std::string format_capacity(std::int64_t bytes);

// Why a cache worker of `ds` may not run on `node`, or "" when it may:
// the dataset's nodeAffinity.required, an Exclusive dataset already owning the
// node, or an Exclusive dataset asking for a node that caches other datasets.
std::string worker_placement_conflict(const Node& node, const Dataset& ds);

// Adds the labels of a cache worker of (ds, rt) holding `mem_bytes` in memory
// and `disk_bytes` on SSD/HDD; increments dataset-num; marks Exclusive.
void label_node_for_worker(Node& node, const Dataset& ds, const Runtime& rt, std::int64_t mem_bytes,
                           std::int64_t disk_bytes);
// Removes them again (dataset-num decremented, dropped at zero).
void unlabel_node_for_worker(Node& node, const Dataset& ds, const Runtime& rt);
void label_node_for_fuse(Node& node, const Dataset& ds);

}  // namespace aqueduct::core
