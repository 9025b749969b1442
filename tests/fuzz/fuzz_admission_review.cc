// AdmissionReview bodies, as the webhook server hands them over; the first
// byte picks the injection options (sidecar mode, serverful opt-in).
#include "aqueduct/k8s/admission.h"
#include "fuzz_support.h"
#include "injection_world.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aqueduct::core::InjectionOptions opts;
  if (size > 0) {
    opts.sidecar_mode = data[0] & 1 ? aqueduct::core::SidecarMode::kNativeSidecar
                                    : aqueduct::core::SidecarMode::kContainer;
    opts.serverful_opt_in = data[0] & 2;
    opts.arch_affinity = !(data[0] & 4);
  }
  auto out = aqueduct::k8s::handle_admission_review(aqueduct::fuzz::as_text(data, size),
                                                    aqueduct::fuzz::injection_resolver(), opts);
  (void)out;
  return 0;
}
