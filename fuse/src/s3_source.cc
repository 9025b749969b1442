// Objects in an S3-compatible store: ListObjectsV2 with "/" as delimiter for
// folders, HEAD for a file's size and ETag, GET with Range for its bytes;
// every request signed with SigV4 (or anonymous, for public buckets).

#include <httplib.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <sstream>

#include "http_client_pool.h"
#include "sigv4.h"
#include "source_impl.h"

namespace aqueduct::fuse {
namespace {

namespace pt = boost::property_tree;

std::int64_t parse_iso_time(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "<Error><Code>NoSuchBucket</Code><Message>...</Message></Error>" -> "NoSuchBucket: ..."
std::string s3_error_text(const std::string& body) {
  try {
    std::istringstream in(body);
    pt::ptree t;
    pt::read_xml(in, t);
    auto code = t.get<std::string>("Error.Code", "");
    auto msg = t.get<std::string>("Error.Message", "");
    if (!code.empty()) return code + (msg.empty() ? "" : ": " + msg);
  } catch (const std::exception&) {
  }
  return "";
}

class S3Source final : public Source {
 public:
  S3Source(S3Config cfg) : cfg_(std::move(cfg)) {}

  std::string uri() const override {
    return "s3://" + cfg_.bucket + (cfg_.prefix.empty() ? "" : "/" + cfg_.prefix);
  }

  core::Result<FileInfo> stat(const std::string& path) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    if (path == "/") return FileInfo{"", true, 0, 0, ""};
    const std::string key = key_for(path);
    auto res = send("HEAD", "/" + cfg_.bucket + "/" + uri_encode(key, true), {}, {});
    if (!res) return transport_error(path, res);
    const std::string name = path.substr(path.rfind('/') + 1);
    if (res->status == 200) {
      FileInfo f;
      f.name = name;
      auto len = res->get_header_value("Content-Length");
      char* end = nullptr;
      f.size = std::strtoll(len.c_str(), &end, 10);
      if (len.empty() || *end != '\0' || f.size < 0)
        return core::invalid_argument(uri() + path + ": HEAD gave no Content-Length");
      f.mtime_s = parse_http_time(res->get_header_value("Last-Modified"));
      f.version = res->get_header_value("ETag");
      if (f.version.empty()) f.version = std::to_string(f.size) + "-" + std::to_string(f.mtime_s);
      return f;
    }
    if (res->status != 404) return http_error("HEAD", path, *res);
    // No object by that name: a folder if any key lies under it.
    AQ_ASSIGN_OR_RETURN(auto page, list_page(key + "/", "", 1));
    if (!page.entries.empty() || page.truncated) return FileInfo{name, true, 0, 0, ""};
    return core::not_found(uri() + path + ": no such file or directory");
  }

  core::Result<std::vector<FileInfo>> list(const std::string& dir) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(dir));
    std::string prefix = dir == "/" ? cfg_.prefix : key_for(dir);
    if (!prefix.empty()) prefix += "/";
    std::vector<FileInfo> out;
    std::string token;
    for (int pages = 0; pages < 100000; ++pages) {
      AQ_ASSIGN_OR_RETURN(auto page, list_page(prefix, token, cfg_.list_page_size));
      for (auto& e : page.entries) out.push_back(std::move(e));
      if (!page.truncated) break;
      if (page.next_token.empty())
        return core::invalid_argument(uri() + dir +
                                      ": a truncated listing gave no NextContinuationToken");
      token = page.next_token;
    }
    if (out.empty() && dir != "/") return core::not_found(uri() + dir + ": no such directory");
    sort_by_name(out);
    return out;
  }

  core::Result<std::string> read(const std::string& path, std::int64_t offset,
                                 std::int64_t length) override {
    AQ_RETURN_IF_ERROR(check_dataset_path(path));
    if (length <= 0) return std::string();
    auto res = send("GET", "/" + cfg_.bucket + "/" + uri_encode(key_for(path), true), {},
                    {{"range", range_header(offset, length)}});
    if (!res) return transport_error(path, res);
    if (auto bytes = ranged_body(*res, offset, length, uri() + path)) return std::move(*bytes);
    return http_error("GET", path, *res);
  }

