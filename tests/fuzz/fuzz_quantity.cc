// Kubernetes quantities and bandwidths, everywhere a size or rate is read.
#include "aqueduct/core/quantity.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = aqueduct::fuzz::as_text(data, size);
  if (auto q = aqueduct::core::parse_quantity(text, true); q.ok()) {
    (void)q->as_int();
    (void)q->as_milli();
  }
  (void)aqueduct::core::parse_bandwidth(text);
  return 0;
}
