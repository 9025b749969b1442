#include "aqueduct/k8s/mount_table.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace aqueduct::k8s {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool octal = true;
      for (std::size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') {
          octal = false;
          break;
        }
        v = v * 8 + (c - '0');
      }
      if (octal && v < 256) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename T>
bool to_number(std::string_view s, T& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool has_prefix_dir(const std::string& path, const std::string& dir) {
  if (dir.empty()) return true;
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return path.size() > d.size() && path.compare(0, d.size(), d) == 0 && path[d.size()] == '/';
}

}  // namespace

bool MountEntry::read_only() const {
  std::stringstream ss(options);
  for (std::string o; std::getline(ss, o, ',');)
    if (o == "ro") return true;
  return false;
}

core::Result<std::vector<MountEntry>> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    auto bad = [&](const std::string& what) {
      return core::invalid_argument("mountinfo line " + std::to_string(line_no) + ": " + what);
    };
    auto f = split_spaces(line);
    // id parent major:minor root mount-point options [optional...] - fstype source super
    std::size_t sep = 6;
    while (sep < f.size() && f[sep] != "-") ++sep;
    if (f.size() < 7 || sep + 2 >= f.size())
      return bad(
          "expected \"ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [FIELDS] - TYPE "
          "SOURCE SUPER-OPTIONS\"");
    MountEntry e;
    if (!to_number(f[0], e.id) || !to_number(f[1], e.parent))
      return bad("mount ID and parent ID must be integers, got \"" + std::string(f[0]) + " " +
                 std::string(f[1]) + "\"");
    auto colon = f[2].find(':');
    if (colon == std::string_view::npos || !to_number(f[2].substr(0, colon), e.major) ||
        !to_number(f[2].substr(colon + 1), e.minor))
      return bad("device must be MAJOR:MINOR, got \"" + std::string(f[2]) + "\"");
    e.root = unescape(f[3]);
    e.mount_point = unescape(f[4]);
    e.options = std::string(f[5]);
    e.fs_type = unescape(f[sep + 1]);
    e.source = unescape(f[sep + 2]);
    out.push_back(std::move(e));
  }
  return out;
}

core::Result<std::vector<MountEntry>> read_mount_table() {
  std::ifstream in("/proc/self/mountinfo", std::ios::binary);
  if (!in) return core::io_error("/proc/self/mountinfo: cannot be read");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return parse_mountinfo(text);
}

const MountEntry* find_mount(const std::vector<MountEntry>& table, const std::string& path) {
  const MountEntry* found = nullptr;
  for (const auto& e : table)
    if (e.mount_point == path) found = &e;
  return found;
}

std::vector<std::string> pod_mounts_of_volume(const std::vector<MountEntry>& table,
                                              const std::string& kubelet_dir,
                                              const std::string& volume_id) {
  const std::string tail = "/volumes/kubernetes.io~csi/" + volume_id + "/mount";
  std::vector<std::string> out;
  for (const auto& e : table) {
    const auto& p = e.mount_point;
    if (!has_prefix_dir(p, kubelet_dir + "/pods")) continue;
    if (p.size() >= tail.size() && p.compare(p.size() - tail.size(), tail.size(), tail) == 0) {
      if (out.empty() || out.back() != p) out.push_back(p);
    }
  }
  return out;
}

}  // namespace aqueduct::k8s
