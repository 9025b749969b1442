// Counters keyed by a topology domain (label key, label value), shared by the
// InterPodAffinity and PodTopologySpread plugins.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "aqueduct/core/model/node.h"

namespace aqueduct::scheduler {

using TopologyPair = std::pair<std::string, std::string>;
using TopologyCounts = std::map<TopologyPair, std::int64_t>;

// The node's value of label `key`, or nullptr when it has none.
inline const std::string* node_label(const core::Node& node, const std::string& key) {
  auto it = node.meta.labels.find(key);
  return it == node.meta.labels.end() ? nullptr : &it->second;
}

}  // namespace aqueduct::scheduler
