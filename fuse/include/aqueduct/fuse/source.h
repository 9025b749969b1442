// Where a dataset's bytes come from: a local or NFS folder (local:///data) or
// objects over HTTP(S) read with Range requests (http://host:port/prefix,
// listings from nginx-style JSON autoindex). Read-only; thread-safe. A local
// source resolves every path beneath its root: symlinks or ".." leading out
// of it are refused (PermissionDenied).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::fuse {

struct FileInfo {
  std::string name;  // the last path component ("" for the root)
  bool is_dir = false;
  std::int64_t size = 0;
  std::int64_t mtime_s = 0;  // seconds since the epoch
  // Changes whenever the content may have: "size-mtime.ns-inode" for local
  // files, the ETag (or size and Last-Modified) over HTTP. Cached blocks are
  // keyed by it, so a changed file is never served from old blocks.
  std::string version;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string uri() const = 0;
  // `path` is "/"-rooted inside the dataset ("/", "/train/0001.jpg").
  // NotFound for a missing path; Unavailable for transport errors.
  virtual core::Result<FileInfo> stat(const std::string& path) = 0;
  virtual core::Result<std::vector<FileInfo>> list(const std::string& dir) = 0;
  // Up to `length` bytes at `offset` (fewer at the end of the file).
  virtual core::Result<std::string> read(const std::string& path, std::int64_t offset,
                                         std::int64_t length) = 0;
};

// "local:///abs/path", "http://host[:port]/prefix" or "https://...". Errors
// name the URI and what was expected.
core::Result<std::unique_ptr<Source>> open_source(const std::string& uri);

// Rejects paths that are not "/"-rooted or that contain "." / ".." components.
core::Status check_dataset_path(const std::string& path);

}  // namespace aqueduct::fuse
