// Fluid's DataLoad: warm a dataset's cache with some or all of its paths, once
// or on a cron schedule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aqueduct/core/model/object_meta.h"

namespace aqueduct::core {

struct DataLoadTarget {
  std::string path;  // "/" = everything
  std::int32_t replicas = 1;
};

enum class DataLoadPolicy { kOnce, kCron, kOnEvent };

struct DataLoad {
  ObjectMeta meta;
  std::string dataset_name;
  std::string dataset_namespace;
  bool load_metadata = false;
  std::vector<DataLoadTarget> targets;  // empty: the whole dataset
  DataLoadPolicy policy = DataLoadPolicy::kOnce;
  std::string schedule;  // cron expression when policy is Cron
};

}  // namespace aqueduct::core
