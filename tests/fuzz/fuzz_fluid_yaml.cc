// Fluid and Kubernetes YAML (Dataset, the runtimes, DataLoad, ...) as
// `aqueduct validate` and the experiment loader read it.
#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aqueduct::core::Diagnostics diags;
  auto objs =
      aqueduct::core::load_fluid_yaml(aqueduct::fuzz::as_text(data, size), "fuzz.yaml", diags);
  aqueduct::core::check_references(objs, diags, /*complete=*/true);
  return 0;
}
