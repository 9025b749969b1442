// The CSI node plugin called over its unix socket as the kubelet calls it:
// Identity, NodeStage/Unstage labelling the node through a fake API server,
// NodePublish/Unpublish bind-mounting a dataset's mount point into a pod's
// target path, and FUSE recovery after the dataset's mount is replaced.
// The mounting cases need CAP_SYS_ADMIN: each runs in a mount namespace of
// its own (so nothing leaks to the machine) and skips, with the reason, where
// one cannot be made. A "FUSE mount" here is a tmpfs: the plugin treats any
// mount at fluid_path alike, and recovery keys on the device number, which a
// remount changes for FUSE and tmpfs the same way.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "aqueduct/k8s/csi_server.h"
#include "aqueduct/k8s/mount_table.h"
#include "csi.grpc.pb.h"
#include "support/k8s_testing.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

namespace fs = std::filesystem;
using aqueduct::testing::client_for;
using aqueduct::testing::FakeApiServer;
using aqueduct::testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* kNode = "node-a";
constexpr const char* kVolume = "default-images";
constexpr const char* kLabel = "fluid.io/f-default-images";
constexpr const char* kJuiceFs = "data.fluid.io/v1alpha1/juicefsruntimes";

Json node_object() {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", kNode}, {"labels", {{"kubernetes.io/hostname", kNode}}}}}};
}

Json pv_object(const std::string& fluid_path) {
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolume"},
          {"metadata", {{"name", kVolume}}},
          {"spec",
           {{"claimRef", {{"namespace", "default"}, {"name", "images"}}},
            {"csi",
             {{"driver", "fuse.csi.fluid.io"},
              {"volumeHandle", kVolume},
              {"volumeAttributes",
               {{"fluid_path", fluid_path},
                {"runtime_name", "images"},
                {"runtime_namespace", "default"},
                {"mount_pod_node_selector_key", kLabel}}}}}}}};
}

Json runtime_object(const std::string& clean_policy) {
  Json rt = {{"apiVersion", "data.fluid.io/v1alpha1"},
             {"kind", "JuiceFSRuntime"},
             {"metadata", {{"name", "images"}, {"namespace", "default"}}},
             {"spec", {{"replicas", 1}}}};
  if (!clean_policy.empty()) rt["spec"]["fuse"] = {{"cleanPolicy", clean_policy}};
  return rt;
}

