#include "node_arch.h"

#include <algorithm>

namespace aqueduct::scheduler {

std::string_view NodeArch::filter(const CycleContext& ctx, const PodInfo& pod, std::size_t node) {
  const auto& arches = pod.pod->image_arches;
  if (arches.empty()) return {};
  core::Arch a = ctx.node(node).node->arch;
  if (std::find(arches.begin(), arches.end(), a) != arches.end()) return {};
  return a == core::Arch::kArm64 ? "node(s) had arch arm64 that the pod's images do not support"
                                 : "node(s) had arch amd64 that the pod's images do not support";
}

}  // namespace aqueduct::scheduler
