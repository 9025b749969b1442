#include "aqueduct/k8s/plugin_registration.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "plugin_registration.grpc.pb.h"

namespace aqueduct::k8s {
namespace {

class RegistrationService final : public pluginregistration::Registration::Service {
 public:
  RegistrationService(const PluginRegistrationConfig& cfg, core::Logger log)
      : cfg_(cfg), log_(std::move(log)) {}

  grpc::Status GetInfo(grpc::ServerContext*, const pluginregistration::InfoRequest*,
                       pluginregistration::PluginInfo* out) override {
    out->set_type("CSIPlugin");
    out->set_name(cfg_.driver_name);
    out->set_endpoint(cfg_.endpoint);
    for (const auto& v : cfg_.versions) out->add_supported_versions(v);
    return grpc::Status::OK;
  }

  grpc::Status NotifyRegistrationStatus(grpc::ServerContext*,
                                        const pluginregistration::RegistrationStatus* in,
                                        pluginregistration::RegistrationStatusResponse*) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_.notified = true;
      outcome_.registered = in->plugin_registered();
      outcome_.error = in->error();
    }
    if (in->plugin_registered()) {
      log_.info("the kubelet registered " + cfg_.driver_name + " at " + cfg_.endpoint);
    } else {
      log_.error("the kubelet refused to register " + cfg_.driver_name + ": " +
                 (in->error().empty() ? std::string("(no reason given)") : in->error()));
    }
    return grpc::Status::OK;
  }

  RegistrationOutcome outcome() const {
    std::lock_guard<std::mutex> lock(mu_);
    return outcome_;
  }

 private:
  const PluginRegistrationConfig& cfg_;
  core::Logger log_;
  mutable std::mutex mu_;
  RegistrationOutcome outcome_;
};

}  // namespace

struct PluginRegistration::Impl {
  PluginRegistrationConfig cfg;
  std::string socket;
  std::unique_ptr<RegistrationService> service;
  std::unique_ptr<grpc::Server> server;
  bool stopped = false;
};

PluginRegistration::PluginRegistration(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PluginRegistration::~PluginRegistration() { stop(); }
const std::string& PluginRegistration::socket_path() const { return impl_->socket; }
RegistrationOutcome PluginRegistration::outcome() const { return impl_->service->outcome(); }

core::Result<std::unique_ptr<PluginRegistration>> PluginRegistration::start(
    PluginRegistrationConfig config, core::Logger log) {
  if (config.registration_dir.empty() || config.registration_dir.front() != '/')
    return core::invalid_argument("--registration-dir \"" + config.registration_dir +
                                  "\": expected an absolute path (the kubelet's plugins_registry)");
  if (config.endpoint.empty() || config.endpoint.front() != '/')
    return core::invalid_argument("--kubelet-registration-path \"" + config.endpoint +
                                  "\": expected the CSI socket's absolute path on the node");
  if (config.driver_name.empty() || config.driver_name.find('/') != std::string::npos)
    return core::invalid_argument("--driver-name \"" + config.driver_name +
                                  "\": expected a driver name such as fuse.csi.fluid.io");
  std::error_code ec;
  if (!std::filesystem::is_directory(config.registration_dir, ec))
    return core::not_found("--registration-dir " + config.registration_dir +
                           ": no such folder (mount the kubelet's plugins_registry there)");
  auto impl = std::make_unique<Impl>();
  impl->cfg = std::move(config);
  impl->socket = impl->cfg.registration_dir + "/" + impl->cfg.driver_name + "-reg.sock";
  ::unlink(impl->socket.c_str());
  impl->service = std::make_unique<RegistrationService>(impl->cfg, std::move(log));
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix://" + impl->socket, grpc::InsecureServerCredentials());
  builder.RegisterService(impl->service.get());
  impl->server = builder.BuildAndStart();
  if (!impl->server) return core::io_error("--registration-dir: cannot listen on " + impl->socket);
  return std::unique_ptr<PluginRegistration>(new PluginRegistration(std::move(impl)));
}

void PluginRegistration::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->server)
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ::unlink(impl_->socket.c_str());
}

}  // namespace aqueduct::k8s
