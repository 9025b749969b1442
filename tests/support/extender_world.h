// The smallest world an extender needs for data-aware decisions: Dataset
// default/images behind a one-replica JuiceFSRuntime (extender tests, fuzz).
#pragma once

#include "aqueduct/k8s/extender.h"

namespace aqueduct::testing {

inline k8s::SnapshotInput images_dataset_world() {
  using k8s::Json;
  k8s::SnapshotInput w;
  w.datasets.push_back(
      Json{{"apiVersion", "data.fluid.io/v1alpha1"},
           {"kind", "Dataset"},
           {"metadata", {{"name", "images"}, {"namespace", "default"}}},
           {"spec", {{"mounts", Json::array({{{"mountPoint", "oss://b/images"}}})}}}});
  w.runtimes.push_back(Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                            {"kind", "JuiceFSRuntime"},
                            {"metadata", {{"name", "images"}, {"namespace", "default"}}},
                            {"spec", {{"replicas", 1}}}});
  return w;
}

}  // namespace aqueduct::testing
