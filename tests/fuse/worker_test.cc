// The cache worker over real gRPC on 127.0.0.1: bytes in equal bytes out,
// checksums, eviction, corrupted blocks, malformed requests, metrics.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "aqueduct/fuse/worker.h"
#include "aqueduct/fuse/worker_client.h"
#include "cache_worker.grpc.pb.h"
#include "support/temp_dir.h"

namespace aqueduct::fuse {
namespace {

using aqueduct::testing::TempDir;

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::unique_ptr<Worker> start(std::vector<TierConfig> tiers, std::string metrics = "") {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers = std::move(tiers);
  cfg.metrics_listen = std::move(metrics);
  cfg.chunk_bytes = 64 << 10;  // several chunks per block
  auto w = Worker::start(cfg);
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  return w.ok() ? std::move(*w) : nullptr;
}

std::string addr(const Worker& w) { return "127.0.0.1:" + std::to_string(w.port()); }

TEST(Checksums, PartsGiveTheSumOfTheWhole) {
  const std::string data = random_bytes(300000, 5);
  for (std::size_t part : {std::size_t{1}, std::size_t{4096}, std::size_t{65536}, data.size()}) {
    XxHash64 h;
    for (std::size_t at = 0; at < data.size(); at += part)
      h.update(std::string_view(data).substr(at, part));
    EXPECT_EQ(h.digest(), xxh64(data)) << part;
  }
  EXPECT_EQ(XxHash64().digest(), xxh64({}));
}

TEST(TierFlag, Parses) {
  auto m = parse_tier("mem:4Gi");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->medium, core::MediumType::kMem);
  EXPECT_EQ(m->quota_bytes, 4LL << 30);
  auto s = parse_tier("ssd:/tmp/x:100Gi:high=0.9:low=0.5");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->path, "/tmp/x");
  EXPECT_DOUBLE_EQ(s->low, 0.5);
  auto shm = parse_tier("mem:/dev/shm/aq:2Gi:high=0.8");
  ASSERT_TRUE(shm.ok()) << shm.status().to_string();
  EXPECT_EQ(shm->medium, core::MediumType::kMem);
  EXPECT_EQ(shm->path, "/dev/shm/aq");
  EXPECT_EQ(shm->quota_bytes, 2LL << 30);
  EXPECT_DOUBLE_EQ(shm->high, 0.8);
  EXPECT_TRUE(parse_tier("mem:4Gi:low=0.5")->path.empty());
  for (const char* bad :
       {"mem", "ram:4Gi", "ssd:4Gi", "mem:lots", "mem:4Gi:high=2", "mem:/x:lots"}) {
    EXPECT_FALSE(parse_tier(bad).ok()) << bad;
  }
}

TEST(Worker, RoundTripsEveryShapeOfBlock) {
  auto w = start({{core::MediumType::kMem, "", 64 << 20}});
  ASSERT_TRUE(w);
  WorkerClient c(addr(*w));
  ASSERT_TRUE(c.health().is_ok());
  const std::size_t bs = 4 << 20;
  std::uint32_t seed = 1;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, bs - 1, bs, bs + 1}) {
    BlockRef id{"default/ds", "/dir/file-" + std::to_string(n), 3, "v1"};
    std::string data = random_bytes(n, seed++);
    auto miss = c.get(id);
    ASSERT_TRUE(miss.ok()) << miss.status().to_string();
    EXPECT_FALSE(miss->has_value());
    ASSERT_TRUE(c.put(id, data).is_ok()) << n;
    auto hit = c.get(id);
    ASSERT_TRUE(hit.ok() && hit->has_value()) << n;
    EXPECT_EQ((*hit)->data, data) << n;
    EXPECT_EQ((*hit)->tier, 0);
    auto slice = c.get_range(id, n / 3, 4096);  // a position read: only those bytes travel
    ASSERT_TRUE(slice.ok() && slice->has_value()) << n;
    EXPECT_EQ((*slice)->data, data.substr(n / 3, 4096)) << n;
  }
  auto has =
      c.has({{"default/ds", "/dir/file-1", 3, "v1"}, {"default/ds", "/dir/file-1", 4, "v1"}});
  ASSERT_TRUE(has.ok());
  EXPECT_EQ(*has, (std::vector<bool>{true, false}));
  auto st = c.stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->blocks, 5u);
  EXPECT_EQ(st->hits, 10u);
  EXPECT_EQ(st->misses, 5u);
}

