// AWS Signature Version 4 for S3 requests (the "Authorization" header form,
// with UNSIGNED-PAYLOAD or a body hash), as S3-compatible stores (AWS, MinIO,
// OSS's S3 endpoint, s3rver) check it.
#pragma once

#include <map>
#include <string>

namespace aqueduct::fuse {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
};

struct SignedRequest {
  std::string method;                          // "GET", "HEAD", "PUT"
  std::string host;                            // as sent in the Host header ("127.0.0.1:4568")
  std::string path;                            // already URI-encoded ("/bucket/a%20b.txt")
  std::map<std::string, std::string> query;    // raw (unencoded) names and values
  std::map<std::string, std::string> headers;  // extra headers to sign (lower-case names)
  std::string payload_sha256 = "UNSIGNED-PAYLOAD";
};

// The headers to send: Authorization, x-amz-date, x-amz-content-sha256 and,
// with a session token, x-amz-security-token. `amz_date` is "YYYYMMDDTHHMMSSZ".
std::map<std::string, std::string> sign_v4(const SignedRequest& req, const AwsCredentials& creds,
                                           const std::string& region, const std::string& amz_date,
                                           const std::string& service = "s3");

// Percent-encoding as SigV4 wants it: unreserved characters kept, everything
// else %XX; "/" kept only when `keep_slash`.
std::string uri_encode(const std::string& s, bool keep_slash);
std::string sha256_hex(const std::string& data);
// The current time as "YYYYMMDDTHHMMSSZ".
std::string amz_date_now();

}  // namespace aqueduct::fuse
