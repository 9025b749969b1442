// What a cache runtime reports about one dataset, in Fluid's status vocabulary
// (status.cacheStates: cacheCapacity, cached, cachedPercentage, cacheHitRatio).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aqueduct::core {

struct WorkerCacheState {
  std::string node_name;
  std::int64_t capacity_bytes = 0;
  std::int64_t used_bytes = 0;    // all datasets the worker holds
  std::int64_t cached_bytes = 0;  // this dataset's bytes on the worker
};

struct CacheState {
  std::string dataset;  // "<namespace>/<name>"
  std::int64_t capacity_bytes = 0;
  std::int64_t cached_bytes = 0;
  double cached_percentage = 0;           // of the dataset's size, 0..100
  double hit_ratio = 0;                   // bytes served from cache / bytes read, recent window
  std::vector<WorkerCacheState> workers;  // sorted by node name
};

}  // namespace aqueduct::core
