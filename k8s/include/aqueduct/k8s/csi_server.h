// `aqueduct csi`: the CSI Identity and Node services (proto/csi.proto) over
// gRPC on a unix socket, as the kubelet and node-driver-registrar call them,
// carrying CsiNodePlugin's work; and the FUSE recovery loop beside them.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aqueduct/core/status.h"
#include "aqueduct/k8s/csi_node.h"

namespace aqueduct::k8s {

struct CsiServerConfig {
  std::string endpoint;  // "unix:///csi/csi.sock" or a plain socket path
  std::string vendor_version;
  std::chrono::milliseconds recover_period{5000};  // 0: no recovery loop
};

// The socket path of a CSI endpoint ("unix:///a/b" or "/a/b"); other schemes
// are an InvalidArgument naming the flag's expected form.
core::Result<std::string> csi_socket_path(const std::string& endpoint);

class CsiServer {
 public:
  // Listens at once (a stale socket file is replaced); `plugin` must outlive it.
  static core::Result<std::unique_ptr<CsiServer>> start(CsiServerConfig config,
                                                        CsiNodePlugin& plugin);
  ~CsiServer();  // stops serving and the recovery loop
  void stop();
  const std::string& socket_path() const;

 private:
  struct Impl;
  explicit CsiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aqueduct::k8s
