// Blocking TCP sockets for the worker's data port and its clients: an owned
// descriptor, listen/connect by host and port, and whole-buffer reads and
// writes that report failure instead of partial transfers.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::fuse {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (no host: every address) split in
// two; otherwise "`what` ADDRESS: expected HOST:PORT".
core::Result<std::pair<std::string, int>> split_host_port(const std::string& address,
                                                          const std::string& what);

// A listening socket on host:port (port 0: any free port); *bound gets the port.
core::Result<UniqueFd> tcp_listen(const std::string& host, int port, int* bound);
// A connected socket with TCP_NODELAY; every later read and write on it
// fails after `timeout` without progress.
core::Result<UniqueFd> tcp_connect(const std::string& host, int port,
                                   std::chrono::milliseconds timeout);
// Sets the per-read/write timeout (SO_RCVTIMEO/SO_SNDTIMEO) and TCP_NODELAY.
void tune_socket(int fd, std::chrono::milliseconds timeout);

// All `n` bytes, or false (end of stream, timeout, error).
bool read_full(int fd, char* out, std::size_t n);

// Reads a socket through a buffer, so a frame's header and body (and a
// small reply's data) arrive with one recv instead of one per part.
class BufferedReader {
 public:
  explicit BufferedReader(std::size_t capacity = 16 << 10) : buf_(capacity) {}
  // All `n` bytes into `out`, or false (end of stream, timeout, error).
  bool read(int fd, char* out, std::size_t n);
  // Whether bytes that were received have not been read yet.
  bool pending() const { return begin_ < end_; }

 private:
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
};
// All of the buffers, or false.
bool write_full(int fd, iovec* iov, int count);

}  // namespace aqueduct::fuse
