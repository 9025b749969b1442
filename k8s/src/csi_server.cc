#include "aqueduct/k8s/csi_server.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "csi.grpc.pb.h"

namespace aqueduct::k8s {
namespace {

grpc::Status to_grpc(const core::Status& s) {
  using core::StatusCode;
  grpc::StatusCode c = grpc::StatusCode::INTERNAL;
  switch (s.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
      c = grpc::StatusCode::INVALID_ARGUMENT;
      break;
    case StatusCode::kNotFound:
      c = grpc::StatusCode::NOT_FOUND;
      break;
    case StatusCode::kFailedPrecondition:
      c = grpc::StatusCode::FAILED_PRECONDITION;
      break;
    case StatusCode::kResourceExhausted:
      c = grpc::StatusCode::RESOURCE_EXHAUSTED;
      break;
    case StatusCode::kUnavailable:
      c = grpc::StatusCode::UNAVAILABLE;
      break;
    case StatusCode::kAborted:
      c = grpc::StatusCode::ABORTED;
      break;
    case StatusCode::kPermissionDenied:
      c = grpc::StatusCode::PERMISSION_DENIED;
      break;
    default:
      c = grpc::StatusCode::INTERNAL;
  }
  return grpc::Status(c, s.message());
}

template <typename M>
std::map<std::string, std::string> to_map(const M& m) {
  return std::map<std::string, std::string>(m.begin(), m.end());
}

bool read_only_mode(const csi::v1::VolumeCapability& cap) {
  using M = csi::v1::VolumeCapability::AccessMode;
  auto mode = cap.access_mode().mode();
  return mode == M::MULTI_NODE_READER_ONLY || mode == M::SINGLE_NODE_READER_ONLY;
}

class IdentityService final : public csi::v1::Identity::Service {
 public:
  IdentityService(std::string name, std::string version)
      : name_(std::move(name)), version_(std::move(version)) {}
  grpc::Status GetPluginInfo(grpc::ServerContext*, const csi::v1::GetPluginInfoRequest*,
                             csi::v1::GetPluginInfoResponse* out) override {
    out->set_name(name_);
    out->set_vendor_version(version_);
    return grpc::Status::OK;
  }
  // A node plugin only: no controller service (Fluid's datasets are bound
  // statically by the dataset controller), no topology constraints.
  grpc::Status GetPluginCapabilities(grpc::ServerContext*,
                                     const csi::v1::GetPluginCapabilitiesRequest*,
                                     csi::v1::GetPluginCapabilitiesResponse*) override {
    return grpc::Status::OK;
  }
  grpc::Status Probe(grpc::ServerContext*, const csi::v1::ProbeRequest*,
                     csi::v1::ProbeResponse* out) override {
    out->mutable_ready()->set_value(true);
    return grpc::Status::OK;
  }

