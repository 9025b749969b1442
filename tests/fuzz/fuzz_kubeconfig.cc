// Kubeconfig files, as `--kubeconfig` and $KUBECONFIG give them.
#include "aqueduct/k8s/kubeconfig.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string path =
      aqueduct::fuzz::write_scratch("kubeconfig", aqueduct::fuzz::as_text(data, size));
  auto c = aqueduct::k8s::load_kubeconfig(path);
  (void)c;
  return 0;
}
