// The S3 source: SigV4 against AWS's own published examples, the s3:// URI
// and its errors, and listing, stat and ranged reads against a real
// S3-compatible server (s3rver, which checks the access key but not the
// SigV4 signature itself; AWS's examples check that) started by the test on
// 127.0.0.1. Without s3rver (scripts/fetch-s3rver.sh could not
// install it) the server cases skip with the reason.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "source_impl.h"
#include "support/temp_dir.h"

namespace aqueduct::fuse {
namespace {

namespace fs = std::filesystem;
using aqueduct::testing::TempDir;

TEST(SigV4, MatchesAwsPublishedGetObjectExample) {
  AwsCredentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  SignedRequest r;
  r.method = "GET";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  r.headers = {{"range", "bytes=0-9"}};
  r.payload_sha256 = sha256_hex("");
  auto h = sign_v4(r, c, "us-east-1", "20130524T000000Z");
  EXPECT_EQ(h["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(h["x-amz-date"], "20130524T000000Z");
  EXPECT_EQ(h.count("x-amz-security-token"), 0u);
}

TEST(SigV4, MatchesAwsPublishedListObjectsExample) {
  AwsCredentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  SignedRequest r;
  r.method = "GET";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/";
  r.query = {{"max-keys", "2"}, {"prefix", "J"}};
  r.payload_sha256 = sha256_hex("");
  auto h = sign_v4(r, c, "us-east-1", "20130524T000000Z");
  EXPECT_NE(h["Authorization"].find(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos)
      << h["Authorization"];
}

TEST(SigV4, EncodesAsTheSpecSays) {
  EXPECT_EQ(uri_encode("a b/c~d_e-f.g+h*", true), "a%20b/c~d_e-f.g%2Bh%2A");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(S3Uri, ReadsBucketPrefixOptionsAndCredentials) {
  ::setenv("AWS_ACCESS_KEY_ID", "K", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  auto c = parse_s3_uri("s3://imagenet/train/?endpoint=http://127.0.0.1:9000&region=eu-west-1");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->bucket, "imagenet");
  EXPECT_EQ(c->prefix, "train");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c->host_header, "127.0.0.1:9000");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->creds.access_key_id, "K");
  auto aws = parse_s3_uri("s3://b");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(aws->prefix, "");

  for (const char* bad : {"s3://", "s3:///x", "s3://b?colour=red", "s3://b?endpoint=ftp://h",
                          "s3://b?endpoint=http://h/path", "s3://bad_bucket/x"}) {
    auto r = parse_s3_uri(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  auto half = parse_s3_uri("s3://b");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

// s3rver on 127.0.0.1 with a bucket, in a temp dir, for one test.
class S3Server : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path dir = AQ_S3RVER_DIR;
    const fs::path bin = dir / "node_modules/.bin/s3rver";
    if (!fs::exists(bin)) {
      std::string why = aqueduct::testing::read_file((dir / "unavailable.txt").string());
      GTEST_SKIP() << "s3rver is not installed in " << dir.string() << ": "
                   << (why.empty() ? "run scripts/fetch-s3rver.sh " + dir.string() : why);
    }
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    const std::string data = (tmp_.path() / "s3").string();
    fs::create_directories(data);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      ::close(out[0]);
      // s3rver makes continuation tokens with DES, which OpenSSL 3 keeps in
      // its legacy provider.
      ::setenv("NODE_OPTIONS", "--openssl-legacy-provider", 1);
      ::execl(bin.c_str(), bin.c_str(), "-d", data.c_str(), "-a", "127.0.0.1", "-p", "0",
              "--configure-bucket", "aqueduct", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    // "S3rver listening on 127.0.0.1:PORT"
    std::string log;
    char buf[256];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      log.append(buf, static_cast<std::size_t>(n));
      auto at = log.find("listening on 127.0.0.1:");
      if (at != std::string::npos) {
        auto end = log.find_first_not_of("0123456789", at + 23);
        if (end != std::string::npos) port_ = std::atoi(log.substr(at + 23, end - at - 23).c_str());
      }
    }
    log_fd_ = out[0];
    ASSERT_GT(port_, 0) << "s3rver did not start: " << log;
    ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);  // s3rver's own credentials
    ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::unsetenv("AWS_ENDPOINT_URL");
    ::unsetenv("AWS_ENDPOINT_URL_S3");
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (log_fd_ >= 0) ::close(log_fd_);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // A signed PUT, as any S3 client uploads (the body's hash signed too).
  void put(const std::string& key, const std::string& body) {
    SignedRequest r;
    r.method = "PUT";
    r.host = "127.0.0.1:" + std::to_string(port_);
    r.path = "/aqueduct/" + uri_encode(key, true);
    r.payload_sha256 = sha256_hex(body);
    auto h = sign_v4(r, {"S3RVER", "S3RVER", ""}, "us-east-1", amz_date_now());
    httplib::Client c(endpoint());
    httplib::Headers hh(h.begin(), h.end());
    auto res = c.Put(r.path.c_str(), hh, body, "application/octet-stream");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
  }

  std::unique_ptr<Source> open(const std::string& prefix) {
    auto s = open_source("s3://aqueduct" + prefix + "?endpoint=" + endpoint());
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return s.ok() ? std::move(*s) : nullptr;
  }

  TempDir tmp_;
  pid_t pid_ = -1;
  int port_ = 0;
  int log_fd_ = -1;
};

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST_F(S3Server, ListsStatsAndReadsEveryByteThroughRanges) {
  const std::string big = random_bytes((1 << 20) + 3, 7);
  put("data/train/a.bin", big);
  put("data/train/b with space.txt", "bee");
  put("data/val/c.txt", "sea");
  put("data/top.txt", "top");
  put("other/x.txt", "not in the dataset");
  auto src = open("/data");
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(src->uri(), "s3://aqueduct/data");

  auto root = src->list("/");
  ASSERT_TRUE(root.ok()) << root.status().to_string();
  ASSERT_EQ(root->size(), 3u);
  EXPECT_EQ((*root)[0].name, "top.txt");
  EXPECT_FALSE((*root)[0].is_dir);
  EXPECT_EQ((*root)[0].size, 3);
  EXPECT_EQ((*root)[1].name, "train");
  EXPECT_TRUE((*root)[1].is_dir);
  EXPECT_EQ((*root)[2].name, "val");

  auto train = src->list("/train");
  ASSERT_TRUE(train.ok()) << train.status().to_string();
  ASSERT_EQ(train->size(), 2u);
  EXPECT_EQ((*train)[0].name, "a.bin");
  EXPECT_EQ((*train)[0].size, static_cast<std::int64_t>(big.size()));
  EXPECT_FALSE((*train)[0].version.empty()) << "the ETag keys cached blocks";
  EXPECT_EQ((*train)[1].name, "b with space.txt");

  auto st = src->stat("/train/a.bin");
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_EQ(st->size, static_cast<std::int64_t>(big.size()));
  EXPECT_EQ(st->version, (*train)[0].version);
  EXPECT_GT(st->mtime_s, 1600000000);
  auto dir = src->stat("/val");
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->is_dir);
  EXPECT_EQ(src->stat("/nothing").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(src->list("/nothing").status().code(), core::StatusCode::kNotFound);

  // Every byte, in ranges that do not line up with anything.
  std::string got;
  for (std::int64_t off = 0; off < static_cast<std::int64_t>(big.size()); off += 100003) {
    auto part = src->read("/train/a.bin", off, 100003);
    ASSERT_TRUE(part.ok()) << part.status().to_string();
    got += *part;
  }
  EXPECT_EQ(got.size(), big.size());
  EXPECT_TRUE(got == big) << "the bytes read differ from those written";
  auto tail = src->read("/train/a.bin", static_cast<std::int64_t>(big.size()) - 2, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, big.substr(big.size() - 2));
  auto past = src->read("/train/a.bin", static_cast<std::int64_t>(big.size()) + 10, 5);
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(*past, "");
  auto spaced = src->read("/train/b with space.txt", 0, 10);
  ASSERT_TRUE(spaced.ok()) << spaced.status().to_string();
  EXPECT_EQ(*spaced, "bee");
  EXPECT_EQ(src->read("/gone.txt", 0, 1).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(src->read("/../other/x.txt", 0, 1).status().code(), core::StatusCode::kInvalidArgument);
}

TEST_F(S3Server, LongListingsArePagedThrough) {
  for (int i = 0; i < 23; ++i) put("many/f" + std::to_string(100 + i), std::to_string(i));
  auto cfg = parse_s3_uri("s3://aqueduct/many?endpoint=" + endpoint());
  ASSERT_TRUE(cfg.ok());
  cfg->list_page_size = 5;  // five pages
  auto src = open_s3_source(*cfg);
  ASSERT_TRUE(src.ok());
  auto all = (*src)->list("/");
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 23u);
  EXPECT_EQ(all->front().name, "f100");
  EXPECT_EQ(all->back().name, "f122");
}

TEST_F(S3Server, AWrongKeyOrBucketIsAClearError) {
  put("k.txt", "v");
  ::setenv("AWS_ACCESS_KEY_ID", "NOT-A-KEY", 1);
  auto src = open("");
  ASSERT_NE(src, nullptr);
  auto denied = src->list("/");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), core::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.status().message().find("InvalidAccessKeyId"), std::string::npos)
      << denied.status().message();
  EXPECT_NE(denied.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(src->stat("/k.txt").status().code(), core::StatusCode::kPermissionDenied);
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  auto none = open_source("s3://no-such-bucket?endpoint=" + endpoint());
  ASSERT_TRUE(none.ok());
  auto missing = (*none)->list("/");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("NoSuchBucket"), std::string::npos)
      << missing.status().message();
  auto ok = open("")->read("/k.txt", 0, 1);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(*ok, "v");
}

TEST(S3Source, AnUnreachableStoreIsUnavailable) {
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  auto src = open_source("s3://b?endpoint=http://127.0.0.1:1");
  ASSERT_TRUE(src.ok());
  auto r = (*src)->list("/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("s3://b"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::fuse