 private:
  std::string name_, version_;
};

class NodeService final : public csi::v1::Node::Service {
 public:
  explicit NodeService(CsiNodePlugin& p) : p_(p) {}
  grpc::Status NodeStageVolume(grpc::ServerContext*, const csi::v1::NodeStageVolumeRequest* in,
                               csi::v1::NodeStageVolumeResponse*) override {
    return to_grpc(p_.stage(in->volume_id(), to_map(in->volume_context())));
  }
  grpc::Status NodeUnstageVolume(grpc::ServerContext*, const csi::v1::NodeUnstageVolumeRequest* in,
                                 csi::v1::NodeUnstageVolumeResponse*) override {
    return to_grpc(p_.unstage(in->volume_id()));
  }
  grpc::Status NodePublishVolume(grpc::ServerContext*, const csi::v1::NodePublishVolumeRequest* in,
                                 csi::v1::NodePublishVolumeResponse*) override {
    if (in->has_volume_capability() && in->volume_capability().has_block())
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "NodePublishVolume: a dataset is a file system; block access is not "
                          "supported");
    PublishRequest req;
    req.volume_id = in->volume_id();
    req.target_path = in->target_path();
    req.volume_context = to_map(in->volume_context());
    req.read_only =
        in->readonly() || (in->has_volume_capability() && read_only_mode(in->volume_capability()));
    return to_grpc(p_.publish(req));
  }
  grpc::Status NodeUnpublishVolume(grpc::ServerContext*,
                                   const csi::v1::NodeUnpublishVolumeRequest* in,
                                   csi::v1::NodeUnpublishVolumeResponse*) override {
    return to_grpc(p_.unpublish(in->volume_id(), in->target_path()));
  }
  grpc::Status NodeGetCapabilities(grpc::ServerContext*, const csi::v1::NodeGetCapabilitiesRequest*,
                                   csi::v1::NodeGetCapabilitiesResponse* out) override {
    out->add_capabilities()->mutable_rpc()->set_type(
        csi::v1::NodeServiceCapability::RPC::STAGE_UNSTAGE_VOLUME);
    return grpc::Status::OK;
  }
  grpc::Status NodeGetInfo(grpc::ServerContext*, const csi::v1::NodeGetInfoRequest*,
                           csi::v1::NodeGetInfoResponse* out) override {
    out->set_node_id(p_.config().node_id);
    return grpc::Status::OK;
  }

 private:
  CsiNodePlugin& p_;
};

}  // namespace

core::Result<std::string> csi_socket_path(const std::string& endpoint) {
  std::string path = endpoint;
  if (path.rfind("unix://", 0) == 0) path = path.substr(7);
  if (path.empty() || path.front() != '/')
    return core::invalid_argument("--endpoint \"" + endpoint +
                                  "\": expected unix:///path/to/csi.sock or an absolute path");
  return path;
}

struct CsiServer::Impl {
  CsiServerConfig cfg;
  CsiNodePlugin* plugin = nullptr;
  std::string socket;
  std::unique_ptr<IdentityService> identity;
  std::unique_ptr<NodeService> node;
  std::unique_ptr<grpc::Server> server;
  std::thread recovery;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
};

CsiServer::CsiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsiServer::~CsiServer() { stop(); }
const std::string& CsiServer::socket_path() const { return impl_->socket; }

core::Result<std::unique_ptr<CsiServer>> CsiServer::start(CsiServerConfig config,
                                                          CsiNodePlugin& plugin) {
  auto socket = csi_socket_path(config.endpoint);
  if (!socket.ok()) return socket.status();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(*socket).parent_path(), ec);
  ::unlink(socket->c_str());  // a socket left by an earlier run
  auto impl = std::make_unique<Impl>();
  impl->cfg = std::move(config);
  impl->plugin = &plugin;
  impl->socket = *socket;
  impl->identity =
      std::make_unique<IdentityService>(plugin.config().driver_name, impl->cfg.vendor_version);
  impl->node = std::make_unique<NodeService>(plugin);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix://" + *socket, grpc::InsecureServerCredentials());
  builder.RegisterService(impl->identity.get());
  builder.RegisterService(impl->node.get());
  impl->server = builder.BuildAndStart();
  if (!impl->server)
    return core::io_error("--endpoint " + impl->cfg.endpoint + ": cannot listen on " + *socket);
  if (impl->cfg.recover_period.count() > 0) {
    Impl* p = impl.get();
    impl->recovery = std::thread([p] {
      std::unique_lock<std::mutex> lock(p->mu);
      while (!p->cv.wait_for(lock, p->cfg.recover_period, [p] { return p->stopping; })) {
        lock.unlock();
        p->plugin->recover_once();
        lock.lock();
      }
    });
  }
  return std::unique_ptr<CsiServer>(new CsiServer(std::move(impl)));
}

void CsiServer::stop() {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->recovery.joinable()) impl_->recovery.join();
  if (impl_->server)
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ::unlink(impl_->socket.c_str());
}

}  // namespace aqueduct::k8s
