// Fluid and Kubernetes YAML (Dataset, the runtimes, ThinRuntimeProfile,
// DataLoad, ...) as `aqueduct validate` and the experiment loader read it,
// then every dataset's runtime rendered as the controllers would (workloads,
// FUSE template), so the engines' renderers see arbitrary specs too.
#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/runtime_adapters/runtime_workloads.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aqueduct::core::Diagnostics diags;
  auto objs =
      aqueduct::core::load_fluid_yaml(aqueduct::fuzz::as_text(data, size), "fuzz.yaml", diags);
  aqueduct::core::check_references(objs, diags, /*complete=*/true);
  if (diags.has_errors()) return 0;  // the controllers render only what loads cleanly
  for (const auto& ds : objs.datasets) {
    if (const auto* rt = objs.runtime_for(ds)) {
      (void)aqueduct::runtime_adapters::render_runtime_workloads(
          ds, *rt, aqueduct::core::runtime_kind_name(rt->engine), "uid");
    }
  }
  return 0;
}
