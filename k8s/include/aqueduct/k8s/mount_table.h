// The node's mount table as /proc/self/mountinfo gives it, and the questions
// the CSI node plugin asks of it: is this path a mount point, which pods'
// volume mounts (under the kubelet's folder) use a volume, and which bind
// mounts still point at a FUSE mount that has since been replaced.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::k8s {

// One line of mountinfo (proc(5)); paths with their octal escapes decoded.
struct MountEntry {
  int id = 0;
  int parent = 0;
  unsigned major = 0, minor = 0;  // the file system's device: a new FUSE mount gets a new one
  std::string root;               // the subtree of the file system mounted here
  std::string mount_point;
  std::string options;  // per-mount options ("rw,nosuid,...")
  std::string fs_type;  // "fuse.juicefs", "tmpfs", ...
  std::string source;   // "JuiceFS:images", "/dev/sda1", ...
  bool read_only() const;
};

// Parses mountinfo text. A malformed line is an InvalidArgument naming its
// number and what was expected (mountinfo from the kernel never has one).
core::Result<std::vector<MountEntry>> parse_mountinfo(std::string_view text);
// Reads and parses /proc/self/mountinfo.
core::Result<std::vector<MountEntry>> read_mount_table();

// The topmost mount at `path` (the last one mounted there), or nullptr.
const MountEntry* find_mount(const std::vector<MountEntry>& table, const std::string& path);

// The kubelet publishes a CSI volume to pods at
// <kubelet_dir>/pods/<pod uid>/volumes/kubernetes.io~csi/<volume>/mount:
// the mount points there for `volume_id`.
std::vector<std::string> pod_mounts_of_volume(const std::vector<MountEntry>& table,
                                              const std::string& kubelet_dir,
                                              const std::string& volume_id);

}  // namespace aqueduct::k8s
