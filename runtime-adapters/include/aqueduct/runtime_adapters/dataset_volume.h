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
// The PV, pre-bound by claimRef to the dataset's claim; `claim_uid` (the
// claim's metadata.uid) completes the reference. The claim names no volume:
// it is created first, and a PV pre-bound with the claim's UID makes the PV
// controller sync the claim at once when the PV appears (the path dynamic
// provisioners take), where a PV without the UID, or a claim naming its
// volume, waits for the controller's periodic resync (15 s by default).
Json render_dataset_pv(const core::Dataset& ds, const core::Runtime& rt,
                       const std::string& claim_uid = "");
// The claim: storage class "fluid" and a selector on the dataset's PV labels,
// so only its own PV can bind it. `dataset_uid`: the Dataset's metadata.uid, for the owner
// reference (so the claim goes when the dataset does); empty: no owner reference.
Json render_dataset_pvc(const core::Dataset& ds, const core::Runtime& rt,
                        const std::string& dataset_uid);

}  // namespace aqueduct::runtime_adapters
