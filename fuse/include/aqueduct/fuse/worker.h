// `aqueduct worker`: a cache worker serving BlockStore over gRPC
// (proto/cache_worker.proto) and its metrics in Prometheus text format over
// HTTP (GET /metrics): hits, misses, bytes served, used/capacity per tier,
// a latency histogram of Get.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/fuse/block_store.h"
#include "aqueduct/fuse/worker_tls.h"

namespace aqueduct::fuse {

struct WorkerConfig {
  std::string listen = "127.0.0.1:0";  // gRPC HOST:PORT (port 0: any free port)
  std::vector<TierConfig> tiers;
  std::string eviction = "lru";
  std::string metrics_listen;  // HOST:PORT for /metrics; empty: none
  std::int64_t max_block_bytes = 64LL << 20;
  // Get streams blocks in chunks of this size; a block that fits in one goes
  // out as one message, without copying its bytes.
  std::size_t chunk_bytes = 4 << 20;
  // Open ReadSlices sessions (random reads) at most; each holds a server
  // thread. Clients beyond it are told to use Get.
  int max_slice_sessions = 128;
  // The data port for small reads (docs/data-plane.md): "" listens on the
  // host of `listen`, any free port; "HOST:PORT" there; "off" none. Always
  // off with `tls` (the port is plain TCP). Health reports its port.
  std::string data_listen;
  std::string host_id;  // what Health reports as the node; empty: local_host_id()
  // A shared secret every call but Health must carry ("authorization: Bearer
  // TOKEN"); calls without it get UNAUTHENTICATED. Empty: no check (anyone
  // who reaches the port may read and write blocks).
  std::string auth_token;
  // Mutual TLS: serve over TLS with tls->cert_pem and require every client to
  // present a certificate signed by tls->ca_cert_pem (handshakes without one
  // fail). nullopt: plain TCP.
  std::optional<WorkerTls> tls;
};

class Worker {
 public:
  // Builds the store and starts serving; errors name the tier or address.
  static core::Result<std::unique_ptr<Worker>> start(WorkerConfig config);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int port() const;
  int metrics_port() const;  // 0 without metrics
  int data_port() const;     // 0 without a data port
  BlockStore& store();
  std::string metrics_text() const;  // what GET /metrics answers
  void stop();                       // stops both servers; idempotent
  void wait();                       // until stop()

 private:
  struct Impl;
  explicit Worker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aqueduct::fuse
