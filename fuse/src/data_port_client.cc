#include "data_port_client.h"

#include <cerrno>

namespace aqueduct::fuse {
namespace {

std::string where(const std::string& host, int port) {
  return "data port " + host + ":" + std::to_string(port);
}

}  // namespace

DataPortClient::DataPortClient(std::string host, int port, std::string token,
                               std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), token_(std::move(token)), timeout_(timeout) {}

core::Result<DataPortClient::Conn> DataPortClient::connect() {
  AQ_ASSIGN_OR_RETURN(UniqueFd fd, tcp_connect(host_, port_, timeout_));
  std::string hello = encode_hello(token_);
  iovec iov{hello.data(), hello.size()};
  std::string head(kSliceReplyHeaderBytes, '\0');
  // Room for a reply header and the largest slice usually asked for, so
  // that one recv takes a whole reply.
  auto in = std::make_unique<BufferedReader>(kSliceReplyHeaderBytes + (128 << 10));
  if (!write_full(fd.get(), &iov, 1) || !in->read(fd.get(), head.data(), head.size())) {
    return core::Status(core::StatusCode::kUnavailable,
                        where(host_, port_) + ": no answer to the hello");
  }
  auto h = decode_slice_reply_header(head, 0);
  if (!h.ok()) {
    return core::Status(core::StatusCode::kUnavailable,
                        where(host_, port_) + ": " + h.status().message());
  }
  if (h->status == SliceStatus::kError || h->status == SliceStatus::kBusy) {
    std::string why(h->length, '\0');
    in->read(fd.get(), why.data(), why.size());
    // A full port is a busy worker (use gRPC); anything else is a refusal.
    return core::Status(h->status == SliceStatus::kBusy ? core::StatusCode::kUnavailable
                                                        : core::StatusCode::kPermissionDenied,
                        where(host_, port_) + ": " + why);
  }
  return Conn{std::move(fd), std::move(in), std::chrono::steady_clock::now()};
}

core::Result<std::optional<BlockStore::Block>> DataPortClient::read(const SliceRequestFrame& req) {
  // Connections idle longer than this may have been closed by the worker.
  constexpr auto kIdleLimit = std::chrono::seconds(60);
  Conn conn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    while (!idle_.empty() && !conn.fd) {
      if (now - idle_.back().last_used < kIdleLimit) conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!conn.fd) {
    AQ_ASSIGN_OR_RETURN(conn, connect());
  }
  std::string frame = encode_slice_request(req);
  iovec iov{frame.data(), frame.size()};
  std::string head(kSliceReplyHeaderBytes, '\0');
  if (!write_full(conn.fd.get(), &iov, 1) ||
      !conn.in->read(conn.fd.get(), head.data(), head.size())) {
    const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
    return core::Status(
        core::StatusCode::kIo,
        where(host_, port_) + (timed_out
                                   ? ": no reply within " + std::to_string(timeout_.count()) + " ms"
                                   : ": the connection broke"));
  }
  auto h = decode_slice_reply_header(head, max_length_);
  if (!h.ok())
    return core::Status(core::StatusCode::kInternal,
                        where(host_, port_) + ": " + h.status().message());
  std::string body(h->length, '\0');
  if (!conn.in->read(conn.fd.get(), body.data(), body.size())) {
    return core::Status(core::StatusCode::kIo, where(host_, port_) + ": the reply was cut short");
  }
  if (h->status == SliceStatus::kError || h->status == SliceStatus::kBusy) {
    return core::Status(core::StatusCode::kInvalidArgument, where(host_, port_) + ": " + body);
  }
  conn.last_used = std::chrono::steady_clock::now();
  if (!conn.in->pending()) {  // bytes beyond the reply: out of step, not reused
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
  }
  if (h->status == SliceStatus::kNotCached) return std::optional<BlockStore::Block>();
  BlockStore::Block b;
  b.data = std::move(body);
  b.xxh64 = h->xxh64;
  b.tier = h->tier;
  return std::optional<BlockStore::Block>(std::move(b));
}

}  // namespace aqueduct::fuse
