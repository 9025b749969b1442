#include <fcntl.h>
#include <sys/stat.h>
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

class LocalSource final : public Source {
 public:
  explicit LocalSource(std::string root) : root_(std::move(root)) {}
  std::string uri() const override { return "local://" + root_; }

  core::Result<FileInfo> stat(const std::string& path) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    struct stat st {};
    std::string full = root_ + (path == "/" ? "" : path);
    if (::stat(full.c_str(), &st) != 0) return errno_status(uri() + path, errno);
    return info(path == "/" ? "" : fs::path(path).filename().string(), st);
  }

  core::Result<std::vector<FileInfo>> list(const std::string& dir) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(dir));
    std::string full = root_ + (dir == "/" ? "" : dir);
    std::error_code ec;
    fs::directory_iterator it(full, ec);
    if (ec) return errno_status(uri() + dir, ec.value());
    std::vector<FileInfo> out;
    for (const auto& e : it) {
      struct stat st {};
      if (::stat(e.path().c_str(), &st) != 0) continue;  // vanished meanwhile
      if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) continue;
      out.push_back(info(e.path().filename().string(), st));
    }
    std::sort(out.begin(), out.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
    return out;
  }

  core::Result<std::string> read(const std::string& path, std::int64_t offset,
                                 std::int64_t length) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    std::string full = root_ + path;
    int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status(uri() + path, errno);
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
  static FileInfo info(std::string name, const struct stat& st) {
    FileInfo f;
    f.name = std::move(name);
    f.is_dir = S_ISDIR(st.st_mode);
    f.size = f.is_dir ? 0 : st.st_size;
    f.mtime_s = st.st_mtim.tv_sec;
    return f;
  }
  std::string root_;
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
  return std::unique_ptr<Source>(new LocalSource(r == "/" ? "" : r));
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