 private:
  struct Page {
    std::vector<FileInfo> entries;
    bool truncated = false;
    std::string next_token;
  };

  std::string key_for(const std::string& path) const {
    return cfg_.prefix.empty() ? path.substr(1) : cfg_.prefix + path;
  }

  core::Result<Page> list_page(const std::string& prefix, const std::string& token, int max_keys) {
    std::map<std::string, std::string> q = {{"list-type", "2"},
                                            {"delimiter", "/"},
                                            {"prefix", prefix},
                                            {"max-keys", std::to_string(max_keys)}};
    if (!token.empty()) q["continuation-token"] = token;
    auto res = send("GET", "/" + cfg_.bucket, q, {});
    // The folder as the dataset sees it, for messages.
    std::string where = "/" + prefix.substr(std::min(prefix.size(), cfg_.prefix.size()));
    while (where.size() > 1 && where.back() == '/') where.pop_back();
    if (where.size() > 1 && where[1] == '/') where.erase(0, 1);
    if (!res) return transport_error(where, res);
    if (res->status != 200) return http_error("ListObjectsV2", where, *res);
    Page page;
    pt::ptree t;
    try {
      std::istringstream in(res->body);
      pt::read_xml(in, t);
    } catch (const std::exception& e) {
      return core::invalid_argument(uri() + where +
                                    ": ListObjectsV2 answered malformed XML: " + e.what());
    }
    auto root = t.get_child_optional("ListBucketResult");
    if (!root)
      return core::invalid_argument(uri() + where +
                                    ": ListObjectsV2 answered without <ListBucketResult>");
    page.truncated = root->get<std::string>("IsTruncated", "false") == "true";
    page.next_token = root->get<std::string>("NextContinuationToken", "");
    for (const auto& [tag, node] : *root) {
      if (tag == "CommonPrefixes") {
        std::string p = node.get<std::string>("Prefix", "");
        if (p.size() <= prefix.size() || p.compare(0, prefix.size(), prefix) != 0) continue;
        std::string name = p.substr(prefix.size());
        if (!name.empty() && name.back() == '/') name.pop_back();
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
          continue;  // "a//b" or dot names: not reachable as a path
        page.entries.push_back(FileInfo{name, true, 0, 0, ""});
      } else if (tag == "Contents") {
        std::string key = node.get<std::string>("Key", "");
        if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0)
          continue;  // the folder's own marker object
        std::string name = key.substr(prefix.size());
        if (name.find('/') != std::string::npos || name == "." || name == "..") continue;
        FileInfo f;
        f.name = name;
        try {
          f.size = node.get<std::int64_t>("Size");
        } catch (const std::exception&) {
          return core::invalid_argument(uri() + where + ": the listing gives \"" + name +
                                        "\" no Size in bytes");
        }
        if (f.size < 0)
          return core::invalid_argument(uri() + where + ": the listing gives \"" + name +
                                        "\" a negative Size");
        f.mtime_s = parse_iso_time(node.get<std::string>("LastModified", ""));
        f.version = node.get<std::string>("ETag", "");
        if (f.version.empty()) f.version = std::to_string(f.size) + "-" + std::to_string(f.mtime_s);
        page.entries.push_back(std::move(f));
      }
    }
    return page;
  }

  httplib::Result send(const std::string& method, const std::string& path,
                       const std::map<std::string, std::string>& query,
                       const std::map<std::string, std::string>& extra) {
    httplib::Headers h;
    for (const auto& [k, v] : extra) h.emplace(k, v);
    if (!cfg_.creds.access_key_id.empty()) {
      SignedRequest r;
      r.method = method;
      r.host = cfg_.host_header;
      r.path = path;
      r.query = query;
      r.headers = extra;
      for (const auto& [k, v] : sign_v4(r, cfg_.creds, cfg_.region, amz_date_now()))
        h.emplace(k, v);
    }
    std::string target = path;
    std::string qs;
    for (const auto& [k, v] : query)
      qs += (qs.empty() ? "?" : "&") + uri_encode(k, false) + "=" + uri_encode(v, false);
    target += qs;
    return with_client([&](httplib::Client& c) {
      if (method == "HEAD") return c.Head(target.c_str(), h);
      return c.Get(target.c_str(), h);
    });
  }

  core::Status transport_error(const std::string& path, const httplib::Result& res) const {
    return core::Status(core::StatusCode::kUnavailable,
                        uri() + path + ": " + httplib::to_string(res.error()));
  }

  core::Status http_error(const std::string& what, const std::string& path,
                          const httplib::Response& res) const {
    std::string detail = s3_error_text(res.body);
    std::string msg = uri() + path + ": " + what + " answered HTTP " + std::to_string(res.status) +
                      (detail.empty() ? "" : " (" + detail + ")");
    if (res.status == 403 || res.status == 401)
      return core::Status(core::StatusCode::kPermissionDenied,
                          msg + "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    if (res.status == 404) return core::not_found(msg);
    return core::Status(core::StatusCode::kUnavailable, msg);
  }

  template <typename Fn>
  httplib::Result with_client(Fn fn) {
    return pool_.with_client(fn);
  }

  S3Config cfg_;
  HttpClientPool pool_{cfg_.endpoint, /*follow_redirects=*/false};
};

}  // namespace

