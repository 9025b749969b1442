// Mutual TLS between cache workers and their clients, over real gRPC on
// 127.0.0.1: only a client holding a certificate the workers' authority
// signed gets in, a client accepts only a worker that authority signed under
// the expected name, the token still applies inside TLS, a reader reads every
// byte through TLS workers, and bad certificate files are named at start-up.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "aqueduct/fuse/dataset_reader.h"
#include "aqueduct/fuse/worker.h"
#include "aqueduct/fuse/worker_client.h"
#include "aqueduct/fuse/worker_tls.h"
#include "aqueduct/k8s/certificates.h"
#include "support/temp_dir.h"

namespace aqueduct::fuse {
namespace {

using aqueduct::testing::TempDir;

// An authority and its certificate for "worker.test" and 127.0.0.1.
WorkerTls issue(const std::vector<std::string>& dns = {"worker.test"},
                const std::vector<std::string>& ips = {"127.0.0.1"}) {
  auto issued = k8s::issue_mutual_tls(dns, ips);
  EXPECT_TRUE(issued.ok()) << issued.status().to_string();
  return {issued->ca_cert_pem, issued->cert_pem, issued->key_pem, ""};
}

std::unique_ptr<Worker> start_worker(const WorkerTls& tls, const std::string& token = "") {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers = {{core::MediumType::kMem, "", 16 << 20}};
  cfg.tls = tls;
  cfg.auth_token = token;
  auto w = Worker::start(cfg);
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  return w.ok() ? std::move(*w) : nullptr;
}

std::string addr(const Worker& w) { return "127.0.0.1:" + std::to_string(w.port()); }

const BlockRef kId{"d", "/f", 0, "v1"};

// A client that must not get in: nothing it sends is stored or answered.
void expect_shut_out(const Worker& w, std::optional<WorkerTls> tls, const std::string& why) {
  WorkerClient c(addr(w), std::chrono::milliseconds(2000), "", std::move(tls));
  EXPECT_FALSE(c.put(kId, "poison").is_ok()) << why;
  EXPECT_FALSE(c.get(kId).ok()) << why;
  EXPECT_FALSE(c.health().is_ok()) << why;
}

TEST(WorkerTls, OnlyClientsTheAuthoritySignedGetIn) {
  const WorkerTls ours = issue(), theirs = issue();
  auto w = start_worker(ours);
  ASSERT_TRUE(w);
  expect_shut_out(*w, std::nullopt, "plain TCP");
  WorkerTls no_cert = ours;
  no_cert.cert_pem.clear();
  no_cert.key_pem.clear();
  expect_shut_out(*w, no_cert, "TLS without a client certificate");
  WorkerTls stranger = theirs;
  stranger.ca_cert_pem = ours.ca_cert_pem;  // trusts the worker, but another CA signed it
  expect_shut_out(*w, stranger, "a client certificate from another authority");
  EXPECT_EQ(w->store().stats().blocks, 0u) << "nothing was stored";

  // The right certificate, by the address's IP and by an expected name.
  WorkerTls by_name = ours;
  by_name.server_name = "worker.test";
  for (const WorkerTls& tls : {ours, by_name}) {
    WorkerClient c(addr(*w), std::chrono::milliseconds(2000), "", tls);
    ASSERT_TRUE(c.put(kId, "the real bytes").is_ok()) << tls.server_name;
    auto got = c.get(kId);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->data, "the real bytes");
    EXPECT_TRUE(c.health().is_ok());
  }
}

TEST(WorkerTls, ClientsAcceptOnlyTheirAuthoritysWorkerUnderItsName) {
  const WorkerTls ours = issue(), theirs = issue();
  // A worker the client's authority did not sign (an impostor on the address).
  auto impostor = start_worker(theirs);
  ASSERT_TRUE(impostor);
  WorkerClient c(addr(*impostor), std::chrono::milliseconds(2000), "", ours);
  EXPECT_FALSE(c.put(kId, "x").is_ok());
  EXPECT_FALSE(c.health().is_ok());
  EXPECT_EQ(impostor->store().stats().blocks, 0u);
  // The right authority, but the certificate is not for the name expected.
  auto w = start_worker(ours);
  ASSERT_TRUE(w);
  WorkerTls wrong_name = ours;
  wrong_name.server_name = "other.test";
  WorkerClient named(addr(*w), std::chrono::milliseconds(2000), "", wrong_name);
  EXPECT_FALSE(named.health().is_ok());
  // A certificate without the address's IP, reached by IP with no name given.
  auto dns_only = issue({"worker.test"}, {});
  auto w2 = start_worker(dns_only);
  ASSERT_TRUE(w2);
  WorkerClient by_ip(addr(*w2), std::chrono::milliseconds(2000), "", dns_only);
  EXPECT_FALSE(by_ip.health().is_ok());
  dns_only.server_name = "worker.test";
  WorkerClient by_dns(addr(*w2), std::chrono::milliseconds(2000), "", dns_only);
  EXPECT_TRUE(by_dns.health().is_ok());
}

TEST(WorkerTls, TheTokenIsStillRequiredInsideTls) {
  const WorkerTls tls = issue();
  auto w = start_worker(tls, "s3cret");
  ASSERT_TRUE(w);
  WorkerClient no_token(addr(*w), std::chrono::milliseconds(2000), "", tls);
  core::Status put = no_token.put(kId, "poison");
  EXPECT_EQ(put.code(), core::StatusCode::kPermissionDenied) << put.to_string();
  EXPECT_EQ(w->store().stats().blocks, 0u);
  WorkerClient both(addr(*w), std::chrono::milliseconds(2000), "s3cret", tls);
  EXPECT_TRUE(both.put(kId, "ok").is_ok());
}

TEST(WorkerTls, AReaderReadsEveryByteThroughTlsWorkers) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("data"));
  std::mt19937 rng(7);
  std::string content(3 << 20, '\0');
  for (auto& ch : content) ch = static_cast<char>(rng());
  dir.write("data/f", content);
  const WorkerTls tls = issue();
  auto w = start_worker(tls, "s3cret");
  ASSERT_TRUE(w);
  for (int round = 0; round < 2; ++round) {
    ReaderOptions o;
    o.block_size = 1 << 20;
    o.mem_cache_bytes = 0;
    o.worker_token = "s3cret";
    o.worker_tls = tls;
    auto src = open_source("local://" + dir.file("data"));
    ASSERT_TRUE(src.ok());
    auto r = DatasetReader::create(std::move(*src), {addr(*w)}, o);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    std::string got(content.size(), '\0');
    auto n = (*r)->read("/f", 0, got.size(), got.data());
    ASSERT_TRUE(n.ok()) << n.status().to_string();
    EXPECT_EQ(*n, content.size());
    EXPECT_TRUE(got == content) << "round " << round;
    (*r)->flush();
    const ReaderStats s = (*r)->stats();
    EXPECT_EQ(s.worker_errors, 0u) << "round " << round;
    if (round == 1) {
      EXPECT_EQ(s.worker_hits, 3u) << "the second reader reads the worker's blocks";
    }
  }
  EXPECT_EQ(w->store().stats().blocks, 3u);
}

