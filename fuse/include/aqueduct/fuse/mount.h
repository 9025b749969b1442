// `aqueduct fuse mount`: a read-only libfuse3 file system over a
// DatasetReader. Writes are refused with EROFS (and a log line). The mount
// ends cleanly on SIGTERM/SIGINT, or when the --exit-when-done file appears
// (the serverless sidecar's end: the app container touches it when done).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/fuse/dataset_reader.h"

namespace aqueduct::fuse {

struct MountConfig {
  core::Logger log;                  // refused writes, recovery, unmounting (component "fuse")
  std::string source;                // local:///... or http(s)://...
  std::vector<std::string> workers;  // HOST:PORT of cache workers
  std::string mountpoint;
  ReaderOptions reader;
  std::string exit_when_done;  // a file whose appearance unmounts and exits
  bool recover = false;        // first clear a dead mount at the mountpoint (ENOTCONN)
  bool allow_other = false;    // let other users (the app container) read the mount
  int max_threads = 16;
  // HOST:PORT for GET /metrics (reader_metrics_text) while mounted; empty: none.
  std::string metrics_listen;
};

// Mounts, serves until unmounted / signalled / exit_when_done, then unmounts.
// `on_ready` runs once the mount is live (tests wait for it).
core::Status run_mount(const MountConfig& config, const std::function<void()>& on_ready = {});

// Whether `path` is a FUSE mount whose server is gone ("Transport endpoint
// is not connected").
bool is_dead_mount(const std::string& path);
// `fusermount3 -u -z path`; returns whether it succeeded.
bool lazy_unmount(const std::string& path);

}  // namespace aqueduct::fuse
