// Kubeconfig files, as `--kubeconfig` and $KUBECONFIG give them, and the
// ExecCredential an exec plugin answers (the same bytes are tried as both).
#include "aqueduct/k8s/exec_credential.h"
#include "aqueduct/k8s/kubeconfig.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(aqueduct::fuzz::as_text(data, size));
  std::string path = aqueduct::fuzz::write_scratch("kubeconfig", text);
  auto c = aqueduct::k8s::load_kubeconfig(path);
  (void)c;
  aqueduct::k8s::ExecPlugin plugin;
  plugin.api_version = "client.authentication.k8s.io/v1";
  plugin.command = "plugin";
  plugin.where = "fuzz";
  auto e = aqueduct::k8s::parse_exec_credential(plugin, text);
  (void)e;
  return 0;
}
