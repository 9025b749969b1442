// Loads Fluid's own YAML (data.fluid.io/v1alpha1: Dataset, the seven runtime
// kinds, DataLoad) and the app workloads that use them (Pod, batch/v1 Job,
// apps/v1 Deployment and StatefulSet) into the core model, unchanged from what
// a Fluid user applies with kubectl. Every problem goes into Diagnostics with
// file:line:column and field; unknown fields are warnings, type errors errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/model/dataload.h"
#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/runtime.h"

namespace aqueduct::core {

struct FluidObjects {
  std::vector<Dataset> datasets;
  std::vector<Runtime> runtimes;
  std::vector<DataLoad> dataloads;
  std::vector<Workload> workloads;
  std::vector<ThinRuntimeProfile> thin_profiles;  // cluster-scoped: by name only
  // Kubernetes kinds that are valid but not modeled (Secret, ConfigMap, ...): counted.
  int skipped_objects = 0;

  // Appends `other` and resolves profiles across both.
  void append(FluidObjects other);
  // Gives each ThinRuntime the profile its spec.profileName names, where one
  // is loaded (idempotent; a missing one is check_references' to report).
  void resolve_profiles();
  const ThinRuntimeProfile* find_thin_profile(std::string_view name) const;
  // The runtime bound to a dataset (same name and namespace), or nullptr.
  const Runtime* runtime_for(const Dataset& ds) const;
  const Dataset* find_dataset(std::string_view ns, std::string_view name) const;
};

// Parses multi-document YAML text; `file` names it in diagnostics.
FluidObjects load_fluid_yaml(std::string_view text, const std::string& file, Diagnostics& diags);
// Reads and parses a file; a missing file is one error naming the path.
FluidObjects load_fluid_file(const std::string& path, Diagnostics& diags);

// Cross-object checks: duplicate Datasets, two runtimes for one dataset and,
// when `complete` (the files are the whole world, as in an experiment),
// runtimes and DataLoads that name no Dataset, and ThinRuntimes whose
// profile is not loaded. Reported as errors.
void check_references(const FluidObjects& objs, Diagnostics& diags, bool complete);

}  // namespace aqueduct::core
