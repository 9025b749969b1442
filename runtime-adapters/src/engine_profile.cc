#include "aqueduct/runtime_adapters/engine_profile.h"

namespace aqueduct::runtime_adapters {
namespace {
using core::Arch;
using core::RuntimeEngine;
constexpr std::int64_t kMi = 1 << 20;

// Block sizes are the engines' documented defaults: Alluxio and GooseFS
// user.block.size.bytes.default is 64MB, JuiceFS stores 4MiB blocks, Jindo
// and Thin are modeled with 4MiB reads, EFC with 1MiB. Only
// JuiceFS published arm64 engine images at the time of Fluid's serverless work.
const EngineProfile kProfiles[] = {
    {RuntimeEngine::kAlluxio, 64 * kMi, {Arch::kAmd64}, core::from_seconds(0.0005), "Alluxio 2.x"},
    {RuntimeEngine::kJuiceFs,
     4 * kMi,
     {Arch::kAmd64, Arch::kArm64},
     core::from_seconds(0.0003),
     "JuiceFS community/enterprise"},
    {RuntimeEngine::kJindo,
     4 * kMi,
     {Arch::kAmd64},
     core::from_seconds(0.0004),
     "JindoFS/JindoCache"},
    {RuntimeEngine::kGooseFs, 64 * kMi, {Arch::kAmd64}, core::from_seconds(0.0005), "GooseFS"},
    {RuntimeEngine::kThin,
     4 * kMi,
     {Arch::kAmd64},
     core::from_seconds(0.0005),
     "ThinRuntime: a user-supplied FUSE; no cache of its own"},
    {RuntimeEngine::kEfc, 1 * kMi, {Arch::kAmd64}, core::from_seconds(0.0002), "EFC (NAS cache)"},
    {RuntimeEngine::kVineyard,
     64 * kMi,
     {Arch::kAmd64},
     core::from_seconds(0.0002),
     "Vineyard in-memory objects"},
    {RuntimeEngine::kAqueduct,
     4 * kMi,
     {Arch::kAmd64, Arch::kArm64},
     core::from_seconds(0.0002),
     "Aqueduct: aqueduct worker + aqueduct fuse mount (multi-arch image)"},
};
}  // namespace

const EngineProfile& engine_profile(core::RuntimeEngine engine) {
  for (const auto& p : kProfiles) {
    if (p.engine == engine) return p;
  }
  return kProfiles[0];
}

bool engine_supports(core::RuntimeEngine engine, core::Arch arch) {
  for (auto a : engine_profile(engine).arches) {
    if (a == arch) return true;
  }
  return false;
}

}  // namespace aqueduct::runtime_adapters
