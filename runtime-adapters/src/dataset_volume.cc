#include "aqueduct/runtime_adapters/dataset_volume.h"

#include "../common/fuse_common.h"
#include "aqueduct/core/fluid/fluid_labels.h"

namespace aqueduct::runtime_adapters {
namespace {

// The mount type the FUSE client reports (what `mount` shows), per engine.
std::string mount_type(core::RuntimeEngine e) {
  switch (e) {
    case core::RuntimeEngine::kAlluxio:
      return "fuse.alluxio-fuse";
    case core::RuntimeEngine::kJuiceFs:
      return "fuse.juicefs";
    case core::RuntimeEngine::kJindo:
      return "fuse.jindofs-fuse";
    case core::RuntimeEngine::kGooseFs:
      return "fuse.goosefs-fuse";
    case core::RuntimeEngine::kThin:
      return "fuse.thin";
    case core::RuntimeEngine::kEfc:
      return "fuse.efc";
    case core::RuntimeEngine::kVineyard:
      return "fuse.vineyard";
    case core::RuntimeEngine::kAqueduct:
      return "fuse.aqueduct";
  }
  return "fuse";
}

Json access_modes(const core::Dataset& ds) {
  Json modes = Json::array();
  for (const auto& m : ds.access_modes) modes.push_back(m);
  if (modes.empty()) modes.push_back("ReadOnlyMany");
  return modes;
}

Json labels(const core::Dataset& ds) {
  return Json{{core::dataset_label(ds.meta.namespace_, ds.meta.name), "true"},
              {"fluid.io/dataset-id", dataset_volume_name(ds)}};
}

}  // namespace

std::string dataset_volume_name(const core::Dataset& ds) {
  return ds.meta.namespace_ + "-" + ds.meta.name;
}

Json render_dataset_pv(const core::Dataset& ds, const core::Runtime& rt,
                       const std::string& claim_uid) {
  const std::string engine = core::runtime_engine_name(rt.engine);
  Json pv = {{"apiVersion", "v1"},
             {"kind", "PersistentVolume"},
             {"metadata",
              {{"name", dataset_volume_name(ds)},
               {"labels", labels(ds)},
               {"annotations", {{kManagedByAnnotation, kManagedBy}}}}},
             {"spec",
              {{"capacity", {{"storage", "100Pi"}}},
               {"accessModes", access_modes(ds)},
               {"persistentVolumeReclaimPolicy", "Retain"},
               {"storageClassName", kFluidStorageClass},
               {"claimRef", {{"namespace", ds.meta.namespace_}, {"name", ds.meta.name}}},
               {"csi",
                {{"driver", kFluidCsiDriver},
                 {"volumeHandle", dataset_volume_name(ds)},
                 {"volumeAttributes",
                  {{"fluid_path", fuse_common::mount_point(engine, ds)},
                   {"mount_type", mount_type(rt.engine)},
                   {"runtime_name", rt.meta.name},
                   {"runtime_namespace", rt.meta.namespace_},
                   // The node label the CSI plugin's NodeStage sets (and an
                   // OnDemand NodeUnstage removes) so the lazy FUSE starts there.
                   {"mount_pod_node_selector_key",
                    core::fuse_label(ds.meta.namespace_, ds.meta.name)}}}}}}}};
  // Only a runtime whose FUSE is pinned by `fuse.nodeSelector` limits where the
  // volume can be used. The lazy FUSE label itself must not be required here:
  // NodeStage sets it after the pod is placed, so requiring it would leave
  // every first pod unschedulable.
  if (!rt.fuse.node_selector.empty()) {
    Json exprs = Json::array();
    for (const auto& [k, v] : rt.fuse.node_selector)
      exprs.push_back({{"key", k}, {"operator", "In"}, {"values", Json::array({v})}});
    pv["spec"]["nodeAffinity"] = {
        {"required", {{"nodeSelectorTerms", Json::array({{{"matchExpressions", exprs}}})}}}};
  }
  if (!claim_uid.empty()) pv["spec"]["claimRef"]["uid"] = claim_uid;
  return pv;
}

Json render_dataset_pvc(const core::Dataset& ds, const core::Runtime& rt,
                        const std::string& dataset_uid) {
  (void)rt;
  Json pvc = {{"apiVersion", "v1"},
              {"kind", "PersistentVolumeClaim"},
              {"metadata",
               {{"name", ds.meta.name},
                {"namespace", ds.meta.namespace_},
                {"labels", labels(ds)},
                {"annotations", {{kManagedByAnnotation, kManagedBy}}}}},
              {"spec",
               {{"accessModes", access_modes(ds)},
                {"resources", {{"requests", {{"storage", "100Pi"}}}}},
                {"storageClassName", kFluidStorageClass},
                {"selector", {{"matchLabels", labels(ds)}}}}}};
  if (!dataset_uid.empty()) {
    pvc["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "data.fluid.io/v1alpha1"},
                                                       {"kind", "Dataset"},
                                                       {"name", ds.meta.name},
                                                       {"uid", dataset_uid},
                                                       {"controller", true},
                                                       {"blockOwnerDeletion", true}}});
  }
  return pvc;
}

}  // namespace aqueduct::runtime_adapters
