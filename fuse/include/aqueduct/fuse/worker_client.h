// A client of one cache worker with per-call deadlines: the FUSE mount and
// `aqueduct load` use it; every failure is a Status (never an exception), so
// callers can fall back to the source.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/fuse/block_store.h"
#include "aqueduct/fuse/worker_tls.h"

namespace aqueduct::fuse {

class DataPortClient;

struct BlockRef {
  std::string dataset, path;
  std::uint64_t index = 0;
  std::string version;  // the source file's version (FileInfo::version)
};

class WorkerClient {
 public:
  // `token`: the worker's shared secret (WorkerConfig::auth_token), sent with
  // every call; empty: none. `tls`: connect with mutual TLS (the worker's
  // WorkerConfig::tls); nullopt: plain TCP.
  explicit WorkerClient(const std::string& address,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(2000),
                        std::string token = "", std::optional<WorkerTls> tls = std::nullopt);
  ~WorkerClient();
  // nullopt: not cached. Unavailable/DeadlineExceeded-style errors as Status.
  core::Result<std::optional<BlockStore::Block>> get(const BlockRef& id);
  // `length` bytes of the block from `offset` (fewer at its end); checksummed.
  // Slices go over the worker's data port when it has one, else over a
  // ReadSlices session, else Get.
  core::Result<std::optional<BlockStore::Block>> get_range(const BlockRef& id, std::uint64_t offset,
                                                           std::uint64_t length);
  core::Status put(const BlockRef& id, const std::string& data);
  core::Result<std::vector<bool>> has(const std::vector<BlockRef>& ids);
  core::Result<BlockStoreStats> stats();
  core::Status health();
  // The node the worker runs on (HealthReply.host_id).
  core::Result<std::string> host_id();
  // Where the worker keeps a block as a file (short-circuit reads); nullopt:
  // not held as a file, and then `cached` (if given) says whether it is held
  // at all.
  core::Result<std::optional<BlockStore::Location>> locate(const BlockRef& id,
                                                           bool* cached = nullptr);
  const std::string& address() const { return address_; }

 private:
  struct Impl;
  // The worker's data port client, or null (none, TLS, or skipped for now).
  std::shared_ptr<DataPortClient> data_port(std::int64_t now);
  void forget_data_port();  // asks Health for the port again next time
  std::string address_;
  std::unique_ptr<Impl> impl_;
};

// This node's identity: the kernel's boot id, the same in every container on
// a node. Empty when /proc is not readable.
std::string local_host_id();

// The name a BlockRef is stored under in a worker's BlockStore.
std::string block_name(const BlockRef& id);
// Which worker owns a block is decided by (dataset, path, index) alone: a new
// version of a file keeps its blocks' owners.
std::string placement_name(const BlockRef& id);

}  // namespace aqueduct::fuse
