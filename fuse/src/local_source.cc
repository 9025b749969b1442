#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "source_impl.h"

namespace aqueduct::fuse {
namespace {

namespace fs = std::filesystem;

core::Status errno_status(const std::string& what, int err) {
  if (err == ENOENT || err == ENOTDIR) return core::not_found(what + ": no such file or directory");
  return core::io_error(what + ": " + std::strerror(err));
}

// Every path is resolved beneath the root's directory descriptor
// (openat2 with RESOLVE_BENEATH): a symlink or ".." that would leave the
// root is refused, one that stays inside is followed. Kernels without
// openat2 get a component-by-component walk that follows no symlink at all.
class LocalSource final : public Source {
 public:
  LocalSource(std::string root, int root_fd) : root_(std::move(root)), root_fd_(root_fd) {}
  ~LocalSource() override { ::close(root_fd_); }
  std::string uri() const override { return "local://" + root_; }

  core::Result<FileInfo> stat(const std::string& path) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    AQ_ASSIGN_OR_RETURN(int fd, open_beneath(path, O_PATH));
    struct stat st {};
    int rc = ::fstat(fd, &st);
    int err = errno;
    ::close(fd);
    if (rc != 0) return errno_status(uri() + path, err);
    return info(path == "/" ? "" : fs::path(path).filename().string(), st);
  }

  core::Result<std::vector<FileInfo>> list(const std::string& dir) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(dir));
    AQ_ASSIGN_OR_RETURN(int fd, open_beneath(dir, O_RDONLY | O_DIRECTORY));
    DIR* d = ::fdopendir(fd);
    if (!d) {
      int err = errno;
      ::close(fd);
      return errno_status(uri() + dir, err);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
    std::vector<FileInfo> out;
    for (const auto& n : names) {
      // Through the same resolution as a read: a link out of the root (or
      // one that vanished meanwhile) is not part of the dataset.
      auto f = stat(dir == "/" ? "/" + n : dir + "/" + n);
      if (!f.ok()) continue;
      if (f->is_dir || f->size >= 0) out.push_back(*f);
    }
    sort_by_name(out);
    return out;
  }

  core::Result<std::string> read(const std::string& path, std::int64_t offset,
                                 std::int64_t length) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    AQ_ASSIGN_OR_RETURN(int fd, open_beneath(path, O_RDONLY));
    std::string out(static_cast<std::size_t>(std::max<std::int64_t>(length, 0)), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
      ssize_t n = ::pread(fd, out.data() + got, out.size() - got, offset + static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return errno_status(uri() + path, err);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
  }

 private:
  core::Result<int> open_beneath(const std::string& path, int flags) {
    const std::string rel = path == "/" ? "." : path.substr(1);
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, root_fd_, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno == EXDEV || errno == ELOOP) return escapes(path);
    if (errno != ENOSYS) return errno_status(uri() + path, errno);
    return walk_without_links(path, flags);
  }

  // The fallback: one component at a time, refusing every symlink.
  core::Result<int> walk_without_links(const std::string& path, int flags) {
    int dir = ::dup(root_fd_);
    if (dir < 0) return errno_status(uri() + path, errno);
    std::size_t i = 1;
    while (i < path.size()) {
      std::size_t j = path.find('/', i);
      const bool last = j == std::string::npos;
      if (last) j = path.size();
      const std::string part = path.substr(i, j - i);
      int next = ::openat(dir, part.c_str(),
                          (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
      int err = errno;
      ::close(dir);
      if (next < 0) return err == ELOOP ? escapes(path) : errno_status(uri() + path, err);
      dir = next;
      i = j + 1;
    }
    if (path == "/" && (flags & O_DIRECTORY) == 0 && (flags & O_PATH) == 0) {
      ::close(dir);
      return errno_status(uri() + path, EISDIR);
    }
    return dir;
  }

  core::Status escapes(const std::string& path) const {
    return core::Status(core::StatusCode::kPermissionDenied,
                        uri() + path +
                            ": resolves outside the dataset root (a symlink or .. "
                            "leaving it is refused)");
  }

  static FileInfo info(std::string name, const struct stat& st) {
    FileInfo f;
    f.name = std::move(name);
    f.is_dir = S_ISDIR(st.st_mode);
    f.size = f.is_dir ? 0 : st.st_size;
    f.mtime_s = st.st_mtim.tv_sec;
    // The version a cached block is keyed by: a rewrite changes the size,
    // the modification time (ns) or, for a replaced file, the inode.
    f.version = std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
                std::to_string(st.st_mtim.tv_nsec) + "-" + std::to_string(st.st_ino);
    return f;
  }
  std::string root_;
  int root_fd_;
};

}  // namespace

core::Result<std::unique_ptr<Source>> open_local_source(const std::string& root) {
  struct stat st {};
  if (root.empty() || root[0] != '/') {
    return core::invalid_argument("local://" + root +
                                  ": expected an absolute path (local:///data)");
  }
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::not_found("local://" + root + ": not a directory");
  }
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  int fd = ::open(r.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("local://" + root, errno);
  return std::unique_ptr<Source>(new LocalSource(r == "/" ? "" : r, fd));
}

core::Status check_dataset_path(const std::string& path) {
  if (path.empty() || path[0] != '/')
    return core::invalid_argument("path \"" + path + "\": expected a /-rooted path");
  std::size_t i = 1;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "." || part == "..") {
      return core::invalid_argument("path \"" + path + "\": . and .. are not allowed");
    }
    i = j + 1;
  }
  return core::Status::ok();
}

}  // namespace aqueduct::fuse
