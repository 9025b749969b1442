// The PersistentVolume and PersistentVolumeClaim through which pods mount a
// bound dataset, as Fluid's dataset controller makes them: a PV `<ns>-<name>`
// on the fluid CSI driver pointing at the engine's FUSE mount point on the
// node (naming the lazy FUSE node label the CSI plugin sets at NodeStage; node
// affinity only from the runtime's `fuse.nodeSelector`), and a PVC
// `<name>` in the dataset's namespace bound to it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"

namespace aqueduct::runtime_adapters {

using Json = nlohmann::ordered_json;

inline constexpr const char* kFluidCsiDriver = "fuse.csi.fluid.io";
inline constexpr const char* kFluidStorageClass = "fluid";
// Marks the PV and PVC this project's dataset controller made, so a controller
// running alongside Fluid deletes only its own.
inline constexpr const char* kManagedByAnnotation = "aqueduct.io/managed-by";
inline constexpr const char* kManagedBy = "aqueduct";

std::string dataset_volume_name(const core::Dataset& ds);  // "<ns>-<name>"
Json render_dataset_pv(const core::Dataset& ds, const core::Runtime& rt);
// `dataset_uid`: the Dataset's metadata.uid, for the owner reference (so the
// claim goes when the dataset does); empty: no owner reference.
Json render_dataset_pvc(const core::Dataset& ds, const core::Runtime& rt,
                        const std::string& dataset_uid);

}  // namespace aqueduct::runtime_adapters
