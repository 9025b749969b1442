// The CSI node plugin's gRPC API over its unix socket, as the kubelet calls
// it, its plugin-registration socket, and the mountinfo parser it reads the node's mounts with. The
// input is a sequence of calls: an opcode byte, then (u16 length, message). Messages that do not
// parse are sent as default messages. The process first takes a mount namespace of its own; volume
// contexts' fluid_path is kept inside the scratch folder (where a tmpfs stands in for a dataset's
// FUSE) and the kubelet's folder is the scratch folder's, so no input can bind anything over the
// machine's own files. A target_path starting with "@/" has the "@" replaced by that kubelet folder
// (no other change, so ".." still reaches the plugin's checks), which lets seeds publish for real.
#include <grpcpp/grpcpp.h>
#include <sched.h>
#include <sys/mount.h>

#include <chrono>
#include <filesystem>

#include "aqueduct/k8s/csi_server.h"
#include "aqueduct/k8s/mount_table.h"
#include "aqueduct/k8s/plugin_registration.h"
#include "csi.grpc.pb.h"
#include "fuzz_support.h"
#include "plugin_registration.grpc.pb.h"

namespace {

using aqueduct::fuzz::Cursor;
using aqueduct::fuzz::parse_or_default;

namespace fs = std::filesystem;
namespace k8s = aqueduct::k8s;

struct World {
  fs::path root = aqueduct::fuzz::scratch_dir();
  fs::path fuse = root / "runtime-mnt";
  std::unique_ptr<k8s::CsiNodePlugin> plugin;
  std::unique_ptr<k8s::CsiServer> server;
  std::unique_ptr<csi::v1::Identity::Stub> identity;
  std::unique_ptr<csi::v1::Node::Stub> node;
  std::unique_ptr<k8s::PluginRegistration> registration;
  std::unique_ptr<pluginregistration::Registration::Stub> registration_stub;
  World() {
    if (::unshare(CLONE_NEWNS) == 0) ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    fs::create_directories(fuse / "ds" / "sub");
    (void)::mount("fuzz-fuse", (fuse / "ds").c_str(), "tmpfs", 0, "size=1m");
    fs::create_directories(fuse / "ds" / "sub");
    k8s::CsiNodeConfig c;
    c.node_id = "fuzz-node";
    c.kubelet_dir = (root / "kubelet").string();
    c.state_dir = (root / "state").string();
    c.mount_timeout = std::chrono::milliseconds(0);
    auto p = k8s::CsiNodePlugin::create(
        c, nullptr, aqueduct::core::Logger("csi", {aqueduct::core::LogLevel::kOff}));
    if (!p.ok()) std::abort();
    plugin = std::move(*p);
    k8s::CsiServerConfig sc;
    sc.endpoint = "unix://" + (root / "csi.sock").string();
    sc.recover_period = std::chrono::milliseconds(0);
    auto s = k8s::CsiServer::start(sc, *plugin);
    if (!s.ok()) std::abort();
    server = std::move(*s);
    auto ch =
        grpc::CreateChannel("unix://" + server->socket_path(), grpc::InsecureChannelCredentials());
    identity = csi::v1::Identity::NewStub(ch);
    node = csi::v1::Node::NewStub(ch);
    k8s::PluginRegistrationConfig rc;
    rc.registration_dir = root.string();
    rc.driver_name = "fuse.csi.fluid.io";
    rc.endpoint = server->socket_path();
    auto r = k8s::PluginRegistration::start(
        rc, aqueduct::core::Logger("csi", {aqueduct::core::LogLevel::kOff}));
    if (!r.ok()) std::abort();
    registration = std::move(*r);
    registration_stub = pluginregistration::Registration::NewStub(grpc::CreateChannel(
        "unix://" + registration->socket_path(), grpc::InsecureChannelCredentials()));
  }
  // Whatever is still mounted under the scratch folder goes before the folder.
  ~World() {
    registration.reset();
    server.reset();
    auto table = k8s::read_mount_table();
    if (!table.ok()) return;
    const std::string mine = root.string() + "/";
    for (auto it = table->rbegin(); it != table->rend(); ++it)
      if (it->mount_point.rfind(mine, 0) == 0) ::umount2(it->mount_point.c_str(), MNT_DETACH);
  }
  // A fluid_path from the input, kept under the scratch folder's runtime-mnt.
  std::string confine(const std::string& p) const {
    fs::path joined = (fuse / fs::path(p).relative_path()).lexically_normal();
    auto rel = joined.lexically_relative(fuse);
    if (rel.empty() || *rel.begin() == "..") return (fuse / "ds").string();
    return joined.string();
  }
};

World& world() {
  static World w;
  return w;
}

template <class Req>
void place_target(Req& req) {
  if (req.target_path().rfind("@/", 0) == 0)
    req.set_target_path((world().root / "kubelet").string() + req.target_path().substr(1));
}

template <class Req>
void confine_context(Req& req) {
  auto& ctx = *req.mutable_volume_context();
  if (ctx.count("fluid_path")) ctx["fluid_path"] = world().confine(ctx["fluid_path"]);
}

void deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  Cursor in{data, size};
  std::uint8_t op = 0;
  for (int calls = 0; calls < 16 && in.byte(&op); ++calls) {
    grpc::ClientContext ctx;
    deadline(ctx);
    switch (op % 10) {
      case 0: {
        auto req = parse_or_default<csi::v1::NodeStageVolumeRequest>(in.message());
        confine_context(req);
        csi::v1::NodeStageVolumeResponse out;
        (void)w.node->NodeStageVolume(&ctx, req, &out);
        break;
      }
      case 1: {
        csi::v1::NodeUnstageVolumeResponse out;
        (void)w.node->NodeUnstageVolume(
            &ctx, parse_or_default<csi::v1::NodeUnstageVolumeRequest>(in.message()), &out);
        break;
      }
      case 2: {
        auto req = parse_or_default<csi::v1::NodePublishVolumeRequest>(in.message());
        confine_context(req);
        place_target(req);
        csi::v1::NodePublishVolumeResponse out;
        (void)w.node->NodePublishVolume(&ctx, req, &out);
        break;
      }
      case 3: {
        auto req = parse_or_default<csi::v1::NodeUnpublishVolumeRequest>(in.message());
        place_target(req);
        csi::v1::NodeUnpublishVolumeResponse out;
        (void)w.node->NodeUnpublishVolume(&ctx, req, &out);
        break;
      }
      case 4: {
        csi::v1::GetPluginInfoResponse info;
        (void)w.identity->GetPluginInfo(&ctx, {}, &info);
        break;
      }
      case 5: {
        csi::v1::NodeGetInfoResponse info;
        (void)w.node->NodeGetInfo(&ctx, {}, &info);
        break;
      }
      case 6: {
        auto table = k8s::parse_mountinfo(in.message());
        if (table.ok() && !table->empty()) {
          (void)k8s::find_mount(*table, table->back().mount_point);
          (void)k8s::pod_mounts_of_volume(*table, "/var/lib/kubelet", "default-images");
        }
        break;
      }
      case 7: {
        pluginregistration::PluginInfo info;
        (void)w.registration_stub->GetInfo(&ctx, {}, &info);
        break;
      }
      case 8: {
        pluginregistration::RegistrationStatusResponse out;
        (void)w.registration_stub->NotifyRegistrationStatus(
            &ctx, parse_or_default<pluginregistration::RegistrationStatus>(in.message()), &out);
        break;
      }
      default:
        (void)w.plugin->recover_once();
    }
  }
  return 0;
}