TEST(Worker, EvictionUnderASmallQuotaKeepsServingCorrectData) {
  TempDir dir;
  auto w = start({{core::MediumType::kMem, "", 3 << 20, 0.9, 0.6},
                  {core::MediumType::kSsd, dir.file("ssd"), 6 << 20, 0.9, 0.6}});
  ASSERT_TRUE(w);
  WorkerClient c(addr(*w));
  std::vector<std::string> blocks;
  for (int i = 0; i < 20; ++i) {
    blocks.push_back(random_bytes(1 << 20, 100 + i));
    ASSERT_TRUE(c.put({"d", "/f", static_cast<std::uint64_t>(i), "v1"}, blocks.back()).is_ok());
  }
  int present = 0, on_ssd = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = c.get({"d", "/f", static_cast<std::uint64_t>(i), "v1"});
    ASSERT_TRUE(r.ok());
    if (!r->has_value()) continue;
    ++present;
    on_ssd += (*r)->tier == 1;
    EXPECT_EQ((*r)->data, blocks[i]) << "block " << i;
  }
  EXPECT_GT(present, 3);
  EXPECT_LT(present, 20) << "the quota forces evictions";
  EXPECT_GT(on_ssd, 0) << "blocks were demoted to the SSD tier";
  auto st = c.stats();
  ASSERT_TRUE(st.ok());
  EXPECT_GT(st->evictions, 0u);
  EXPECT_LE(st->tiers[0].used_bytes, 3 << 20);
  EXPECT_LE(st->tiers[1].used_bytes, 6 << 20);
}

// Block files stay open between reads (a slice is one pread); a block that
// leaves its level, or more blocks than files kept open, still read right.
TEST(Worker, OpenBlockFilesFollowEvictionAndTheirLimit) {
  TempDir dir;
  auto w = start({{core::MediumType::kSsd, dir.file("ssd"), 4 << 20}});
  ASSERT_TRUE(w);
  WorkerClient c(addr(*w));
  const BlockRef a{"d", "/a", 0, "v1"};
  const std::string first = random_bytes(1 << 20, 1);
  ASSERT_TRUE(c.put(a, first).is_ok());
  for (int i = 0; i < 3; ++i) {
    auto s = c.get_range(a, 1000, 4096);
    ASSERT_TRUE(s.ok() && s->has_value());
    EXPECT_EQ((*s)->data, first.substr(1000, 4096));
  }
  // Four more blocks evict the first (a 4 MiB level).
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(
        c.put({"d", "/b", static_cast<std::uint64_t>(i), "v1"}, random_bytes(1 << 20, 10 + i))
            .is_ok());
  }
  auto gone = c.get_range(a, 1000, 4096);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value()) << "an evicted block is not served from its open file";
  const std::string second = random_bytes(1 << 20, 2);
  ASSERT_TRUE(c.put(a, second).is_ok());
  auto again = c.get_range(a, 1000, 4096);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->data, second.substr(1000, 4096));

  // More blocks than files kept open (512): every one reads right, twice.
  TempDir many_dir;
  auto many = start({{core::MediumType::kSsd, many_dir.file("ssd"), 64 << 20}});
  ASSERT_TRUE(many);
  WorkerClient m(addr(*many));
  for (std::uint64_t i = 0; i < 600; ++i) {
    ASSERT_TRUE(m.put({"d", "/m", i, "v1"}, "block " + std::to_string(i)).is_ok());
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (std::uint64_t i = 0; i < 600; ++i) {
      auto s = m.get_range({"d", "/m", i, "v1"}, 6, 8);
      ASSERT_TRUE(s.ok() && s->has_value()) << i;
      ASSERT_EQ((*s)->data, std::to_string(i).substr(0, 8)) << i;
    }
  }
}

