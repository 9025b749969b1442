// Node pools: parsing a pool from YAML (shared by experiment and cluster
// files) and expanding pools into nodes named <pool>-NNNN, sorted by name,
// labelled kubernetes.io/hostname, kubernetes.io/arch,
// topology.kubernetes.io/zone|region and, for ECI, type=virtual-kubelet.
#pragma once

#include <vector>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {

NodePoolSpec parse_node_pool(core::YamlCursor& p);
std::vector<core::Node> build_pool_nodes(const std::vector<NodePoolSpec>& pools);

}  // namespace aqueduct::sim
