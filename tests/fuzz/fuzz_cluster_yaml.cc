// Cluster files (`aqueduct schedule --cluster`, experiment cluster.file).
#include "aqueduct/core/diagnostics.h"
#include "aqueduct/sim/cluster_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string path =
      aqueduct::fuzz::write_scratch("cluster.yaml", aqueduct::fuzz::as_text(data, size));
  aqueduct::core::Diagnostics diags;
  auto c = aqueduct::sim::load_cluster_file(path, diags);
  (void)c;
  return 0;
}
