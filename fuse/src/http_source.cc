#include <httplib.h>

#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "http_client_pool.h"
#include "source_impl.h"

namespace aqueduct::fuse {
namespace {

std::string encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class HttpSource final : public Source {
 public:
  HttpSource(std::string scheme, std::string host_port, std::string prefix)
      : scheme_(std::move(scheme)), host_port_(std::move(host_port)), prefix_(std::move(prefix)) {}

  std::string uri() const override { return scheme_ + "://" + host_port_ + prefix_; }

  core::Result<FileInfo> stat(const std::string& path) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    if (path == "/") return FileInfo{"", true, 0, 0, ""};
    auto slash = path.rfind('/');
    std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    std::string name = path.substr(slash + 1);
    AQ_ASSIGN_OR_RETURN(auto entries, list(dir));
    for (auto& e : entries) {
      if (e.name == name) return e;
    }
    return core::not_found(uri() + path + ": no such file or directory");
  }

  core::Result<std::vector<FileInfo>> list(const std::string& dir) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(dir));
    std::string url = prefix_ + encode_path(dir == "/" ? "/" : dir + "/");
    auto res = with_client([&](httplib::Client& c) { return c.Get(url.c_str()); });
    if (!res)
      return core::Status(core::StatusCode::kUnavailable,
                          uri() + dir + ": " + httplib::to_string(res.error()));
    if (res->status == 404) return core::not_found(uri() + dir + ": no such directory");
    if (res->status != 200) {
      return core::Status(core::StatusCode::kUnavailable,
                          uri() + dir + ": listing answered HTTP " + std::to_string(res->status));
    }
    nlohmann::json j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_array()) {
      return core::invalid_argument(uri() + dir +
                                    ": the listing is not a JSON array (serve it with nginx "
                                    "`autoindex on; autoindex_format json;`)");
    }
    std::vector<FileInfo> out;
    // A listing is input from the network: entries of an unexpected shape
    // are errors, never exceptions.
    auto text = [](const nlohmann::json& e, const char* key) {
      return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
    };
    for (const auto& e : j) {
      if (!e.is_object() || text(e, "name").empty()) continue;
      FileInfo f;
      f.name = text(e, "name");
      if (f.name == "." || f.name == ".." || f.name.find('/') != std::string::npos) {
        return core::invalid_argument(uri() + dir + ": the listing names an entry \"" + f.name +
                                      "\", which is not a file name");
      }
      const std::string type = text(e, "type");
      f.is_dir = type == "directory";
      if (!f.is_dir && type != "file") continue;
      if (!f.is_dir) {
        if (!e.contains("size") || !e["size"].is_number_integer() ||
            e["size"].get<std::int64_t>() < 0) {
          return core::invalid_argument(uri() + dir + ": the listing gives \"" + f.name +
                                        "\" no size in bytes");
        }
        f.size = e["size"].get<std::int64_t>();
      }
      const std::string mtime = text(e, "mtime");
      f.mtime_s = parse_http_time(mtime);
      // nginx's listing has no ETag: size and modification time stand for it.
      f.version = std::to_string(f.size) + "-" + mtime;
      out.push_back(std::move(f));
    }
    sort_by_name(out);
    return out;
  }

  core::Result<std::string> read(const std::string& path, std::int64_t offset,
                                 std::int64_t length) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    if (length <= 0) return std::string();
    std::string url = prefix_ + encode_path(path);
    httplib::Headers h = {{"Range", range_header(offset, length)}};
    auto res = with_client([&](httplib::Client& c) { return c.Get(url.c_str(), h); });
    if (!res)
      return core::Status(core::StatusCode::kUnavailable,
                          uri() + path + ": " + httplib::to_string(res.error()));
    if (auto bytes = ranged_body(*res, offset, length, uri() + path)) return std::move(*bytes);
    return core::Status(core::StatusCode::kUnavailable,
                        uri() + path + ": read answered HTTP " + std::to_string(res->status));
  }

 private:
  // A small pool: httplib clients serialize their requests, readers should not.
  template <typename Fn>
  httplib::Result with_client(Fn fn) {
    return pool_.with_client(fn);
  }

  std::string scheme_, host_port_, prefix_;
  HttpClientPool pool_{scheme_ + "://" + host_port_, /*follow_redirects=*/true};
};

}  // namespace

core::Result<std::unique_ptr<Source>> open_http_source(const std::string& scheme,
                                                       const std::string& host_port,
                                                       const std::string& prefix) {
  if (host_port.empty()) return core::invalid_argument(scheme + "://: expected a host");
  std::string p = prefix;
  while (!p.empty() && p.back() == '/') p.pop_back();
  return std::unique_ptr<Source>(new HttpSource(scheme, host_port, p));
}

core::Result<std::unique_ptr<Source>> open_source(const std::string& uri) {
  auto sep = uri.find("://");
  if (sep == std::string::npos) {
    return core::invalid_argument(
        "--source \"" + uri +
        "\": expected local:///path, http(s)://host[:port]/prefix or s3://bucket/prefix");
  }
  std::string scheme = uri.substr(0, sep), rest = uri.substr(sep + 3);
  if (scheme == "local" || scheme == "file") return open_local_source(rest);
  if (scheme == "http" || scheme == "https") {
    auto slash = rest.find('/');
    std::string host = rest.substr(0, slash);
    std::string prefix = slash == std::string::npos ? "" : rest.substr(slash);
    return open_http_source(scheme, host, prefix);
  }
  if (scheme == "s3") {
    AQ_ASSIGN_OR_RETURN(auto cfg, parse_s3_uri(uri));
    return open_s3_source(cfg);
  }
  return core::invalid_argument("--source \"" + uri + "\": unknown scheme \"" + scheme +
                                "\" (local, http, https, s3)");
}

}  // namespace aqueduct::fuse
