// The FUSE client container each engine injects into serverless pods
// (what Fluid takes from the engine's FUSE DaemonSet), derived from the
// Dataset and its Runtime. One renderer per engine lives in
// runtime-adapters/<engine>/; this header dispatches and builds resolvers.
#pragma once

#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/injection/fuse_template.h"
#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/core/status.h"

namespace aqueduct::runtime_adapters {

// The sidecar template of `rt` (bound to `ds`). Errors: the engine has no
// sidecar (GooseFS, EFC, Vineyard), the runtime's FUSE is disabled, or a
// field the engine needs is missing (named by path).
core::Result<core::FuseTemplate> render_fuse_template(const core::Dataset& ds,
                                                      const core::Runtime& rt);

// Per-engine renderers (runtime-adapters/<engine>/fuse_template.cc).
core::Result<core::FuseTemplate> render_juicefs_fuse(const core::Dataset& ds,
                                                     const core::Runtime& rt);
core::Result<core::FuseTemplate> render_alluxio_fuse(const core::Dataset& ds,
                                                     const core::Runtime& rt);
core::Result<core::FuseTemplate> render_jindo_fuse(const core::Dataset& ds,
                                                   const core::Runtime& rt);
core::Result<core::FuseTemplate> render_thin_fuse(const core::Dataset& ds, const core::Runtime& rt);
core::Result<core::FuseTemplate> render_aqueduct_fuse(const core::Dataset& ds,
                                                      const core::Runtime& rt);

// A resolver over a fixed set of Fluid objects (a file given to `aqueduct
// inject` or the webhook): a claim resolves when a Dataset of that name lives
// in the namespace; its runtime's template is rendered once, up front.
core::DatasetResolver static_dataset_resolver(const core::FluidObjects& objects);

}  // namespace aqueduct::runtime_adapters
