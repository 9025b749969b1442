// Keep-alive HTTP clients shared by the HTTP and S3 sources: an httplib
// client serializes its requests, so concurrent readers each take one from
// the pool (up to 16 kept idle). Private to fuse/.
#pragma once

#include <httplib.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/fuse/source.h"

namespace aqueduct::fuse {

class HttpClientPool {
 public:
  // `base`: "http(s)://host[:port]".
  HttpClientPool(std::string base, bool follow_redirects)
      : base_(std::move(base)), follow_(follow_redirects) {}

  template <typename Fn>
  httplib::Result with_client(Fn fn) {
    std::unique_ptr<httplib::Client> c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!c) {
      c = std::make_unique<httplib::Client>(base_);
      c->set_keep_alive(true);
      c->set_connection_timeout(5);
      c->set_read_timeout(30);
      c->set_follow_location(follow_);
    }
    auto res = fn(*c);
    std::lock_guard<std::mutex> lock(mu_);
    if (res && idle_.size() < 16) idle_.push_back(std::move(c));
    return res;
  }

 private:
  std::string base_;
  bool follow_;
  std::mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

// "Tue, 15 Nov 1994 08:12:31 GMT" -> seconds since the epoch (0 if unreadable).
inline std::int64_t parse_http_time(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

// "bytes=OFFSET-LAST" for `length` bytes at `offset` (length > 0).
inline std::string range_header(std::int64_t offset, std::int64_t length) {
  return "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
}

// The bytes of a ranged GET's answer: 206 its body, 200 (the server ignored
// Range) the slice of the whole body, 416 nothing (at or past the end), 404
// NotFound naming `where`. nullopt for any other status: the caller words it.
inline std::optional<core::Result<std::string>> ranged_body(httplib::Response& res,
                                                            std::int64_t offset,
                                                            std::int64_t length,
                                                            const std::string& where) {
  if (res.status == 416) return core::Result<std::string>(std::string());
  if (res.status == 404)
    return core::Result<std::string>(core::not_found(where + ": no such file"));
  if (res.status == 206) return core::Result<std::string>(std::move(res.body));
  if (res.status == 200) {
    if (offset >= static_cast<std::int64_t>(res.body.size()))
      return core::Result<std::string>(std::string());
    return core::Result<std::string>(
        res.body.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length)));
  }
  return std::nullopt;
}

}  // namespace aqueduct::fuse
