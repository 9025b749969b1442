#include "tcp_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace aqueduct::fuse {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

core::Result<std::pair<std::string, int>> split_host_port(const std::string& address,
                                                          const std::string& what) {
  const auto bad = [&] {
    return core::invalid_argument(what + " " + address + ": expected HOST:PORT");
  };
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return bad();
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9') return bad();
    port = port * 10 + (c - '0');
    if (port > 65535) return bad();
  }
  return std::make_pair(host, port);
}

namespace {

using AddrInfo = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

core::Result<AddrInfo> resolve(const std::string& host, int port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc =
      ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    return core::Status(core::StatusCode::kUnavailable,
                        host + ":" + service + ": " + ::gai_strerror(rc));
  }
  return AddrInfo(res, &freeaddrinfo);
}

}  // namespace

core::Result<UniqueFd> tcp_listen(const std::string& host, int port, int* bound) {
  AQ_ASSIGN_OR_RETURN(AddrInfo res, resolve(host, port, true));
  std::string last = "no address";
  for (addrinfo* a = res.get(); a; a = a->ai_next) {
    UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) continue;
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd.get(), 128) != 0) {
      last = std::strerror(errno);
      continue;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
    *bound = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    return fd;
  }
  return core::Status(core::StatusCode::kUnavailable,
                      host + ":" + std::to_string(port) + ": cannot listen there: " + last);
}

void tune_socket(int fd, std::chrono::milliseconds timeout) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

core::Result<UniqueFd> tcp_connect(const std::string& host, int port,
                                   std::chrono::milliseconds timeout) {
  AQ_ASSIGN_OR_RETURN(AddrInfo res, resolve(host, port, false));
  std::string last = "no address";
  for (addrinfo* a = res.get(); a; a = a->ai_next) {
    UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) continue;
    // The send timeout bounds connect() too.
    tune_socket(fd.get(), timeout);
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) return fd;
    last = std::strerror(errno);
  }
  return core::Status(core::StatusCode::kUnavailable,
                      host + ":" + std::to_string(port) + ": cannot connect: " + last);
}

bool read_full(int fd, char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::recv(fd, out, n, 0);
    if (got > 0) {
      out += got;
      n -= static_cast<std::size_t>(got);
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      return false;  // end of stream, timeout or error
    }
  }
  return true;
}

bool BufferedReader::read(int fd, char* out, std::size_t n) {
  while (n > 0) {
    if (begin_ < end_) {
      const std::size_t k = std::min(n, end_ - begin_);
      std::memcpy(out, buf_.data() + begin_, k);
      begin_ += k;
      out += k;
      n -= k;
      continue;
    }
    // Large reads go straight to their destination.
    if (n >= buf_.size()) return read_full(fd, out, n);
    begin_ = end_ = 0;
    const ssize_t got = ::recv(fd, buf_.data(), buf_.size(), 0);
    if (got > 0) {
      end_ = static_cast<std::size_t>(got);
    } else if (!(got < 0 && errno == EINTR)) {
      return false;
    }
  }
  return true;
}

bool write_full(int fd, iovec* iov, int count) {
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto left = static_cast<std::size_t>(sent);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

}  // namespace aqueduct::fuse
