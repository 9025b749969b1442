// Experiment files. The text is read as if it were the quickstart's, so
// that relative references (fluid files, traces) reach real files.
#include "aqueduct/core/diagnostics.h"
#include "aqueduct/sim/experiment.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aqueduct::core::Diagnostics diags;
  auto plan = aqueduct::sim::load_experiment_yaml(
      std::string(aqueduct::fuzz::as_text(data, size)),
      std::string(AQ_SOURCE_DIR) + "/examples/quickstart/experiment.yaml",
      std::string(AQ_SOURCE_DIR) + "/examples/quickstart", diags);
  (void)plan;
  return 0;
}
