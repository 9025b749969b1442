#include "slice_sessions.h"

#include <utility>

namespace aqueduct::fuse {

// One ReadSlices stream on its own completion queue, used by one thread at
// a time. Every operation started is waited for (bounded by a deadline, then
// by cancelling the call), so nothing is left pending when it is destroyed.
class SliceSessions::Session {
 public:
  Session(v1::CacheWorker::Stub& stub, const std::string& token) {
    if (!token.empty()) ctx_.AddMetadata("authorization", "Bearer " + token);
    // Corked: the call's metadata leaves with the first request, and the
    // start itself completes nothing (no tag to wait for).
    ctx_.set_initial_metadata_corked(true);
    rw_ = stub.PrepareAsyncReadSlices(&ctx_, &cq_);
    rw_->StartCall(nullptr);
  }

  ~Session() {
    // Operations still pending (a reply or a status that did not come in
    // time) complete once the call is cancelled.
    if (pending_ > 0 || !finished_) ctx_.TryCancel();
    drain();
    if (!finished_) {
      rw_->Finish(&finish_status_, tag(kFinish));
      ++pending_;
      drain();
    }
    cq_.Shutdown();
    void* t = nullptr;
    bool ok = false;
    while (cq_.Next(&t, &ok)) {
    }
  }

  grpc::Status exchange(const v1::SliceRequest& req, v1::SliceReply* reply,
                        std::chrono::system_clock::time_point deadline) {
    last_used_ = std::chrono::steady_clock::now();
    rw_->Write(req, tag(kWrite));
    rw_->Read(reply, tag(kRead));
    pending_ += 2;
    bool all_ok = true;
    while (pending_ > 0) {
      void* t = nullptr;
      bool ok = false;
      if (cq_.AsyncNext(&t, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) {
        return {grpc::StatusCode::DEADLINE_EXCEEDED, "no reply before the deadline"};
      }
      --pending_;
      all_ok = all_ok && ok;
    }
    if (all_ok) return grpc::Status::OK;
    // The stream ended: the worker's status says why. (A member: if it does
    // not come before the deadline, the destructor waits for it.)
    rw_->Finish(&finish_status_, tag(kFinish));
    ++pending_;
    finished_ = true;
    void* t = nullptr;
    bool ok = false;
    if (cq_.AsyncNext(&t, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) {
      return {grpc::StatusCode::DEADLINE_EXCEEDED, "the stream ended without a status"};
    }
    --pending_;
    return finish_status_.ok()
               ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "the worker ended the session")
               : finish_status_;
  }

  std::chrono::steady_clock::time_point last_used() const { return last_used_; }

 private:
  enum Tag : std::intptr_t { kWrite = 1, kRead, kFinish };
  static void* tag(Tag t) { return reinterpret_cast<void*>(static_cast<std::intptr_t>(t)); }
  // Waits for every pending operation (after a cancel they all complete).
  void drain() {
    while (pending_ > 0) {
      void* t = nullptr;
      bool ok = false;
      if (!cq_.Next(&t, &ok)) break;
      --pending_;
    }
  }

  grpc::ClientContext ctx_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<v1::SliceRequest, v1::SliceReply>> rw_;
  grpc::Status finish_status_;  // filled by Finish, which may complete in the destructor
  int pending_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_used_ = std::chrono::steady_clock::now();
};

SliceSessions::SliceSessions(v1::CacheWorker::Stub& stub, std::string address, std::string token,
                             std::chrono::milliseconds timeout)
    : stub_(stub), address_(std::move(address)), token_(std::move(token)), timeout_(timeout) {}

SliceSessions::~SliceSessions() = default;

std::unique_ptr<SliceSessions::Session> SliceSessions::take() {
  // An idle session the worker may have given up on is not reused: each one
  // holds a worker thread, so sessions idle this long are closed.
  constexpr auto kIdleLimit = std::chrono::seconds(30);
  std::vector<std::unique_ptr<Session>> stale;
  std::unique_ptr<Session> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    while (!idle_.empty()) {
      auto last = std::move(idle_.back());
      idle_.pop_back();
      if (now - last->last_used() < kIdleLimit) {
        s = std::move(last);
        break;
      }
      stale.push_back(std::move(last));
    }
  }
  if (!s) s = std::make_unique<Session>(stub_, token_);
  return s;  // `stale` closes outside the lock
}

void SliceSessions::give_back(std::unique_ptr<Session> s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(s));
  // else `s` closes when the parameter is destroyed, after the lock
}

grpc::Status SliceSessions::read(const v1::SliceRequest& req,
                                 std::optional<BlockStore::Block>* out) {
  auto s = take();
  v1::SliceReply reply;
  grpc::Status st = s->exchange(req, &reply, std::chrono::system_clock::now() + timeout_);
  if (!st.ok()) {
    // The session is dropped, and the idle ones with it: when one broke
    // (the worker restarted, the connection failed) they all did, and each
    // would cost a failed read.
    std::vector<std::unique_ptr<Session>> idle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle.swap(idle_);
    }
    return st;
  }
  give_back(std::move(s));
  if (!reply.found()) {
    out->reset();
    return grpc::Status::OK;
  }
  BlockStore::Block b;
  b.xxh64 = reply.xxh64();
  b.tier = reply.tier();
  b.data = std::move(*reply.mutable_data());
  *out = std::move(b);
  return grpc::Status::OK;
}

}  // namespace aqueduct::fuse
