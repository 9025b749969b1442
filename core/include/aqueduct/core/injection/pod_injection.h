// Fluid's pod injection as a pure function: pod JSON + the datasets it mounts
// -> mutated pod JSON. The admission webhook, `aqueduct inject` and the
// simulator all call inject_pod; docs/injection.md lists every rule.
//
// Profiles (chosen from the pod's labels, then whether it mounts a dataset
// that has a runtime):
//   skip                     fluid.io/enable-injection=false, or done.sidecar.fluid.io/inject=true
//   serverless-with-dataset  FuseSidecar, [ArchAffinity], DatasetUsageInjector
//   serverless-without-dataset  (no plugin)
//   serverful-with-dataset   RequireNodeWithFuse, NodeAffinityWithCache,
//                            MountPropagationInjector, DatasetUsageInjector
//   serverful-without-dataset PreferNodesWithoutCache
// Serverless: serverless.fluid.io/inject=true, fuse.sidecar.fluid.io/inject=true,
// or the platform label (alibabacloud.com/fluid-sidecar-target=eci by default).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/fluid/fluid_affinity.h"
#include "aqueduct/core/injection/fuse_template.h"
#include "aqueduct/core/injection/pod_json.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

// A Fluid dataset that a PVC of the pod names (the PVC has the dataset's name).
struct DatasetBinding {
  MountedDataset mounted;            // ns, name, runtime, cache affinity, fuse node selector
  std::optional<FuseTemplate> fuse;  // the runtime's sidecar; required for serverless pods
  std::string fuse_error;            // why there is no template (fuse disabled, ...)
};

// Looks up the dataset a claim names in a namespace; nullopt when the claim is
// not a Fluid dataset (an ordinary PVC, left alone).
using DatasetResolver =
    std::function<std::optional<DatasetBinding>(std::string_view ns, std::string_view claim)>;

// Alongside another Fluid installation's webhook: only datasets whose runtime
// renders a FUSE of `fs_type` ("aqueduct") are resolved; every other claim is
// reported as not a dataset, so its pods are left to the other webhook.
DatasetResolver restrict_to_engine(DatasetResolver inner, std::string fs_type);

enum class SidecarMode {
  kContainer,      // prepended to containers (Fluid's default)
  kNativeSidecar,  // an init container with restartPolicy Always (Kubernetes >= 1.29)
};

struct InjectionOptions {
  TieredLocality tiered_locality;
  SidecarMode sidecar_mode = SidecarMode::kContainer;
  // The serverless-platform label; pods carrying it get an unprivileged sidecar.
  std::string platform_label_key = "alibabacloud.com/fluid-sidecar-target";
  std::string platform_label_value = "eci";
  // When true only pods labelled fuse.serverful.fluid.io/inject=true get the
  // serverful chain (newer Fluid); when false every non-serverless pod does (Fluid 0.8).
  bool serverful_opt_in = false;
  // Aqueduct's addition: a serverless pod whose sidecar images do not run on
  // every arch gets a required kubernetes.io/arch term (ArchAffinity).
  bool arch_affinity = true;
  // Unique to this admission (the AdmissionReview's uid): the random-suffix
  // host mount folders are derived from it, so one review always gives the
  // same pod. Empty: derived from the pod itself.
  std::string unique_token;
};

struct InjectionResult {
  Json pod;                           // the mutated pod (equal to the input when nothing applied)
  std::string profile;                // one of the profile names above
  std::string reason;                 // for "skip": why
  std::vector<std::string> applied;   // plugins that changed the pod, in order
  std::vector<std::string> datasets;  // "<ns>/<name>" of the mounted datasets, in volume order
  std::vector<std::string> warnings;  // e.g. a dataset without a runtime
};

// `source` names the input in errors. Errors: the pod is not a v1 Pod object,
// a field has the wrong type (named by path), a serverless pod mounts a
// dataset whose runtime has no FUSE template. The input is never modified.
Result<InjectionResult> inject_pod(const Json& pod, const DatasetResolver& resolve,
                                   const InjectionOptions& options,
                                   const std::string& source = "pod");

// Runs inject_pod on every pod template of a workload object (Pod, Job,
// CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, or a v1 List of
// them), as `aqueduct inject` does: the template's labels decide, the
// object's namespace is the pods' namespace.
struct ObjectInjection {
  Json object;
  std::vector<InjectionResult> pods;  // one per pod template, in document order
};
Result<ObjectInjection> inject_object(const Json& object, const DatasetResolver& resolve,
                                      const InjectionOptions& options,
                                      const std::string& source = "object");

// The ConfigMap holding the post-start mount check the sidecar runs
// ("<fs_type>-check-mount" in the dataset's namespace); created once per
// namespace and engine by whoever applies injected pods.
Json check_mount_config_map(std::string_view ns, std::string_view fs_type);

}  // namespace aqueduct::core
