// The mountinfo parser and the questions the CSI node plugin asks of it;
// the path checks of NodePublishVolume. No privilege needed.
#include <gtest/gtest.h>

#include "aqueduct/k8s/csi_node.h"
#include "aqueduct/k8s/csi_server.h"
#include "aqueduct/k8s/mount_table.h"

namespace aqueduct::k8s {
namespace {

constexpr const char* kTable =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "30 22 0:50 / /runtime-mnt/juicefs/default/images/juicefs-fuse rw,nosuid,nodev "
    "shared:20 - fuse.juicefs JuiceFS:images rw,user_id=0,group_id=0\n"
    "31 22 0:50 /train /var/lib/kubelet/pods/u1/volumes/kubernetes.io~csi/default-images/mount "
    "ro,relatime shared:20 - fuse.juicefs JuiceFS:images rw\n"
    "32 22 0:51 / /var/lib/kubelet/pods/u2/volumes/kubernetes.io~csi/default-images/mount "
    "rw master:3 - fuse.juicefs JuiceFS:images rw\n"
    "33 22 0:52 / /var/lib/kubelet/pods/u3/volumes/kubernetes.io~csi/default-other/mount rw - "
    "tmpfs tmpfs rw\n"
    "34 22 0:53 / /mnt/with\\040space\\134x rw - tmpfs none rw\n"
    "35 22 0:54 / /runtime-mnt/juicefs/default/images/juicefs-fuse rw - fuse.juicefs "
    "JuiceFS:images "
    "rw\n";

TEST(MountTable, ParsesKernelLinesWithOptionalFieldsAndEscapes) {
  auto t = parse_mountinfo(kTable);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  ASSERT_EQ(t->size(), 7u);
  const auto& fuse = (*t)[1];
  EXPECT_EQ(fuse.id, 30);
  EXPECT_EQ(fuse.parent, 22);
  EXPECT_EQ(fuse.major, 0u);
  EXPECT_EQ(fuse.minor, 50u);
  EXPECT_EQ(fuse.root, "/");
  EXPECT_EQ(fuse.fs_type, "fuse.juicefs");
  EXPECT_EQ(fuse.source, "JuiceFS:images");
  EXPECT_FALSE(fuse.read_only());
  EXPECT_EQ((*t)[2].root, "/train");
  EXPECT_TRUE((*t)[2].read_only());
  EXPECT_EQ((*t)[5].mount_point, "/mnt/with space\\x");
  EXPECT_EQ((*t)[4].fs_type, "tmpfs");  // no optional fields
}

TEST(MountTable, RejectsMalformedLinesNamingTheLine) {
  auto short_line = parse_mountinfo("22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n30 22 0:5 /\n");
  ASSERT_FALSE(short_line.ok());
  EXPECT_NE(short_line.status().message().find("line 2"), std::string::npos)
      << short_line.status().message();
  auto bad_dev = parse_mountinfo("22 1 8-1 / / rw - ext4 /dev/sda1 rw\n");
  ASSERT_FALSE(bad_dev.ok());
  EXPECT_NE(bad_dev.status().message().find("MAJOR:MINOR"), std::string::npos);
  auto bad_id = parse_mountinfo("x 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.status().message().find("line 1"), std::string::npos);
  auto no_sep = parse_mountinfo("22 1 8:1 / / rw shared:1 ext4 /dev/sda1 rw\n");
  EXPECT_FALSE(no_sep.ok());
  EXPECT_TRUE(parse_mountinfo("").ok());
}

TEST(MountTable, FindsTheTopmostMountAndThePodsUsingAVolume) {
  auto t = parse_mountinfo(kTable);
  ASSERT_TRUE(t.ok());
  const MountEntry* top = find_mount(*t, "/runtime-mnt/juicefs/default/images/juicefs-fuse");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->id, 35) << "the last mount at a path is the one in use";
  EXPECT_EQ(find_mount(*t, "/nowhere"), nullptr);
  auto users = pod_mounts_of_volume(*t, "/var/lib/kubelet", "default-images");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0], "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~csi/default-images/mount");
  EXPECT_TRUE(pod_mounts_of_volume(*t, "/var/lib/kubelet", "default-none").empty());
  EXPECT_TRUE(pod_mounts_of_volume(*t, "/other/kubelet", "default-images").empty());
  // "default-images" must not match a volume whose name only ends the same.
  EXPECT_TRUE(pod_mounts_of_volume(*t, "/var/lib/kubelet", "images").empty());
}

TEST(CsiPaths, SubPathsMustStayInsideTheDataset) {
  EXPECT_TRUE(check_sub_path("").is_ok());
  EXPECT_TRUE(check_sub_path("train/part-1").is_ok());
  EXPECT_TRUE(check_sub_path("a..b").is_ok());
  for (const char* bad : {"../etc", "a/../../etc", "/etc", ".."}) {
    auto s = check_sub_path(bad);
    EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("fluid_sub_path"), std::string::npos) << s.message();
  }
  EXPECT_FALSE(check_sub_path(std::string("a\0b", 3)).is_ok());
}

TEST(CsiPaths, TargetsAreAbsoluteAndPlain) {
  EXPECT_TRUE(
      check_target_path("/var/lib/kubelet/pods/u/volumes/kubernetes.io~csi/v/mount").is_ok());
  for (const char* bad : {"", "relative/mount", "/var/../etc", "/var/./x"})
    EXPECT_EQ(check_target_path(bad).code(), core::StatusCode::kInvalidArgument) << bad;
}

TEST(CsiPaths, EndpointsAreUnixSockets) {
  EXPECT_EQ(*csi_socket_path("unix:///csi/csi.sock"), "/csi/csi.sock");
  EXPECT_EQ(*csi_socket_path("/plugins/csi.sock"), "/plugins/csi.sock");
  auto tcp = csi_socket_path("tcp://127.0.0.1:10000");
  ASSERT_FALSE(tcp.ok());
  EXPECT_NE(tcp.status().message().find("unix:///"), std::string::npos);
  EXPECT_FALSE(csi_socket_path("unix://relative.sock").ok());
}

}  // namespace
}  // namespace aqueduct::k8s
