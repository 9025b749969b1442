// The labels and annotations that steer Fluid's pod injection, with Fluid's
// own names, so manifests written for Fluid behave the same here.
#pragma once

namespace aqueduct::core::labels {

// Opt-outs: no plugin runs.
inline constexpr const char* kEnableInjection = "fluid.io/enable-injection";   // "false"
inline constexpr const char* kInjectionDone = "done.sidecar.fluid.io/inject";  // "true"
// Serverless opt-ins: a FUSE sidecar per mounted dataset.
inline constexpr const char* kServerlessInject = "serverless.fluid.io/inject";     // "true"
inline constexpr const char* kFuseSidecarInject = "fuse.sidecar.fluid.io/inject";  // deprecated
// Fluid 0.8's ECI opt-in: the serverless-platform label. Pods carrying it get
// an unprivileged sidecar; `alibabacloud.com/eci=true` sends the pod to ECI.
inline constexpr const char* kSidecarTarget = "alibabacloud.com/fluid-sidecar-target";  // "eci"
inline constexpr const char* kEci = "alibabacloud.com/eci";
inline constexpr const char* kUnprivilegedInject = "unprivileged.sidecar.fluid.io/inject";
// Serverful pods (FUSE as a node DaemonSet): the opt-in for the serverful chain.
inline constexpr const char* kServerfulFuseInject = "fuse.serverful.fluid.io/inject";
// Sidecar details.
inline constexpr const char* kCacheDirInject =
    "cachedir.sidecar.fluid.io/inject";  // keep cache dirs
inline constexpr const char* kPostStartInject =
    "poststart.sidecar.fluid.io/inject";  // "false": none
// Fluid's host mount path mode for sidecars on ordinary nodes (annotation):
// "random-suffix" gives each pod's FUSE its own folder under the dataset's
// host mount root, so a sidecar never mounts over (or unmounts) the node's
// DaemonSet FUSE at the shared path.
inline constexpr const char* kHostMountPathMode =
    "default.fuse-sidecar.fluid.io/host-mount-path-mode";
inline constexpr const char* kHostPathModeRandomSuffix = "random-suffix";
// Written by injection.
inline constexpr const char* kDatasetNamePrefix = "dataset-name.sidecar.fluid.io/";
inline constexpr const char* kDatasetNamespacePrefix = "dataset-namespace.sidecar.fluid.io/";
inline constexpr const char* kDatasetsInUse = "fluid.io/datasets-in-use";  // annotation
inline constexpr const char* kFuseContainerName = "fluid-fuse";
inline constexpr const char* kInitFuseContainerName = "fluid-init-fuse";
// The sidecar-termination rule: set (to the time) on a batch pod whose app
// containers have all ended; its FUSE sidecars then unmount and exit, so the
// pod and its Job can complete. The sidecars read it from a downward-API file.
inline constexpr const char* kSidecarExit = "aqueduct.io/sidecar-exit";
inline constexpr const char* kPodInfoVolume = "aqueduct-pod-info";
inline constexpr const char* kPodInfoPath = "/etc/aqueduct/pod-info";

}  // namespace aqueduct::core::labels
