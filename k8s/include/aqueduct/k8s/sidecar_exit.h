// The sidecar-termination rule for batch pods. A FUSE sidecar has no reason
// of its own to stop, so a Job's pod with an injected sidecar would run on
// after its app ended and the Job would never complete. When every app
// container of a batch pod (restartPolicy Never, or OnFailure with exit code
// 0) has terminated while a FUSE sidecar still runs, the controller annotates
// the pod with aqueduct.io/sidecar-exit; the injected sidecar reads its pod's
// annotations through a downward-API file, unmounts and exits 0, and the pod
// becomes Succeeded or Failed by its app's own exit codes. (Fluid's
// application controller gets the same effect by exec'ing umount in the
// sidecar; the annotation needs no exec rights and works on virtual kubelets.)
#pragma once

#include <memory>
#include <string>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/controller_loop.h"
#include "aqueduct/k8s/informer.h"

namespace aqueduct::k8s {

// Whether the pod's sidecars should be told to exit now; `why` says which
// app containers ended how (for the Event).
bool sidecar_exit_due(const Json& pod, std::string* why = nullptr);

// Watches pods marked by injection (done.sidecar.fluid.io/inject=true) and
// applies the rule; runs while the replica leads, like the other controllers.
class SidecarExitController {
 public:
  explicit SidecarExitController(ApiClient& client, int workers = 2);
  ~SidecarExitController();
  void start_informers();
  bool wait_synced(std::chrono::milliseconds timeout);
  void start();
  void stop();
  void stop_informers();
  core::Status reconcile(const std::string& key);  // "namespace/name"
  std::uint64_t exits_requested() const { return exits_; }

  // Its reconcile loop, for metrics.
  const ControllerLoop& loop() const { return loop_; }

 private:
  ApiClient& client_;
  std::unique_ptr<Informer> pods_;
  ControllerLoop loop_;
  std::atomic<std::uint64_t> exits_{0};
};

}  // namespace aqueduct::k8s
