#define FUSE_USE_VERSION 35
#include "aqueduct/fuse/mount.h"

#include <fuse.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "aqueduct/fuse/metrics_server.h"

namespace aqueduct::fuse {
namespace {

struct MountState {
  DatasetReader* reader = nullptr;
  const core::Logger* log = nullptr;
  double ttl_s = 5;
};

DatasetReader& reader() {
  return *static_cast<MountState*>(fuse_get_context()->private_data)->reader;
}

int to_errno(const core::Status& st) {
  switch (st.code()) {
    case core::StatusCode::kPermissionDenied:
      return -EACCES;
    case core::StatusCode::kNotFound:
      return -ENOENT;
    case core::StatusCode::kInvalidArgument:
      return -EINVAL;
    default:
      return -EIO;
  }
}

void fill_stat(const FileInfo& f, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_mode = f.is_dir ? (S_IFDIR | 0555) : (S_IFREG | 0444);
  st->st_nlink = f.is_dir ? 2 : 1;
  st->st_size = f.size;
  st->st_mtime = static_cast<time_t>(f.mtime_s);
  st->st_blksize = 1 << 20;
  st->st_blocks = (f.size + 511) / 512;
}

int op_getattr(const char* path, struct stat* st, struct fuse_file_info*) {
  auto info = reader().stat(path);
  if (!info.ok()) return to_errno(info.status());
  fill_stat(*info, st);
  return 0;
}

int op_readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t, struct fuse_file_info*,
               enum fuse_readdir_flags) {
  auto entries = reader().list(path);
  if (!entries.ok()) return to_errno(entries.status());
  fill(buf, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  fill(buf, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  for (const auto& e : *entries) {
    struct stat st;
    fill_stat(e, &st);
    if (fill(buf, e.name.c_str(), &st, 0, static_cast<fuse_fill_dir_flags>(0))) break;
  }
  return 0;
}

int refuse(const char* what, const char* path) {
  const auto* state = static_cast<MountState*>(fuse_get_context()->private_data);
  state->log->info(std::string("refused ") + what + " on " + path + ": the mount is read-only");
  return -EROFS;
}

int op_open(const char* path, struct fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
    return refuse("open for writing", path);
  auto info = reader().stat(path);
  if (!info.ok()) return to_errno(info.status());
  if (info->is_dir) return -EISDIR;
  fi->keep_cache = 1;  // the data is immutable: keep the kernel's page cache across opens
  return 0;
}

int op_read(const char* path, char* buf, size_t size, off_t off, struct fuse_file_info*) {
  auto n = reader().read(path, off, size, buf);
  if (!n.ok()) return to_errno(n.status());
  return static_cast<int>(*n);
}

int op_statfs(const char*, struct statvfs* st) {
  std::memset(st, 0, sizeof *st);
  st->f_bsize = 1 << 20;
  st->f_namemax = 255;
  st->f_flag = ST_RDONLY;
  return 0;
}

int op_write(const char* p, const char*, size_t, off_t, struct fuse_file_info*) {
  return refuse("write", p);
}
int op_create(const char* p, mode_t, struct fuse_file_info*) { return refuse("create", p); }
int op_mkdir(const char* p, mode_t) { return refuse("mkdir", p); }
int op_unlink(const char* p) { return refuse("unlink", p); }
int op_rmdir(const char* p) { return refuse("rmdir", p); }
int op_rename(const char* p, const char*, unsigned int) { return refuse("rename", p); }
int op_truncate(const char* p, off_t, struct fuse_file_info*) { return refuse("truncate", p); }
int op_chmod(const char* p, mode_t, struct fuse_file_info*) { return refuse("chmod", p); }
int op_chown(const char* p, uid_t, gid_t, struct fuse_file_info*) { return refuse("chown", p); }
int op_utimens(const char* p, const struct timespec*, struct fuse_file_info*) {
  return refuse("utimens", p);
}
int op_symlink(const char*, const char* p) { return refuse("symlink", p); }
int op_link(const char*, const char* p) { return refuse("link", p); }

void* op_init(struct fuse_conn_info* conn, struct fuse_config* cfg) {
  auto* state = static_cast<MountState*>(fuse_get_context()->private_data);
  // The kernel's own readahead stays small (128 KiB): a 4 KiB random read must
  // not become megabytes of reads. Sequential streams are read ahead here, in
  // whole blocks (DatasetReader's readahead).
  conn->max_readahead = 128u << 10;
  cfg->kernel_cache = 1;
  cfg->entry_timeout = state->ttl_s;
  cfg->attr_timeout = state->ttl_s;
  cfg->negative_timeout = state->ttl_s;
  return state;
}

}  // namespace

bool is_dead_mount(const std::string& path) {
  // statfs always reaches the FUSE server (stat may be answered from the
  // kernel's attribute cache even after the server died).
  struct statvfs st;
  return ::statvfs(path.c_str(), &st) != 0 && errno == ENOTCONN;
}

bool lazy_unmount(const std::string& path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("fusermount3", "fusermount3", "-u", "-z", path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

core::Status run_mount(const MountConfig& config, const std::function<void()>& on_ready) {
  if (config.mountpoint.empty()) return core::invalid_argument("MOUNTPOINT: required");
  if (config.recover && is_dead_mount(config.mountpoint)) {
    config.log.warn(config.mountpoint + " is a dead mount; clearing it");
    if (!lazy_unmount(config.mountpoint)) {
      return core::io_error(config.mountpoint +
                            ": cannot clear the dead mount (fusermount3 -u -z failed)");
    }
  }
  struct stat st;
  if (::stat(config.mountpoint.c_str(), &st) != 0 && errno == ENOENT) {
    // A FUSE container's mount point sits below a hostPath volume that the
    // kubelet creates; the mount point itself is ours to create.
    std::error_code ec;
    std::filesystem::create_directories(config.mountpoint, ec);
    if (ec) {
      return core::io_error("MOUNTPOINT " + config.mountpoint +
                            ": cannot create it: " + ec.message());
    }
    config.log.info("created the mount point " + config.mountpoint);
  }
  if (::stat(config.mountpoint.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::not_found("MOUNTPOINT " + config.mountpoint + ": not a directory" +
                           (errno == ENOTCONN ? " (a dead mount: use --recover)" : ""));
  }
  AQ_ASSIGN_OR_RETURN(auto source, open_source(config.source));
  AQ_ASSIGN_OR_RETURN(auto rd,
                      DatasetReader::create(std::move(source), config.workers, config.reader));
  // The root must be readable before we claim the mount point.
  auto root = rd->stat("/");
  if (!root.ok()) return root.status().with_context("--source " + config.source);

  std::unique_ptr<MetricsServer> metrics;
  if (!config.metrics_listen.empty()) {
    DatasetReader* reader = rd.get();
    AQ_ASSIGN_OR_RETURN(
        metrics, MetricsServer::start("--metrics-listen", config.metrics_listen,
                                      [reader] { return reader_metrics_text(reader->stats()); }));
    config.log.info("serving GET /metrics on port " + std::to_string(metrics->port()));
  }
  MountState state{rd.get(), &config.log,
                   std::chrono::duration<double>(config.reader.meta_ttl).count()};
  struct fuse_operations ops;
  std::memset(&ops, 0, sizeof ops);
  ops.init = op_init;
  ops.getattr = op_getattr;
  ops.readdir = op_readdir;
  ops.open = op_open;
  ops.read = op_read;
  ops.statfs = op_statfs;
  ops.write = op_write;
  ops.create = op_create;
  ops.mkdir = op_mkdir;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.truncate = op_truncate;
  ops.chmod = op_chmod;
  ops.chown = op_chown;
  ops.utimens = op_utimens;
  ops.symlink = op_symlink;
  ops.link = op_link;

  // Not "-o ro": write attempts reach the handlers above, which log them.
  std::vector<std::string> argv_s = {"aqueduct-fuse", "-o", "fsname=aqueduct,subtype=aqueduct"};
  if (config.allow_other) argv_s.insert(argv_s.end(), {"-o", "allow_other"});
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  struct fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  struct fuse* f = fuse_new(&args, &ops, sizeof ops, &state);
  if (!f) return core::internal_error("fuse_new failed (bad options?)");
  if (fuse_mount(f, config.mountpoint.c_str()) != 0) {
    fuse_destroy(f);
    return core::Status(core::StatusCode::kFailedPrecondition,
                        "cannot mount " + config.mountpoint +
                            " (is /dev/fuse there, and may this user mount? root or fuse group)");
  }
  struct fuse_session* se = fuse_get_session(f);
  fuse_set_signal_handlers(se);
  std::atomic<bool> done{false};
  std::thread watcher;
  if (!config.exit_when_done.empty()) {
    watcher = std::thread([&] {
      while (!done) {
        struct stat s;
        if (::stat(config.exit_when_done.c_str(), &s) == 0) {
          config.log.info(config.exit_when_done + " appeared: unmounting");
          fuse_exit(f);
          lazy_unmount(config.mountpoint);  // wakes the loop
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  if (on_ready) on_ready();
  struct fuse_loop_config loop;
  std::memset(&loop, 0, sizeof loop);
  loop.clone_fd = 0;
  loop.max_idle_threads = static_cast<unsigned>(std::max(1, config.max_threads));
  int rc = fuse_loop_mt(f, &loop);
  done = true;
  if (watcher.joinable()) watcher.join();
  fuse_remove_signal_handlers(se);
  if (metrics) metrics->stop();
  fuse_unmount(f);
  fuse_destroy(f);
  fuse_opt_free_args(&args);
  if (rc != 0 && rc != SIGTERM && rc != SIGINT && rc != SIGHUP) {
    return core::io_error("the FUSE loop ended with " + std::to_string(rc));
  }
  return core::Status::ok();
}

}  // namespace aqueduct::fuse
