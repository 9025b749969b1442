// Node pools: parsing a pool from YAML (shared by experiment and cluster
// files) and expanding pools into nodes named <pool>-NNNN, sorted by name,
// labelled kubernetes.io/hostname, kubernetes.io/arch,
// topology.kubernetes.io/zone|region and, for ECI, type=virtual-kubelet.
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {

// `single`: an explicit node (count 1, named exactly `name`). `extra`: keys
// the caller reads itself (not reported as unknown).
NodePoolSpec parse_node_pool(core::YamlCursor& p, bool single = false,
                             std::initializer_list<std::string_view> extra = {});
std::vector<core::Node> build_pool_nodes(const std::vector<NodePoolSpec>& pools);

}  // namespace aqueduct::sim