core::Result<S3Config> parse_s3_uri(const std::string& uri) {
  const std::string scheme = "s3://";
  if (uri.rfind(scheme, 0) != 0)
    return core::invalid_argument("--source \"" + uri + "\": expected s3://bucket[/prefix]");
  std::string rest = uri.substr(scheme.size());
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Config c;
  auto slash = rest.find('/');
  c.bucket = rest.substr(0, slash);
  c.prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!c.prefix.empty() && c.prefix.back() == '/') c.prefix.pop_back();
  if (c.bucket.empty())
    return core::invalid_argument("--source \"" + uri + "\": expected s3://bucket[/prefix]");
  for (char ch : c.bucket)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.'))
      return core::invalid_argument("--source \"" + uri + "\": bucket \"" + c.bucket +
                                    "\" may hold only letters, digits, '-' and '.'");
  c.region = env("AWS_REGION");
  if (c.region.empty()) c.region = env("AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = "us-east-1";
  c.endpoint = env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = env("AWS_ENDPOINT_URL");
  std::stringstream qs(query);
  for (std::string kv; std::getline(qs, kv, '&');) {
    if (kv.empty()) continue;
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (k == "endpoint") {
      c.endpoint = v;
    } else if (k == "region") {
      c.region = v;
    } else {
      return core::invalid_argument("--source \"" + uri + "\": unknown option \"" + k +
                                    "\" (endpoint, region)");
    }
  }
  if (c.endpoint.empty()) c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  auto sep = c.endpoint.find("://");
  if (sep == std::string::npos ||
      (c.endpoint.compare(0, sep, "http") != 0 && c.endpoint.compare(0, sep, "https") != 0))
    return core::invalid_argument("--source \"" + uri + "\": endpoint \"" + c.endpoint +
                                  "\": expected http(s)://host[:port]");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  c.host_header = c.endpoint.substr(sep + 3);
  if (c.host_header.empty() || c.host_header.find('/') != std::string::npos)
    return core::invalid_argument("--source \"" + uri + "\": endpoint \"" + c.endpoint +
                                  "\": expected http(s)://host[:port] with no path");
  c.creds.access_key_id = env("AWS_ACCESS_KEY_ID");
  c.creds.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  c.creds.session_token = env("AWS_SESSION_TOKEN");
  if (c.creds.access_key_id.empty() != c.creds.secret_access_key.empty())
    return core::invalid_argument(
        "--source \"" + uri +
        "\": set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (anonymous)");
  return c;
}

core::Result<std::unique_ptr<Source>> open_s3_source(const S3Config& config) {
  return std::unique_ptr<Source>(new S3Source(config));
}

}  // namespace aqueduct::fuse