TEST(WorkerTls, BadFilesAreNamedAtStartUp) {
  TempDir dir;
  auto issued = k8s::issue_mutual_tls({"worker.test"}, {});
  ASSERT_TRUE(issued.ok());
  ASSERT_TRUE(k8s::write_tls_files(dir.file("ok"), *issued).is_ok());
  auto other = k8s::issue_mutual_tls({"worker.test"}, {});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(k8s::write_tls_files(dir.file("other"), *other).is_ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("ok/tls.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the key is owner-only";
  const std::string ca = dir.file("ok/ca.crt"), cert = dir.file("ok/tls.crt"),
                    key = dir.file("ok/tls.key");
  auto good = load_worker_tls("--tls", ca, cert, key);
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  EXPECT_EQ(good->cert_pem, issued->cert_pem);

  auto expect_error = [](const core::Result<WorkerTls>& r, const std::string& needle) {
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  expect_error(load_worker_tls("--tls", ca, cert, ""), "go together");
  expect_error(load_worker_tls("--tls", dir.file("none.crt"), cert, key),
               "--tls-ca " + dir.file("none.crt") + ": cannot read it");
  const std::string junk = dir.write("junk.crt", "not a certificate\n");
  expect_error(load_worker_tls("--worker-tls", ca, junk, key),
               "--worker-tls-cert " + junk + ": expected a PEM certificate");
  const std::string not_a_key = dir.write("cert-as-key.pem", issued->cert_pem);
  ASSERT_EQ(::chmod(not_a_key.c_str(), 0600), 0);
  expect_error(load_worker_tls("--tls", ca, cert, not_a_key),
               "--tls-key " + not_a_key + ": expected an unencrypted PEM private key");
  expect_error(load_worker_tls("--tls", ca, cert, dir.file("other/tls.key")),
               "this key does not belong to --tls-cert " + cert);
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  expect_error(load_worker_tls("--tls", ca, cert, key), "anyone on this machine can read it");
  EXPECT_FALSE(k8s::issue_mutual_tls({}, {}).ok()) << "a certificate needs a name";
}

}  // namespace
}  // namespace aqueduct::fuse
