// `aqueduct inject`: manifests (Pods, Deployments, Jobs, ...) as YAML,
// converted to JSON and injected, as the command does.
#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "fuzz_support.h"
#include "injection_world.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto docs = aqueduct::core::parse_yaml_documents_as_json(
      std::string(aqueduct::fuzz::as_text(data, size)), "fuzz.yaml");
  if (!docs.ok()) return 0;
  for (const auto& d : *docs) {
    auto r =
        aqueduct::core::inject_object(d, aqueduct::fuzz::injection_resolver(), {}, "fuzz.yaml");
    if (r.ok())
      (void)r->object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  return 0;
}
