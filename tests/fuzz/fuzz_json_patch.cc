// JSON patches the webhook computes: two documents separated by a byte 0;
// the RFC 6902 diff of the first to the second, applied to the first, must
// give the second, as JSON values (key order aside: Kubernetes objects are
// unordered); a failed check aborts, which the fuzzer reports.
#include <cstdlib>

#include "aqueduct/core/yaml/input_limits.h"
#include "aqueduct/k8s/json_patch.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using aqueduct::core::Json;
  auto [a, b] = aqueduct::fuzz::split_at_nul(aqueduct::fuzz::as_text(data, size));
  if (!aqueduct::core::check_json_limits(a, "a").is_ok() ||
      !aqueduct::core::check_json_limits(b, "b").is_ok()) {
    return 0;
  }
  Json from = Json::parse(a, nullptr, /*allow_exceptions=*/false);
  Json to = Json::parse(b, nullptr, /*allow_exceptions=*/false);
  if (from.is_discarded() || to.is_discarded()) return 0;
  Json patch = aqueduct::k8s::json_patch_diff(from, to);
  // Compared as plain (unordered) JSON: ordered_json's == also compares key order.
  auto plain = [](const Json& j) { return nlohmann::json::parse(j.dump()); };
  if (plain(from.patch(patch)) != plain(to)) std::abort();
  return 0;
}
