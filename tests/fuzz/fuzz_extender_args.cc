// ExtenderArgs bodies for /filter and /prioritize, as the extender server
// hands them over; the first byte picks the verb.
#include "aqueduct/k8s/extender.h"
#include "aqueduct/scheduler/plugin.h"
#include "fuzz_support.h"
#include "support/extender_world.h"

namespace {

aqueduct::k8s::Extender& extender() {
  static std::unique_ptr<aqueduct::k8s::Extender> e = [] {
    auto profile = aqueduct::scheduler::preset_profile("data-aware");
    auto world = [] { return aqueduct::testing::images_dataset_world(); };
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
