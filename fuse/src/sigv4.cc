#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <ctime>
#include <vector>

namespace aqueduct::fuse {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::string uri_encode(const std::string& s, bool keep_slash) {
  static const char* d = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += d[c >> 4];
      out += d[c & 15];
    }
  }
  return out;
}

std::string sha256_hex(const std::string& data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return hex(out, sizeof out);
}

std::string amz_date_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::map<std::string, std::string> sign_v4(const SignedRequest& req, const AwsCredentials& creds,
                                           const std::string& region, const std::string& amz_date,
                                           const std::string& service) {
  std::map<std::string, std::string> headers;  // lower-case names, sorted
  for (const auto& [k, v] : req.headers) headers[k] = trim(v);
  headers["host"] = req.host;
  headers["x-amz-date"] = amz_date;
  headers["x-amz-content-sha256"] = req.payload_sha256;
  if (!creds.session_token.empty()) headers["x-amz-security-token"] = creds.session_token;

  std::string query;
  for (const auto& [k, v] : req.query) {  // std::map: sorted by name
    if (!query.empty()) query += '&';
    query += uri_encode(k, false) + "=" + uri_encode(v, false);
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + v + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + k;
  }
  const std::string canonical = req.method + "\n" + (req.path.empty() ? "/" : req.path) + "\n" +
                                query + "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                                req.payload_sha256;
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(canonical);
  std::string key = hmac("AWS4" + creds.secret_access_key, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const std::string sig = hmac(key, to_sign);
  std::map<std::string, std::string> out;
  out["Authorization"] = "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope +
                         ", SignedHeaders=" + signed_headers + ", Signature=" +
                         hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
  out["x-amz-date"] = amz_date;
  out["x-amz-content-sha256"] = req.payload_sha256;
  if (!creds.session_token.empty()) out["x-amz-security-token"] = creds.session_token;
  return out;
}

}  // namespace aqueduct::fuse
