// Long-lived ReadSlices streams to one worker, kept in a pool: a random read
// takes an idle session, sends one SliceRequest, waits for its SliceReply
// (with the client's per-call deadline) and gives the session back. A small
// read then costs one message each way, not a call's set-up and teardown.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include "aqueduct/fuse/block_store.h"

#include "cache_worker.grpc.pb.h"

namespace aqueduct::fuse {

namespace v1 = aqueduct::v1;

class SliceSessions {
 public:
  SliceSessions(v1::CacheWorker::Stub& stub, std::string address, std::string token,
                std::chrono::milliseconds timeout);
  ~SliceSessions();

  // Fills *out with the slice as the worker sent it (nullopt: not cached;
  // the caller checks the checksum). A failed status drops the session;
  // UNIMPLEMENTED or RESOURCE_EXHAUSTED mean the worker serves no (more)
  // sessions and the caller should use Get.
  grpc::Status read(const v1::SliceRequest& req, std::optional<BlockStore::Block>* out);

 private:
  class Session;
  std::unique_ptr<Session> take();
  void give_back(std::unique_ptr<Session> s);

  v1::CacheWorker::Stub& stub_;
  std::string address_, token_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Session>> idle_;
  static constexpr std::size_t kMaxIdle = 8;
};

}  // namespace aqueduct::fuse