TEST(Worker, CorruptedBlockIsDetectedDroppedAndRepaired) {
  TempDir dir;
  auto w = start({{core::MediumType::kSsd, dir.file("ssd"), 16 << 20}});
  ASSERT_TRUE(w);
  WorkerClient c(addr(*w));
  BlockRef id{"d", "/f", 0, "v1"};
  std::string data = random_bytes(100000, 7);
  ASSERT_TRUE(c.put(id, data).is_ok());
  // Flip one byte of the block file on disk.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("ssd"))) {
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(500);
    f.put('\x5a' ^ data[500]);
    ++files;
  }
  ASSERT_EQ(files, 1);
  auto r = c.get(id);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value()) << "a damaged block is never served";
  EXPECT_EQ(c.stats()->corrupt_blocks, 1u);
  ASSERT_TRUE(c.put(id, data).is_ok());  // the reader re-reads the source and puts it back
  auto again = c.get(id);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->data, data);
}

TEST(Worker, MalformedRequestsAreAnsweredNotFatal) {
  auto w = start({{core::MediumType::kMem, "", 8 << 20}});
  ASSERT_TRUE(w);
  auto channel = grpc::CreateChannel(addr(*w), grpc::InsecureChannelCredentials());
  auto stub = aqueduct::v1::CacheWorker::NewStub(channel);
  {  // Get without a dataset.
    grpc::ClientContext ctx;
    aqueduct::v1::GetRequest req;
    auto reader = stub->Get(&ctx, req);
    aqueduct::v1::GetChunk chunk;
    while (reader->Read(&chunk)) {
    }
    grpc::Status st = reader->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("id.dataset"), std::string::npos);
  }
  {  // Put that sends fewer bytes than it declared.
    grpc::ClientContext ctx;
    aqueduct::v1::PutReply reply;
    auto writer = stub->Put(&ctx, &reply);
    aqueduct::v1::PutChunk c;
    c.mutable_id()->set_dataset("d");
    c.mutable_id()->set_path("/f");
    c.set_size(1000);
    c.set_data("short");
    writer->Write(c);
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {  // Put with a wrong checksum.
    grpc::ClientContext ctx;
    aqueduct::v1::PutReply reply;
    auto writer = stub->Put(&ctx, &reply);
    aqueduct::v1::PutChunk c;
    c.mutable_id()->set_dataset("d");
    c.mutable_id()->set_path("/f");
    c.set_size(4);
    c.set_xxh64(12345);
    c.set_data("data");
    writer->Write(c);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {  // An empty Put stream, and a block over the limit.
    grpc::ClientContext ctx;
    aqueduct::v1::PutReply reply;
    auto writer = stub->Put(&ctx, &reply);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    grpc::ClientContext ctx2;
    auto big = stub->Put(&ctx2, &reply);
    aqueduct::v1::PutChunk c;
    c.mutable_id()->set_dataset("d");
    c.mutable_id()->set_path("/f");
    c.set_size(1ULL << 40);
    big->Write(c);
    big->WritesDone();
    EXPECT_EQ(big->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  {  // Raw garbage on the wire: not a protobuf at all.
    grpc::GenericStub generic(channel);
    grpc::ClientContext ctx;
    grpc::CompletionQueue cq;
    grpc::Slice s("\xff\xff\xff\xff garbage", 13);
    grpc::ByteBuffer buf(&s, 1);
    auto call = generic.PrepareUnaryCall(&ctx, "/aqueduct.v1.CacheWorker/Stats", buf, &cq);
    call->StartCall();
    grpc::ByteBuffer out;
    grpc::Status st;
    call->Finish(&out, &st, reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_FALSE(st.ok());
  }
  // Still serving, and a block that does not exist is a clean miss.
  WorkerClient c(addr(*w));
  EXPECT_TRUE(c.health().is_ok());
  auto miss = c.get({"nope", "/never", 99, "v1"});
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->has_value());
}

TEST(Worker, UnreachableWorkerIsAStatusNotACrash) {
  WorkerClient c("127.0.0.1:1", std::chrono::milliseconds(300));
  auto r = c.get({"d", "/f", 0, "v1"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_FALSE(c.put({"d", "/f", 0, "v1"}, "x").is_ok());
}

// Regression: anyone who could reach a worker could write blocks that mounts
// then served. With a token, a call without it (or with another) is refused
// and stores nothing; Health stays open for probes.
TEST(Worker, CallsWithoutTheTokenAreRefused) {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers = {{core::MediumType::kMem, "", 8 << 20}};
  cfg.auth_token = "s3cret-token";
  auto w = Worker::start(cfg);
  ASSERT_TRUE(w.ok());
  const BlockRef id{"d", "/f", 0, "v1"};
  for (const char* token : {"", "wrong", "s3cret-token-but-longer"}) {
    WorkerClient c(addr(**w), std::chrono::milliseconds(2000), token);
    core::Status put = c.put(id, "poison");
    ASSERT_FALSE(put.is_ok()) << token;
    EXPECT_EQ(put.code(), core::StatusCode::kPermissionDenied) << put.message();
    EXPECT_NE(put.message().find("needs its token"), std::string::npos);
    EXPECT_FALSE(c.get(id).ok());
    EXPECT_FALSE(c.has({id}).ok());
    EXPECT_TRUE(c.health().is_ok());
  }
  EXPECT_EQ((*w)->store().stats().blocks, 0u) << "nothing was stored";
  WorkerClient good(addr(**w), std::chrono::milliseconds(2000), "s3cret-token");
  ASSERT_TRUE(good.put(id, "the real bytes").is_ok());
  auto got = good.get(id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->data, "the real bytes");
}

// Regression: Put answered stored=1 when the store admitted nothing.
TEST(Worker, PutSaysWhenNothingWasStored) {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers = {{core::MediumType::kMem, "", 100}};
  cfg.eviction = "keep";  // a full level admits nothing new
  auto w = Worker::start(cfg);
  ASSERT_TRUE(w.ok());
  WorkerClient c(addr(**w));
  ASSERT_TRUE(c.put({"d", "/a", 0, "v1"}, std::string(90, 'a')).is_ok());
  core::Status second = c.put({"d", "/b", 0, "v1"}, std::string(50, 'b'));
  ASSERT_FALSE(second.is_ok());
  EXPECT_NE(second.message().find("not admitted"), std::string::npos) << second.message();
  auto b = c.get({"d", "/b", 0, "v1"});
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());
}

TEST(Worker, PrometheusMetrics) {
  auto w = start({{core::MediumType::kMem, "", 8 << 20}}, "127.0.0.1:0");
  ASSERT_TRUE(w);
  ASSERT_GT(w->metrics_port(), 0);
  WorkerClient c(addr(*w));
  ASSERT_TRUE(c.put({"d", "/f", 0, "v1"}, "hello").is_ok());
  ASSERT_TRUE(c.get({"d", "/f", 0, "v1"}).ok());
  ASSERT_TRUE(c.get({"d", "/g", 0, "v1"}).ok());
  httplib::Client http("127.0.0.1", w->metrics_port());
  auto res = http.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  for (const char* line : {"aqueduct_worker_hits_total 1", "aqueduct_worker_misses_total 1",
                           "aqueduct_worker_bytes_served_total 5",
                           "aqueduct_worker_tier_capacity_bytes{tier=\"0\",medium=\"MEM\"} 8388608",
                           "aqueduct_worker_get_latency_seconds_count 2",
                           "# TYPE aqueduct_worker_get_latency_seconds histogram"}) {
    EXPECT_NE(res->body.find(line), std::string::npos) << line << "\n" << res->body;
  }
}

TEST(Worker, BadConfigsAreClearErrors) {
  WorkerConfig cfg;
  EXPECT_NE(Worker::start(cfg).status().message().find("--tier"), std::string::npos);
  cfg.tiers = {{core::MediumType::kMem, "", 1 << 20}};
  cfg.eviction = "bogus";
  EXPECT_NE(Worker::start(cfg).status().message().find("bogus"), std::string::npos);
  cfg.eviction = "lru";
  cfg.listen = "256.1.1.1:99999";
  EXPECT_FALSE(Worker::start(cfg).ok());
}

}  // namespace
}  // namespace aqueduct::fuse
