// The worker's data port: slice reads (fuse/slice_frames.h) over plain TCP,
// one thread per connection, at most `max_connections` at a time (more are
// told the port is busy and closed: their clients use gRPC). Connections
// idle for `idle_timeout` are closed. Not used with TLS (the port is plain).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/fuse/block_store.h"
#include "tcp_socket.h"

namespace aqueduct::fuse {

class DataPort {
 public:
  struct Options {
    std::string host;   // where to listen
    int port = 0;       // 0: any free port
    std::string token;  // the worker's shared secret; empty: none
    std::uint32_t max_length = 4 << 20;
    int max_connections = 128;
    std::chrono::milliseconds idle_timeout{120000};
  };
  using Observe = std::function<void(std::chrono::nanoseconds)>;  // time to serve a read

  static core::Result<std::unique_ptr<DataPort>> start(Options options, BlockStore& store,
                                                       Observe observe);
  ~DataPort();
  int port() const { return port_; }
  std::uint64_t reads() const { return reads_.load(); }  // slice requests answered
  void stop();  // closes every connection and joins their threads; idempotent

 private:
  DataPort(Options options, BlockStore& store, Observe observe)
      : opt_(std::move(options)), store_(store), observe_(std::move(observe)) {}
  void accept_loop();
  void serve(int fd);
  bool hello(int fd, BufferedReader& in);
  void reap();  // joins threads of closed connections

  Options opt_;
  BlockStore& store_;
  Observe observe_;
  UniqueFd listen_;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  bool stopping_ = false;
  std::map<int, std::thread> conns_;  // by descriptor
  std::vector<int> done_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> reads_{0};
};

}  // namespace aqueduct::fuse
