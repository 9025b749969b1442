// The kubelet's plugin registration as the kubelet drives it: it finds
// <dir>/<driver>-reg.sock, calls GetInfo over gRPC, then reports with
// NotifyRegistrationStatus. Plain sockets in a temporary folder.
#include "aqueduct/k8s/plugin_registration.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "plugin_registration.grpc.pb.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

namespace fs = std::filesystem;
using aqueduct::testing::TempDir;

PluginRegistrationConfig config(const TempDir& dir) {
  PluginRegistrationConfig c;
  c.registration_dir = dir.path().string();
  c.driver_name = "fuse.csi.fluid.io";
  c.endpoint = "/var/lib/kubelet/plugins/fuse.csi.fluid.io/csi.sock";
  return c;
}

std::unique_ptr<pluginregistration::Registration::Stub> kubelet_side(const std::string& socket) {
  return pluginregistration::Registration::NewStub(
      grpc::CreateChannel("unix://" + socket, grpc::InsecureChannelCredentials()));
}

TEST(PluginRegistration, TellsTheKubeletTheDriverAndItsSocket) {
  TempDir dir;
  std::ostringstream logs;
  auto reg = PluginRegistration::start(config(dir), core::Logger("csi", {}, &logs));
  ASSERT_TRUE(reg.ok()) << reg.status().to_string();
  EXPECT_EQ((*reg)->socket_path(), dir.path().string() + "/fuse.csi.fluid.io-reg.sock");
  EXPECT_TRUE(fs::is_socket((*reg)->socket_path()));
  auto stub = kubelet_side((*reg)->socket_path());
  grpc::ClientContext ctx;
  pluginregistration::PluginInfo info;
  ASSERT_TRUE(stub->GetInfo(&ctx, pluginregistration::InfoRequest(), &info).ok());
  EXPECT_EQ(info.type(), "CSIPlugin");
  EXPECT_EQ(info.name(), "fuse.csi.fluid.io");
  EXPECT_EQ(info.endpoint(), "/var/lib/kubelet/plugins/fuse.csi.fluid.io/csi.sock");
  ASSERT_EQ(info.supported_versions_size(), 1);
  EXPECT_EQ(info.supported_versions(0), "1.0.0");
  EXPECT_FALSE((*reg)->outcome().notified);

  grpc::ClientContext ctx2;
  pluginregistration::RegistrationStatus ok;
  ok.set_plugin_registered(true);
  pluginregistration::RegistrationStatusResponse resp;
  ASSERT_TRUE(stub->NotifyRegistrationStatus(&ctx2, ok, &resp).ok());
  EXPECT_TRUE((*reg)->outcome().notified);
  EXPECT_TRUE((*reg)->outcome().registered);
  EXPECT_NE(logs.str().find("the kubelet registered fuse.csi.fluid.io"), std::string::npos);

  // Stopping removes the socket: the kubelet unregisters the driver.
  (*reg)->stop();
  EXPECT_FALSE(fs::exists(dir.path() / "fuse.csi.fluid.io-reg.sock"));
}

TEST(PluginRegistration, ARefusalIsRecordedAndLoggedWithTheKubeletsReason) {
  TempDir dir;
  std::ostringstream logs;
  auto reg = PluginRegistration::start(config(dir), core::Logger("csi", {}, &logs));
  ASSERT_TRUE(reg.ok());
  auto stub = kubelet_side((*reg)->socket_path());
  grpc::ClientContext ctx;
  pluginregistration::RegistrationStatus refused;
  refused.set_plugin_registered(false);
  refused.set_error("unsupported versions [0.3.0]");
  pluginregistration::RegistrationStatusResponse resp;
  ASSERT_TRUE(stub->NotifyRegistrationStatus(&ctx, refused, &resp).ok());
  EXPECT_FALSE((*reg)->outcome().registered);
  EXPECT_EQ((*reg)->outcome().error, "unsupported versions [0.3.0]");
  EXPECT_NE(logs.str().find("refused to register fuse.csi.fluid.io: unsupported versions"),
            std::string::npos);
}

TEST(PluginRegistration, AStaleSocketIsReplaced) {
  TempDir dir;
  // A plugin killed without stop() leaves its socket file behind.
  std::ofstream(dir.path() / "fuse.csi.fluid.io-reg.sock") << "stale";
  auto again = PluginRegistration::start(config(dir), core::Logger("csi", {}, nullptr));
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  grpc::ClientContext ctx;
  pluginregistration::PluginInfo info;
  EXPECT_TRUE(kubelet_side((*again)->socket_path())
                  ->GetInfo(&ctx, pluginregistration::InfoRequest(), &info)
                  .ok());
}

TEST(PluginRegistration, BadFlagsAreNamed) {
  TempDir dir;
  auto c = config(dir);
  c.registration_dir = "relative/dir";
  auto r = PluginRegistration::start(c, core::Logger("csi", {}, nullptr));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--registration-dir"), std::string::npos);
  c = config(dir);
  c.registration_dir = (dir.path() / "missing").string();
  r = PluginRegistration::start(c, core::Logger("csi", {}, nullptr));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no such folder"), std::string::npos);
  c = config(dir);
  c.endpoint = "csi.sock";
  r = PluginRegistration::start(c, core::Logger("csi", {}, nullptr));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--kubelet-registration-path"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::k8s
