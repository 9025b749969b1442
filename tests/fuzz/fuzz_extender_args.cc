// ExtenderArgs bodies for /filter and /prioritize, as the extender server
// hands them over; the first byte picks the verb.
#include "aqueduct/k8s/extender.h"
#include "aqueduct/scheduler/plugin.h"
#include "fuzz_support.h"

namespace {

aqueduct::k8s::Extender& extender() {
  static std::unique_ptr<aqueduct::k8s::Extender> e = [] {
    using aqueduct::k8s::Json;
    auto profile = aqueduct::scheduler::preset_profile("data-aware");
    auto world = [] {
      aqueduct::k8s::SnapshotInput w;
      w.datasets.push_back(
          Json{{"apiVersion", "data.fluid.io/v1alpha1"},
               {"kind", "Dataset"},
               {"metadata", {{"name", "images"}, {"namespace", "default"}}},
               {"spec", {{"mounts", Json::array({{{"mountPoint", "oss://b/images"}}})}}}});
      w.runtimes.push_back(Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                                {"kind", "JuiceFSRuntime"},
                                {"metadata", {{"name", "images"}, {"namespace", "default"}}},
                                {"spec", {{"replicas", 1}}}});
      return w;
    };
    auto made = aqueduct::k8s::Extender::create(*profile, world);
    if (!made.ok()) std::abort();
    return std::move(*made);
  }();
  return *e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char* verb = data[0] & 1 ? "prioritize" : "filter";
  auto out = extender().answer(verb, std::string(aqueduct::fuzz::as_text(data + 1, size - 1)));
  if (out.ok()) (void)out->dump(-1, ' ', false, aqueduct::k8s::Json::error_handler_t::replace);
  return 0;
}