std::string node_label(const FakeApiServer& api) {
  Json n = api.get("v1/nodes", "", kNode);
  return n["metadata"].value("labels", Json::object()).value(kLabel, "");
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<cannot open " + path + ": " + std::strerror(errno) + ">";
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A plugin serving on a socket in a temp dir, with a fake API server holding
// the node, the dataset's PV and its runtime.
class CsiWorld {
 public:
  explicit CsiWorld(const fs::path& root, std::chrono::milliseconds mount_timeout = 2000ms)
      : root_(root), client_(client_for(api_)) {
    api_.put("v1/nodes", node_object());
    api_.put("v1/persistentvolumes", pv_object(fluid_path()));
    start(mount_timeout);
  }
  ~CsiWorld() { stop(); }

  void start(std::chrono::milliseconds mount_timeout = 2000ms) {
    CsiNodeConfig c;
    c.node_id = kNode;
    c.kubelet_dir = (root_ / "kubelet").string();
    c.state_dir = (root_ / "state").string();
    c.mount_timeout = mount_timeout;
    auto p = CsiNodePlugin::create(c, client_.get(), core::Logger("csi", {core::LogLevel::kOff}));
    ASSERT_TRUE(p.ok()) << p.status().to_string();
    plugin_ = std::move(*p);
    CsiServerConfig sc;
    sc.endpoint = "unix://" + (root_ / "plugin" / "csi.sock").string();
    sc.vendor_version = "test";
    sc.recover_period = 0ms;  // the tests call recover_once themselves
    auto s = CsiServer::start(sc, *plugin_);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    server_ = std::move(*s);
    auto ch =
        grpc::CreateChannel("unix://" + server_->socket_path(), grpc::InsecureChannelCredentials());
    identity_ = csi::v1::Identity::NewStub(ch);
    node_ = csi::v1::Node::NewStub(ch);
  }
  void stop() {
    server_.reset();
    plugin_.reset();
  }

  std::string fluid_path() const {
    return (root_ / "runtime-mnt/juicefs/default/images/juicefs-fuse").string();
  }
  std::string target(const std::string& pod_uid) const {
    return (root_ / "kubelet/pods" / pod_uid / "volumes/kubernetes.io~csi" / kVolume / "mount")
        .string();
  }

  grpc::Status stage() {
    csi::v1::NodeStageVolumeRequest req;
    req.set_volume_id(kVolume);
    req.set_staging_target_path((root_ / "kubelet/plugins/staging").string());
    auto& ctx = *req.mutable_volume_context();
    ctx["fluid_path"] = fluid_path();
    ctx["runtime_name"] = "images";
    ctx["runtime_namespace"] = "default";
    ctx["mount_pod_node_selector_key"] = kLabel;
    csi::v1::NodeStageVolumeResponse out;
    grpc::ClientContext cc;
    return node_->NodeStageVolume(&cc, req, &out);
  }
  grpc::Status unstage() {
    csi::v1::NodeUnstageVolumeRequest req;
    req.set_volume_id(kVolume);
    csi::v1::NodeUnstageVolumeResponse out;
    grpc::ClientContext cc;
    return node_->NodeUnstageVolume(&cc, req, &out);
  }
  grpc::Status publish(const std::string& target, bool read_only_mode = false,
                       const std::string& sub_path = "", const std::string& method = "") {
    csi::v1::NodePublishVolumeRequest req;
    req.set_volume_id(kVolume);
    req.set_target_path(target);
    auto* cap = req.mutable_volume_capability();
    cap->mutable_mount();
    cap->mutable_access_mode()->set_mode(
        read_only_mode ? csi::v1::VolumeCapability::AccessMode::MULTI_NODE_READER_ONLY
                       : csi::v1::VolumeCapability::AccessMode::MULTI_NODE_MULTI_WRITER);
    auto& ctx = *req.mutable_volume_context();
    ctx["fluid_path"] = fluid_path();
    ctx["runtime_name"] = "images";
    ctx["runtime_namespace"] = "default";
    if (!sub_path.empty()) ctx["fluid_sub_path"] = sub_path;
    if (!method.empty()) ctx["node_publish_method"] = method;
    csi::v1::NodePublishVolumeResponse out;
    grpc::ClientContext cc;
    return node_->NodePublishVolume(&cc, req, &out);
  }
  grpc::Status unpublish(const std::string& target) {
    csi::v1::NodeUnpublishVolumeRequest req;
    req.set_volume_id(kVolume);
    req.set_target_path(target);
    csi::v1::NodeUnpublishVolumeResponse out;
    grpc::ClientContext cc;
    return node_->NodeUnpublishVolume(&cc, req, &out);
  }

  FakeApiServer& api() { return api_; }
  CsiNodePlugin& plugin() { return *plugin_; }
  csi::v1::Identity::Stub& identity() { return *identity_; }
  csi::v1::Node::Stub& node() { return *node_; }

 private:
  fs::path root_;
  FakeApiServer api_;
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<CsiNodePlugin> plugin_;
  std::unique_ptr<CsiServer> server_;
  std::unique_ptr<csi::v1::Identity::Stub> identity_;
  std::unique_ptr<csi::v1::Node::Stub> node_;
};

TEST(CsiNode, IdentityAndNodeInfoAnswerAsTheKubeletExpects) {
  TempDir dir;
  CsiWorld w(dir.path());
  {
    csi::v1::GetPluginInfoResponse out;
    grpc::ClientContext cc;
    ASSERT_TRUE(w.identity().GetPluginInfo(&cc, {}, &out).ok());
    EXPECT_EQ(out.name(), "fuse.csi.fluid.io");
    EXPECT_EQ(out.vendor_version(), "test");
  }
  {
    csi::v1::ProbeResponse out;
    grpc::ClientContext cc;
    ASSERT_TRUE(w.identity().Probe(&cc, {}, &out).ok());
    EXPECT_TRUE(out.ready().value());
  }
  {
    csi::v1::GetPluginCapabilitiesResponse out;
    grpc::ClientContext cc;
    ASSERT_TRUE(w.identity().GetPluginCapabilities(&cc, {}, &out).ok());
    EXPECT_EQ(out.capabilities_size(), 0) << "a node plugin only: no controller service";
  }
  {
    csi::v1::NodeGetCapabilitiesResponse out;
    grpc::ClientContext cc;
    ASSERT_TRUE(w.node().NodeGetCapabilities(&cc, {}, &out).ok());
    ASSERT_EQ(out.capabilities_size(), 1);
    EXPECT_EQ(out.capabilities(0).rpc().type(),
              csi::v1::NodeServiceCapability::RPC::STAGE_UNSTAGE_VOLUME);
  }
  {
    csi::v1::NodeGetInfoResponse out;
    grpc::ClientContext cc;
    ASSERT_TRUE(w.node().NodeGetInfo(&cc, {}, &out).ok());
    EXPECT_EQ(out.node_id(), kNode);
  }
}

TEST(CsiNode, StageLabelsTheNodeAndUnstageFollowsTheCleanPolicy) {
  TempDir dir;
  CsiWorld w(dir.path());
  w.api().put(kJuiceFs, runtime_object("OnDemand"));
  ASSERT_TRUE(w.stage().ok());
  EXPECT_EQ(node_label(w.api()), "true") << "the lazy FUSE DaemonSet selects this label";
  ASSERT_TRUE(w.stage().ok()) << "staging twice is fine";
  ASSERT_TRUE(w.unstage().ok());
  EXPECT_EQ(node_label(w.api()), "") << "OnDemand: the label goes, and the FUSE with it";

  // OnRuntimeDeleted (and Fluid's default, no policy): the FUSE stays.
  for (const char* policy : {"OnRuntimeDeleted", ""}) {
    w.api().put(kJuiceFs, runtime_object(policy));
    ASSERT_TRUE(w.stage().ok());
    ASSERT_TRUE(w.unstage().ok());
    EXPECT_EQ(node_label(w.api()), "true") << policy;
  }

  // A policy no one knows is an error naming the field.
  w.api().put(kJuiceFs, runtime_object("Sometimes"));
  auto bad = w.unstage();
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(bad.error_message().find("spec.fuse.cleanPolicy"), std::string::npos)
      << bad.error_message();

  // The runtime or the PV gone: nothing to clean, success (the kubelet moves on).
  w.api().remove(kJuiceFs, "default", "images");
  EXPECT_TRUE(w.unstage().ok());
  w.api().remove("v1/persistentvolumes", "", kVolume);
  EXPECT_TRUE(w.unstage().ok());
}

TEST(CsiNode, StageFindsTheDatasetFromThePvAndNamesWhatIsWrong) {
  TempDir dir;
  CsiWorld w(dir.path());
  csi::v1::NodeStageVolumeRequest req;
  req.set_volume_id(kVolume);  // no volume context: an older PV
  csi::v1::NodeStageVolumeResponse out;
  {
    grpc::ClientContext cc;
    ASSERT_TRUE(w.node().NodeStageVolume(&cc, req, &out).ok());
    EXPECT_EQ(node_label(w.api()), "true") << "the PV's claim names the dataset";
  }
  {
    req.set_volume_id("");
    grpc::ClientContext cc;
    auto s = w.node().NodeStageVolume(&cc, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("volume_id"), std::string::npos);
  }
  {
    w.api().remove("v1/nodes", "", kNode);
    grpc::ClientContext cc;
    req.set_volume_id(kVolume);
    auto s = w.node().NodeStageVolume(&cc, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_NE(s.error_message().find("--node-id"), std::string::npos) << s.error_message();
  }
}

TEST(CsiNode, PublishRefusesBadRequestsBeforeTouchingAnything) {
  TempDir dir;
  CsiWorld w(dir.path());
  EXPECT_EQ(w.publish("relative/target").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(w.publish(w.target("p"), false, "../../etc").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  csi::v1::NodePublishVolumeRequest req;
  req.set_volume_id(kVolume);
  req.set_target_path(w.target("p"));
  csi::v1::NodePublishVolumeResponse out;
  {
    grpc::ClientContext cc;
    auto s = w.node().NodePublishVolume(&cc, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("fluid_path"), std::string::npos) << s.error_message();
  }
  {
    (*req.mutable_volume_context())["fluid_path"] = w.fluid_path();
    req.mutable_volume_capability()->mutable_block();
    grpc::ClientContext cc;
    auto s = w.node().NodePublishVolume(&cc, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("block"), std::string::npos);
  }
  {
    auto outside = w.publish("/etc/aqueduct-test-target");
    EXPECT_EQ(outside.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(outside.error_message().find("--kubelet-dir"), std::string::npos)
        << outside.error_message();
    EXPECT_EQ(w.unpublish("/etc").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_FALSE(fs::exists(w.target("p")));
  EXPECT_TRUE(w.unpublish(w.target("never")).ok()) << "a target that is not there is done";
}

// ---- The mounting cases: a private mount namespace per test. ----

class CsiMount : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::unshare(CLONE_NEWNS) != 0)
      GTEST_SKIP() << "needs CAP_SYS_ADMIN for a private mount namespace (unshare: "
                   << std::strerror(errno) << ")";
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      GTEST_SKIP() << "cannot make the mount namespace private: " << std::strerror(errno);
    probe_ = dir_.path() / "probe";
    fs::create_directories(probe_);
    if (::mount("probe", probe_.c_str(), "tmpfs", 0, "size=1m") != 0)
      GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    ::umount2(probe_.c_str(), MNT_DETACH);
  }
  void TearDown() override {
    // Unmount what is left under the temp dir, deepest first, so it can go.
    auto table = read_mount_table();
    if (!table.ok()) return;
    std::vector<std::string> mine;
    for (const auto& e : *table)
      if (e.mount_point.rfind(dir_.path().string() + "/", 0) == 0) mine.push_back(e.mount_point);
    for (auto it = mine.rbegin(); it != mine.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  }

  // "Starts the dataset's FUSE": a fresh tmpfs at fluid_path holding `files`.
  void mount_fuse(const std::string& fluid_path, const std::map<std::string, std::string>& files) {
    fs::create_directories(fluid_path);
    ASSERT_EQ(::mount("fuse-stand-in", fluid_path.c_str(), "tmpfs", 0, "size=8m"), 0)
        << std::strerror(errno);
    for (const auto& [name, content] : files) {
      fs::create_directories((fs::path(fluid_path) / name).parent_path());
      std::ofstream(fs::path(fluid_path) / name, std::ios::binary) << content;
    }
  }
  // "The FUSE dies": its mount goes away under the pods' bind mounts.
  static void kill_fuse(const std::string& fluid_path) {
    ASSERT_EQ(::umount2(fluid_path.c_str(), MNT_DETACH), 0) << std::strerror(errno);
  }
  static bool mounted(const std::string& path) {
    auto t = read_mount_table();
    return t.ok() && find_mount(*t, path) != nullptr;
  }

  TempDir dir_;
  fs::path probe_;
};

TEST_F(CsiMount, PublishBindsTheDatasetIntoThePodAndUnpublishTakesItAway) {
  CsiWorld w(dir_.path());
  w.api().put(kJuiceFs, runtime_object("OnDemand"));
  mount_fuse(w.fluid_path(), {{"train/part-0", "first shard"}, {"README", "images"}});
  ASSERT_TRUE(w.stage().ok());
  const std::string target = w.target("pod-1");
  auto s = w.publish(target);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(mounted(target));
  EXPECT_EQ(read_all(target + "/train/part-0"), "first shard");
  // The pod's writes land in the dataset's mount (a read-write access mode).
  std::ofstream(target + "/out.txt") << "result";
  EXPECT_EQ(read_all(w.fluid_path() + "/out.txt"), "result");
  ASSERT_TRUE(w.publish(target).ok()) << "publishing again is fine";
  ASSERT_EQ(w.plugin().published().size(), 1u);

  // In use: an OnDemand unstage must not stop the FUSE under the pod.
  auto busy = w.unstage();
  EXPECT_EQ(busy.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(busy.error_message().find(target), std::string::npos) << busy.error_message();
  EXPECT_EQ(node_label(w.api()), "true");

  ASSERT_TRUE(w.unpublish(target).ok());
  EXPECT_FALSE(mounted(target));
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(read_all(w.fluid_path() + "/README"), "images") << "the dataset is untouched";
  EXPECT_TRUE(w.plugin().published().empty());
  ASSERT_TRUE(w.unpublish(target).ok()) << "unpublishing again is fine";
  ASSERT_TRUE(w.unstage().ok());
  EXPECT_EQ(node_label(w.api()), "");
}

TEST_F(CsiMount, ReadOnlyAccessModesMountReadOnly) {
  CsiWorld w(dir_.path());
  mount_fuse(w.fluid_path(), {{"a", "x"}});
  const std::string target = w.target("pod-ro");
  ASSERT_TRUE(w.publish(target, /*read_only_mode=*/true).ok());
  EXPECT_EQ(read_all(target + "/a"), "x");
  int fd = ::open((target + "/new").c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_LT(fd, 0);
  EXPECT_EQ(errno, EROFS);
  if (fd >= 0) ::close(fd);
  std::ofstream(w.fluid_path() + "/b") << "y";
  EXPECT_EQ(read_all(w.fluid_path() + "/b"), "y") << "only the pod's view is read-only";
  ASSERT_TRUE(w.unpublish(target).ok());
}

TEST_F(CsiMount, SubPathsAreBoundAndEscapesRefused) {
  CsiWorld w(dir_.path());
  mount_fuse(w.fluid_path(), {{"train/part-0", "shard"}, {"val/x", "v"}});
  fs::create_symlink("/etc", w.fluid_path() + "/escape");
  const std::string target = w.target("pod-sub");
  ASSERT_TRUE(w.publish(target, false, "train").ok());
  EXPECT_EQ(read_all(target + "/part-0"), "shard");
  EXPECT_FALSE(fs::exists(target + "/val"));
  ASSERT_TRUE(w.unpublish(target).ok());

  auto missing = w.publish(target, false, "test");
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(missing.error_message().find("\"test\""), std::string::npos);
  auto escape = w.publish(target, false, "escape");
  EXPECT_EQ(escape.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(escape.error_message().find("outside the dataset"), std::string::npos)
      << escape.error_message();
  EXPECT_FALSE(mounted(target));
}

TEST_F(CsiMount, PublishWaitsForTheFuseAndSaysWhyWhenItNeverComes) {
  CsiWorld w(dir_.path(), 300ms);
  const std::string target = w.target("pod-wait");
  auto s = w.publish(target);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << "the kubelet retries";
  EXPECT_NE(s.error_message().find(w.fluid_path()), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find(kNode), std::string::npos);
  EXPECT_NE(s.error_message().find(kLabel), std::string::npos);
  EXPECT_FALSE(mounted(target));

  // The FUSE comes up while a publish waits (a longer timeout): it succeeds.
  w.stop();
  w.start(10000ms);
  auto later = std::async(std::launch::async, [&] { return w.publish(target); });
  std::this_thread::sleep_for(300ms);
  mount_fuse(w.fluid_path(), {{"f", "late"}});
  auto r = later.get();
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(read_all(target + "/f"), "late");
  ASSERT_TRUE(w.unpublish(target).ok());
}

TEST_F(CsiMount, RecoveryRebindsPodsAfterTheFuseRestarts) {
  CsiWorld w(dir_.path());
  mount_fuse(w.fluid_path(), {{"gen", "1"}});
  const std::string a = w.target("pod-a"), b = w.target("pod-b");
  ASSERT_TRUE(w.publish(a).ok());
  ASSERT_TRUE(w.publish(b, true).ok());
  auto quiet = w.plugin().recover_once();
  EXPECT_EQ(quiet.checked, 2);
  EXPECT_EQ(quiet.rebound, 0) << "nothing to do while the FUSE is the one bound";

  kill_fuse(w.fluid_path());
  auto down = w.plugin().recover_once();
  EXPECT_EQ(down.waiting, 2) << "no FUSE mounted yet: wait for it";
  EXPECT_EQ(read_all(a + "/gen"), "1") << "the pods still hold the old mount";

  mount_fuse(w.fluid_path(), {{"gen", "2"}});
  // The plugin itself restarts too: what it published is on disk.
  w.stop();
  w.start();
  auto rep = w.plugin().recover_once();
  EXPECT_EQ(rep.rebound, 2);
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(read_all(a + "/gen"), "2");
  EXPECT_EQ(read_all(b + "/gen"), "2");
  int fd = ::open((b + "/w").c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_LT(fd, 0) << "a read-only pod stays read-only after recovery";
  if (fd >= 0) ::close(fd);
  EXPECT_EQ(w.plugin().recover_once().rebound, 0);
  bool event = false;
  for (const auto& ev : w.api().list("v1/events"))
    event |= ev.value("reason", "") == "FuseRecoverSucceed";
  EXPECT_TRUE(event) << "the dataset gets an Event per recovery";

  // Unpublish takes every layer away, the stale one under the new included.
  ASSERT_TRUE(w.unpublish(a).ok());
  ASSERT_TRUE(w.unpublish(b).ok());
  EXPECT_FALSE(mounted(a));
  EXPECT_FALSE(fs::exists(b));
}

// A pod that mounts the volume with HostToContainer propagation holds a
// slave copy of the target. Recovery stacks the new bind on the dead one, so
// the copy sees the restarted FUSE without the pod restarting; repeated
// restarts keep the stack bounded.
TEST_F(CsiMount, PodsWithHostToContainerPropagationSeeTheRestartedFuse) {
  CsiWorld w(dir_.path());
  const std::string kubelet = dir_.path().string() + "/kubelet";
  fs::create_directories(kubelet);
  ASSERT_EQ(::mount(kubelet.c_str(), kubelet.c_str(), nullptr, MS_BIND, nullptr), 0);
  ASSERT_EQ(::mount(nullptr, kubelet.c_str(), nullptr, MS_REC | MS_SHARED, nullptr), 0);
  mount_fuse(w.fluid_path(), {{"gen", "1"}});
  const std::string t = w.target("pod-prop");
  ASSERT_TRUE(w.publish(t).ok());
  // The container runtime's view: a bind of the target, a slave of it.
  const std::string view = dir_.path().string() + "/container-data";
  fs::create_directories(view);
  ASSERT_EQ(::mount(t.c_str(), view.c_str(), nullptr, MS_BIND, nullptr), 0);
  ASSERT_EQ(::mount(nullptr, view.c_str(), nullptr, MS_REC | MS_SLAVE, nullptr), 0);
  EXPECT_EQ(read_all(view + "/gen"), "1");

  for (int gen = 2; gen <= 12; ++gen) {
    kill_fuse(w.fluid_path());
    mount_fuse(w.fluid_path(), {{"gen", std::to_string(gen)}});
    auto rep = w.plugin().recover_once();
    ASSERT_EQ(rep.rebound, 1) << "restart " << gen;
    EXPECT_EQ(read_all(t + "/gen"), std::to_string(gen));
    EXPECT_EQ(read_all(view + "/gen"), std::to_string(gen)) << "restart " << gen;
  }
  auto table = read_mount_table();
  ASSERT_TRUE(table.ok());
  int layers = 0;
  for (const auto& m : *table) layers += m.mount_point == t ? 1 : 0;
  EXPECT_LE(layers, 8) << "the stack of dead layers stays bounded";
  (void)::umount2(view.c_str(), MNT_DETACH);
  ASSERT_TRUE(w.unpublish(t).ok());
  EXPECT_FALSE(mounted(t));
}

// A container that mounts the volume with subPath has the kubelet's own bind
// of a folder of the target (<pod>/volume-subpaths/...): recovery re-binds it
// from the same folder of the restarted FUSE, read-only where it was.
TEST_F(CsiMount, SubPathBindsOfTheKubeletFollowTheRestartedFuse) {
  CsiWorld w(dir_.path());
  mount_fuse(w.fluid_path(), {{"train/gen", "1"}, {"gen", "root-1"}});
  const std::string t = w.target("pod-sub");
  ASSERT_TRUE(w.publish(t).ok());
  const std::string pod = dir_.path().string() + "/kubelet/pods/pod-sub";
  const std::string sub_rw = pod + "/volume-subpaths/data/app/0";
  const std::string sub_ro = pod + "/volume-subpaths/data/app/1";
  for (const auto& [at, ro] : {std::pair{sub_rw, false}, std::pair{sub_ro, true}}) {
    fs::create_directories(at);
    const std::string from = t + "/train";
    ASSERT_EQ(::mount(from.c_str(), at.c_str(), nullptr, MS_BIND, nullptr), 0)
        << std::strerror(errno);
    if (ro) {
      ASSERT_EQ(::mount(nullptr, at.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
                0);
    }
  }
  // Another pod's subPath bind of something else is none of the plugin's business.
  const std::string stranger = dir_.path().string() + "/kubelet/pods/other/volume-subpaths/v/c/0";
  fs::create_directories(stranger);
  const std::string elsewhere = dir_.path().string() + "/elsewhere";
  fs::create_directories(elsewhere);
  ASSERT_EQ(::mount(elsewhere.c_str(), stranger.c_str(), nullptr, MS_BIND, nullptr), 0);
  EXPECT_EQ(w.plugin().recover_once().rebound, 0) << "all on the live FUSE";

  kill_fuse(w.fluid_path());
  mount_fuse(w.fluid_path(), {{"train/gen", "2"}, {"gen", "root-2"}});
  auto rep = w.plugin().recover_once();
  EXPECT_EQ(rep.rebound, 3) << "the target and its two subPath binds";
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(read_all(t + "/gen"), "root-2");
  EXPECT_EQ(read_all(sub_rw + "/gen"), "2") << "the same folder, on the restarted FUSE";
  EXPECT_EQ(read_all(sub_ro + "/gen"), "2");
  int fd = ::open((sub_ro + "/w").c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_LT(fd, 0) << "a read-only subPath stays read-only";
  if (fd >= 0) ::close(fd);
  EXPECT_EQ(w.plugin().recover_once().rebound, 0) << "nothing more to do";
  // The kubelet deleting the pod unmounts a subPath bind one layer per try:
  // the dead layer showing again must not be bound again (a fight).
  ASSERT_EQ(::umount2(sub_rw.c_str(), 0), 0) << std::strerror(errno);
  EXPECT_EQ(w.plugin().recover_once().rebound, 0) << "the kubelet is taking it away";
  for (const auto& at : {sub_rw, sub_ro, sub_ro, stranger})
    (void)::umount2(at.c_str(), MNT_DETACH);  // each subPath bind has two layers now
  ASSERT_TRUE(w.unpublish(t).ok());
}

TEST_F(CsiMount, ATargetGoneWithoutUnpublishIsForgotten) {
  CsiWorld w(dir_.path());
  mount_fuse(w.fluid_path(), {{"f", "x"}});
  const std::string t = w.target("pod-gone");
  ASSERT_TRUE(w.publish(t).ok());
  ASSERT_EQ(::umount2(t.c_str(), MNT_DETACH), 0);
  fs::remove_all(fs::path(t).parent_path().parent_path().parent_path());
  auto rep = w.plugin().recover_once();
  EXPECT_EQ(rep.forgotten, 1);
  EXPECT_EQ(rep.rebound, 0) << "nothing is mounted where no pod is";
  EXPECT_TRUE(w.plugin().published().empty());
}

TEST_F(CsiMount, SymlinkPublishingFollowsTheMountWithoutRecovery) {
  CsiWorld w(dir_.path());
  mount_fuse(w.fluid_path(), {{"f", "1"}});
  const std::string t = w.target("pod-link");
  ASSERT_TRUE(w.publish(t, false, "", "symlink").ok());
  EXPECT_TRUE(fs::is_symlink(t));
  EXPECT_EQ(read_all(t + "/f"), "1");
  kill_fuse(w.fluid_path());
  mount_fuse(w.fluid_path(), {{"f", "2"}});
  EXPECT_EQ(read_all(t + "/f"), "2");
  EXPECT_EQ(w.plugin().recover_once().rebound, 0);
  ASSERT_TRUE(w.unpublish(t).ok());
  EXPECT_FALSE(fs::exists(t));
}

}  // namespace
}  // namespace aqueduct::k8s
