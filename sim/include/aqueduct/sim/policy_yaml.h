// YAML for policies shared by experiment and cluster files: the scheduler
// profile (a preset name, or {profile, plugins: [{name, weight, args}],
// percentageOfNodesToScore}) and Fluid's tiered locality.
#pragma once

#include "aqueduct/core/fluid/fluid_affinity.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/scheduler/framework.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {

void parse_scheduler_profile(core::YamlCursor& sc, scheduler::Profile& out);
void parse_tiered_locality(core::YamlCursor& tl, core::TieredLocality& out);
// policies.jobs: {policy, args, round, checkpoint, restart}; a built-in
// policy's arguments are checked here (other names are resolved at run time
// against the run's registry, which may hold Python policies).
void parse_job_policy(core::YamlCursor& jc, PolicySpec::Jobs& out);

}  // namespace aqueduct::sim
