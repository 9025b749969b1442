// Source implementations (private to fuse/).
#pragma once

#include <algorithm>
#include <vector>

#include "aqueduct/fuse/source.h"
#include "sigv4.h"

namespace aqueduct::fuse {

// Listings are returned in name order.
inline void sort_by_name(std::vector<FileInfo>& files) {
  std::sort(files.begin(), files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
}

core::Result<std::unique_ptr<Source>> open_local_source(const std::string& root);
// scheme "http" or "https"; host_port "host[:port]"; prefix "/..." (may be "").
core::Result<std::unique_ptr<Source>> open_http_source(const std::string& scheme,
                                                       const std::string& host_port,
                                                       const std::string& prefix);

// s3://bucket[/prefix][?endpoint=http(s)://host[:port]&region=R]. Endpoint
// and region may also come from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and
// AWS_REGION / AWS_DEFAULT_REGION (default us-east-1, endpoint AWS's);
// credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN (none: anonymous requests). Path-style addressing.
struct S3Config {
  std::string bucket, prefix;  // prefix without leading or trailing "/"
  std::string endpoint;        // "http://127.0.0.1:4568"
  std::string host_header;     // "127.0.0.1:4568"
  std::string region;
  AwsCredentials creds;
  int list_page_size = 1000;  // keys per ListObjectsV2 page (S3's maximum)
};
core::Result<S3Config> parse_s3_uri(const std::string& uri);
core::Result<std::unique_ptr<Source>> open_s3_source(const S3Config& config);

}  // namespace aqueduct::fuse
