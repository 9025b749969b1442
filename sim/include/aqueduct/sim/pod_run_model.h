// How long one pod runs on a simulated node, by the simulator's job model
// in its analytical form: optional fixed compute time, then epochs over the
// pod's dataset, each taking the longer of reading it (from the object store,
// a remote cache worker or a cache on the pod's node) and computing on it at
// the node's speed. Used by `aqueduct sim nodes`, which runs the pods a real
// control plane binds to simulated nodes. Pods describe their work in
// annotations (docs/live.md):
//   sim.aqueduct.io/duration      compute time on a reference node ("90s")
//   sim.aqueduct.io/read          bytes read per epoch ("8Gi")
//   sim.aqueduct.io/epochs        epochs over them (default 1)
//   sim.aqueduct.io/compute-rate  bytes/s consumed at full speed ("200Mi/s")
//   sim.aqueduct.io/streams       parallel read streams (default 1)
//   sim.aqueduct.io/exit-code     the app containers' exit code (default 0)
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {

inline constexpr const char* kPodRunAnnotationPrefix = "sim.aqueduct.io/";

// Where the pod's dataset is cached when it starts.
struct PodCacheFacts {
  bool has_dataset = false;       // the pod mounts a dataset's claim
  bool cached_here = false;       // a cache worker of it runs on the pod's node
  bool cached_elsewhere = false;  // ... on another node
  bool has_runtime = false;       // it has a cache runtime (later epochs hit the cache)
};

struct PodRun {
  core::Duration start_delay{0};  // image pull or ECI cold start, before containers run
  core::Duration run{0};          // from containers started to the app containers ending
  int exit_code = 0;
  bool described = false;  // the pod carried sim.aqueduct.io/ annotations
};

struct PodRunModelSpec {
  ObjectStoreSpec store;
  CacheModelSpec cache;
  core::Duration default_run = core::from_seconds(10);  // batch pods without annotations
  std::uint64_t seed = 1;
};

// `pod_id` (e.g. the pod's uid) seeds the start-delay draw, so a replay is
// repeatable. Errors name the annotation and what was expected.
core::Result<PodRun> model_pod_run(const std::map<std::string, std::string>& annotations,
                                   const core::Node& node, const PodCacheFacts& cache,
                                   const std::string& pod_id, const PodRunModelSpec& spec);

}  // namespace aqueduct::sim
