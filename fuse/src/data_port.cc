#include "data_port.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "aqueduct/fuse/slice_frames.h"
#include "aqueduct/fuse/worker_client.h"
#include "secret.h"

namespace aqueduct::fuse {
namespace {

bool send_reply(int fd, const SliceReplyHeader& h, std::string_view body) {
  std::string head = encode_slice_reply_header(h);
  iovec iov[2] = {{head.data(), head.size()}, {const_cast<char*>(body.data()), body.size()}};
  return write_full(fd, iov, body.empty() ? 1 : 2);
}

bool send_error(int fd, std::string_view message, SliceStatus status = SliceStatus::kError) {
  message = message.substr(0, kMaxReplyError);
  SliceReplyHeader h;
  h.status = status;
  h.length = static_cast<std::uint32_t>(message.size());
  return send_reply(fd, h, message);
}

}  // namespace

core::Result<std::unique_ptr<DataPort>> DataPort::start(Options options, BlockStore& store,
                                                        Observe observe) {
  std::unique_ptr<DataPort> p(new DataPort(std::move(options), store, std::move(observe)));
  AQ_ASSIGN_OR_RETURN(p->listen_, tcp_listen(p->opt_.host, p->opt_.port, &p->port_));
  p->acceptor_ = std::thread([self = p.get()] { self->accept_loop(); });
  return p;
}

DataPort::~DataPort() { stop(); }

void DataPort::stop() {
  if (stopped_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    // Not the descriptors of connections already closed (their numbers may
    // belong to something else by now).
    for (auto& [fd, t] : conns_) {
      if (std::find(done_.begin(), done_.end(), fd) == done_.end()) ::shutdown(fd, SHUT_RDWR);
    }
  }
  ::shutdown(listen_.get(), SHUT_RDWR);  // wakes accept()
  if (acceptor_.joinable()) acceptor_.join();
  std::map<int, std::thread> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(conns_);
  }
  for (auto& [fd, t] : left) t.join();
}

void DataPort::reap() {
  std::vector<std::thread> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : done_) {
      auto it = conns_.find(fd);
      if (it == conns_.end()) continue;
      finished.push_back(std::move(it->second));
      conns_.erase(it);
    }
    done_.clear();
  }
  for (auto& t : finished) t.join();
}

void DataPort::accept_loop() {
  for (;;) {
    const int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    reap();
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!stopping_) continue;
      }
      return;  // the port was shut down
    }
    tune_socket(fd, opt_.idle_timeout);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || conns_.size() >= static_cast<std::size_t>(opt_.max_connections)) {
      send_error(fd,
                 "the data port has " + std::to_string(opt_.max_connections) +
                     " connections (its limit): use gRPC",
                 SliceStatus::kBusy);
      ::close(fd);
      continue;
    }
    conns_.emplace(fd, std::thread([this, fd] { serve(fd); }));
  }
}

bool DataPort::hello(int fd, BufferedReader& in) {
  std::string head(kHelloHeaderBytes, '\0');
  if (!in.read(fd, head.data(), head.size())) return false;
  auto len = decode_hello_header(head);
  if (!len.ok()) {
    send_error(fd, len.status().message());
    return false;
  }
  std::string token(*len, '\0');
  if (!in.read(fd, token.data(), token.size())) return false;
  if (!opt_.token.empty() && !same_secret(token, opt_.token)) {
    send_error(fd, "this worker needs its token");
    return false;
  }
  return send_reply(fd, SliceReplyHeader{SliceStatus::kFound, 0, 0, 0}, {});
}

void DataPort::serve(int fd) {
  BufferedReader in;
  if (hello(fd, in)) {
    std::string head(kSliceRequestHeaderBytes, '\0'), body;
    SliceRequestFrame req;
    while (in.read(fd, head.data(), head.size())) {
      const auto t0 = std::chrono::steady_clock::now();
      auto body_len = decode_slice_request_header(head, &req, opt_.max_length);
      if (!body_len.ok()) {
        send_error(fd, body_len.status().message());
        break;  // the stream is out of step: close it
      }
      body.resize(*body_len);
      if (!in.read(fd, body.data(), body.size())) break;
      if (auto st = decode_slice_request_body(body, &req); !st.is_ok()) {
        send_error(fd, st.message());
        break;
      }
      const BlockRef ref{req.dataset, req.path, req.index, req.version};
      auto block = store_.get(block_name(ref), req.offset, req.length);
      SliceReplyHeader h;
      if (block) {
        h.status = SliceStatus::kFound;
        h.tier = static_cast<std::uint8_t>(block->tier);
        h.length = static_cast<std::uint32_t>(block->data.size());
        h.xxh64 = block->xxh64;
      }
      ++reads_;  // before the reply: a client that has it sees the count
      if (!send_reply(fd, h, block ? std::string_view(block->data) : std::string_view())) break;
      if (observe_) observe_(std::chrono::steady_clock::now() - t0);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ::close(fd);
  done_.push_back(fd);
}

}  // namespace aqueduct::fuse
