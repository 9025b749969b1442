// The kubelet's plugin registration, served by the node plugin itself (what
// node-driver-registrar does as a sidecar): a gRPC socket
// <registration-dir>/<driver>-reg.sock answering GetInfo with the CSI
// driver's name and socket, and recording the kubelet's verdict from
// NotifyRegistrationStatus. The kubelet finds the socket by watching the
// folder; removing the socket (stop) unregisters the driver.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"

namespace aqueduct::k8s {

struct PluginRegistrationConfig {
  std::string registration_dir;  // the kubelet's plugins_registry folder, as mounted here
  std::string driver_name;       // fuse.csi.fluid.io
  // The CSI socket's path as the kubelet sees it (a container may mount the
  // folder elsewhere than the kubelet's own path).
  std::string endpoint;
  std::vector<std::string> versions{"1.0.0"};
};

// What the kubelet answered, if it has yet.
struct RegistrationOutcome {
  bool notified = false;
  bool registered = false;
  std::string error;
};

class PluginRegistration {
 public:
  // Listens at once; a socket left by an earlier run is replaced.
  static core::Result<std::unique_ptr<PluginRegistration>> start(PluginRegistrationConfig config,
                                                                 core::Logger log);
  ~PluginRegistration();  // stops and removes the socket
  void stop();
  const std::string& socket_path() const;
  RegistrationOutcome outcome() const;

 private:
  struct Impl;
  explicit PluginRegistration(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aqueduct::k8s
