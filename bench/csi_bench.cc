// The CSI node plugin's share of a pod's start: NodePublishVolume over the
// unix socket (the kubelet's call: wait for the FUSE mount, bind it into the
// pod's volume folder), the pod's first read through it, and
// NodeUnpublishVolume. A tmpfs stands in for the dataset's FUSE mount, so
// this measures the plugin, not the engine. Runs in a mount namespace of its
// own (needs CAP_SYS_ADMIN; otherwise each benchmark reports why it skipped).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "aqueduct/k8s/csi_server.h"
#include "csi.grpc.pb.h"

namespace {

namespace fs = std::filesystem;
using namespace aqueduct;

// Before main, while the process has one thread: a private mount namespace.
const std::string kNamespaceError = [] {
  if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare: ") + std::strerror(errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return std::string("mount --make-rprivate /: ") + std::strerror(errno);
  return std::string();
}();

struct World {
  fs::path root = fs::temp_directory_path() / ("aqueduct-csi-bench-" + std::to_string(::getpid()));
  std::string fluid_path = (root / "runtime-mnt/juicefs/default/ds/juicefs-fuse").string();
  std::unique_ptr<k8s::CsiNodePlugin> plugin;
  std::unique_ptr<k8s::CsiServer> server;
  std::unique_ptr<csi::v1::Node::Stub> node;
  std::string error;

  World() {
    fs::create_directories(fluid_path);
    if (::mount("bench-fuse", fluid_path.c_str(), "tmpfs", 0, "size=16m") != 0) {
      error = std::string("mount tmpfs: ") + std::strerror(errno);
      return;
    }
    std::ofstream(fluid_path + "/shard-0") << std::string(1 << 20, 'x');
    k8s::CsiNodeConfig c;
    c.node_id = "bench-node";
    c.kubelet_dir = (root / "kubelet").string();
    c.state_dir = (root / "state").string();
    auto p = k8s::CsiNodePlugin::create(c, nullptr, core::Logger("csi", {core::LogLevel::kOff}));
    if (!p.ok()) {
      error = p.status().to_string();
      return;
    }
    plugin = std::move(*p);
    k8s::CsiServerConfig sc;
    sc.endpoint = "unix://" + (root / "csi.sock").string();
    sc.recover_period = std::chrono::milliseconds(0);
    auto started = k8s::CsiServer::start(sc, *plugin);
    if (!started.ok()) {
      error = started.status().to_string();
      return;
    }
    server = std::move(*started);
    node = csi::v1::Node::NewStub(
        grpc::CreateChannel("unix://" + server->socket_path(), grpc::InsecureChannelCredentials()));
  }
  ~World() {
    server.reset();
    ::umount2(fluid_path.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

void BM_CsiPublishReadUnpublish(benchmark::State& state) {
  if (!kNamespaceError.empty()) {
    state.SkipWithError(
        ("needs CAP_SYS_ADMIN for a private mount namespace: " + kNamespaceError).c_str());
    return;
  }
  World w;
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  std::int64_t n = 0;
  for (auto _ : state) {
    const std::string target = (w.root / "kubelet/pods" / ("pod-" + std::to_string(n++)) /
                                "volumes/kubernetes.io~csi/default-ds/mount")
                                   .string();
    csi::v1::NodePublishVolumeRequest req;
    req.set_volume_id("default-ds");
    req.set_target_path(target);
    req.mutable_volume_capability()->mutable_access_mode()->set_mode(
        csi::v1::VolumeCapability::AccessMode::MULTI_NODE_READER_ONLY);
    (*req.mutable_volume_context())["fluid_path"] = w.fluid_path;
    csi::v1::NodePublishVolumeResponse out;
    grpc::ClientContext ctx;
    if (auto s = w.node->NodePublishVolume(&ctx, req, &out); !s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      return;
    }
    char byte = 0;
    int fd = ::open((target + "/shard-0").c_str(), O_RDONLY);
    if (fd < 0 || ::read(fd, &byte, 1) != 1) {
      state.SkipWithError("the first read through the published volume failed");
      if (fd >= 0) ::close(fd);
      return;
    }
    ::close(fd);
    benchmark::DoNotOptimize(byte);
    csi::v1::NodeUnpublishVolumeRequest un;
    un.set_volume_id("default-ds");
    un.set_target_path(target);
    csi::v1::NodeUnpublishVolumeResponse un_out;
    grpc::ClientContext ctx2;
    if (auto s = w.node->NodeUnpublishVolume(&ctx2, un, &un_out); !s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CsiPublishReadUnpublish)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
