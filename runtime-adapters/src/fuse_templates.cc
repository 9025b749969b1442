#include "aqueduct/runtime_adapters/fuse_templates.h"

#include <map>
#include <memory>

namespace aqueduct::runtime_adapters {

core::Result<core::FuseTemplate> render_fuse_template(const core::Dataset& ds,
                                                      const core::Runtime& rt) {
  if (rt.fuse.disabled) {
    return core::failed_precondition(std::string(core::runtime_kind_name(rt.engine)) + " " +
                                     rt.meta.namespace_ + "/" + rt.meta.name +
                                     ": spec.fuse is disabled, so there is no sidecar to inject");
  }
  switch (rt.engine) {
    case core::RuntimeEngine::kJuiceFs:
      return render_juicefs_fuse(ds, rt);
    case core::RuntimeEngine::kAlluxio:
      return render_alluxio_fuse(ds, rt);
    case core::RuntimeEngine::kJindo:
      return render_jindo_fuse(ds, rt);
    case core::RuntimeEngine::kThin:
      return render_thin_fuse(ds, rt);
    case core::RuntimeEngine::kAqueduct:
      return render_aqueduct_fuse(ds, rt);
    case core::RuntimeEngine::kGooseFs:
      // Fluid removed the GooseFS engine (its API type, chart and controller)
      // in June 2026 (fluid-cloudnative/fluid#5703): nothing to render after.
      return core::failed_precondition(
          "GooseFSRuntime " + rt.meta.namespace_ + "/" + rt.meta.name +
          ": Fluid has removed the GooseFS engine (fluid-cloudnative/fluid#5703), so there are "
          "no GooseFS workloads to render; it is still simulated. Use a ThinRuntime with a "
          "GooseFS FUSE image, or another runtime");
    default:
      return core::failed_precondition(std::string(core::runtime_kind_name(rt.engine)) +
                                       ": no FUSE sidecar template for this engine (JuiceFS, "
                                       "Alluxio, Jindo, Thin and Aqueduct have one)");
  }
}

core::DatasetResolver static_dataset_resolver(const core::FluidObjects& objects) {
  // Rendered once; the resolver owns copies so it outlives `objects`.
  auto table =
      std::make_shared<std::map<std::pair<std::string, std::string>, core::DatasetBinding>>();
  for (const auto& ds : objects.datasets) {
    core::DatasetBinding b;
    b.mounted.ns = ds.meta.namespace_;
    b.mounted.name = ds.meta.name;
    if (const core::Runtime* rt = objects.runtime_for(ds)) {
      b.mounted.has_runtime = true;
      b.mounted.fuse_node_selector = rt->fuse.node_selector;
      auto t = render_fuse_template(ds, *rt);
      if (t) {
        b.fuse = std::move(*t);
      } else {
        b.fuse_error = t.status().message();
      }
    }
    (*table)[{ds.meta.namespace_, ds.meta.name}] = std::move(b);
  }
  return
      [table](std::string_view ns, std::string_view claim) -> std::optional<core::DatasetBinding> {
        auto it = table->find({std::string(ns), std::string(claim)});
        if (it == table->end()) return std::nullopt;
        return it->second;
      };
}

}  // namespace aqueduct::runtime_adapters
