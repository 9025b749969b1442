// Slice reads over a worker's data port (fuse/slice_frames.h): a pool of
// connections, each used by one caller at a time for one request and its
// reply, every read and write bounded by the client's timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/fuse/block_store.h"
#include "aqueduct/fuse/slice_frames.h"
#include "tcp_socket.h"

namespace aqueduct::fuse {

class DataPortClient {
 public:
  DataPortClient(std::string host, int port, std::string token, std::chrono::milliseconds timeout);
  // The slice (nullopt: not cached; the caller checks the checksum).
  // kUnavailable: no connection could be made or the port is busy (the
  // caller may use gRPC); kPermissionDenied: the token was refused;
  // kIo: the worker stalled or the connection broke; kInternal: the worker
  // broke the protocol; kInvalidArgument: it refused the request.
  core::Result<std::optional<BlockStore::Block>> read(const SliceRequestFrame& req);

 private:
  struct Conn {
    UniqueFd fd;
    std::unique_ptr<BufferedReader> in;
    std::chrono::steady_clock::time_point last_used;
  };
  core::Result<Conn> connect();
  std::string host_;
  int port_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  std::uint32_t max_length_ = 4 << 20;
  std::mutex mu_;
  std::vector<Conn> idle_;
  static constexpr std::size_t kMaxIdle = 8;
};

}  // namespace aqueduct::fuse
