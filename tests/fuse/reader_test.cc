// Reading datasets through the cache (no FUSE needed): every byte read equals
// the source, whatever the workers do.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "aqueduct/core/cache/hash_ring.h"
#include "aqueduct/core/hash.h"
#include "aqueduct/fuse/dataset_reader.h"
#include "aqueduct/fuse/worker.h"
#include "aqueduct/fuse/worker_client.h"
#include "cache_worker.grpc.pb.h"
#include "support/temp_dir.h"

namespace aqueduct::fuse {
namespace {

using aqueduct::testing::TempDir;
namespace fs = std::filesystem;

constexpr std::int64_t kBlock = 1 << 20;  // small blocks: many per file

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string pread_file(const std::string& path, std::int64_t off, std::size_t len) {
  int fd = ::open(path.c_str(), O_RDONLY);
  std::string out(len, '\0');
  ssize_t n = ::pread(fd, out.data(), len, off);
  ::close(fd);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::unique_ptr<Worker> worker(std::int64_t mem, const std::string& ssd = "") {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers.push_back({core::MediumType::kMem, "", mem});
  if (!ssd.empty()) cfg.tiers.push_back({core::MediumType::kSsd, ssd, mem * 2});
  auto w = Worker::start(cfg);
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  return std::move(*w);
}

std::string addr(const Worker& w) { return "127.0.0.1:" + std::to_string(w.port()); }

std::unique_ptr<DatasetReader> reader(const std::string& root, std::vector<std::string> workers,
                                      ReaderOptions o = {}) {
  o.block_size = kBlock;
  o.worker_timeout = std::chrono::milliseconds(1000);
  auto src = open_source("local://" + root);
  EXPECT_TRUE(src.ok()) << src.status().to_string();
  auto r = DatasetReader::create(std::move(*src), std::move(workers), o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return std::move(*r);
}

// Options without the reader's memory tier, so reads reach the workers.
ReaderOptions no_mem() {
  ReaderOptions o;
  o.mem_cache_bytes = 0;
  return o;
}

// Damages one byte of every block file in `folder`.
void corrupt_block_files(const std::string& folder, std::streamoff at) {
  for (const auto& e : fs::directory_iterator(folder)) {
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    f.put('!');
  }
}

// Reads all of `root`/f once through a fresh reader, so its blocks land on `w`.
void warm_worker(const std::string& root, const Worker& w, std::size_t size) {
  auto warm = reader(root, {addr(w)}, no_mem());
  std::string all(size, '\0');
  ASSERT_TRUE(warm->read("/f", 0, size, all.data()).ok());
  warm->flush();
}

// Random reads through the reader, each compared with the file itself.
void check_random_reads(DatasetReader& r, const std::string& root, const std::string& name,
                        std::int64_t size, int count, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::string buf;
  for (int i = 0; i < count; ++i) {
    std::int64_t off =
        size > 0 ? static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size + 10)) : 0;
    std::size_t len = 1 + rng() % (3 * kBlock);
    buf.assign(len, '\0');
    auto n = r.read("/" + name, off, len, buf.data());
    ASSERT_TRUE(n.ok()) << n.status().to_string();
    buf.resize(*n);
    ASSERT_EQ(buf, pread_file(root + "/" + name, off, len)) << name << " @" << off << "+" << len;
  }
}

TEST(Sources, LocalStatListReadAndPathChecks) {
  TempDir dir;
  fs::create_directories(dir.file("data/sub"));
  dir.write("data/a.bin", "hello world");
  dir.write("data/sub/b.bin", "");
  auto src = open_source("local://" + dir.file("data"));
  ASSERT_TRUE(src.ok());
  auto list = (*src)->list("/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a.bin");
  EXPECT_EQ((*list)[0].size, 11);
  EXPECT_TRUE((*list)[1].is_dir);
  EXPECT_EQ(*(*src)->read("/a.bin", 6, 100), "world");
  EXPECT_EQ((*src)->stat("/missing").status().code(), core::StatusCode::kNotFound);
  EXPECT_FALSE((*src)->read("/../etc/passwd", 0, 10).ok());
  EXPECT_FALSE(open_source("local://relative/path").ok());
  EXPECT_FALSE(open_source("ftp://host/x").ok());
  EXPECT_FALSE(open_source("no-scheme").ok());
}

// Regression: a link inside a local:// dataset exposed files outside its
// root (/etc/shadow) through the mount. Links that stay inside still work.
TEST(Sources, LocalPathsResolveBeneathTheRoot) {
  TempDir dir;
  fs::create_directories(dir.file("data/sub"));
  dir.write("data/sub/inside.bin", "inside");
  dir.write("secret", "outside");
  fs::create_symlink(dir.file("secret"), dir.file("data/abs-out"));
  fs::create_symlink("../secret", dir.file("data/rel-out"));
  fs::create_symlink("../../secret", dir.file("data/sub/deep-out"));
  fs::create_symlink("sub/inside.bin", dir.file("data/in"));
  fs::create_directory_symlink(dir.path(), dir.file("data/dir-out"));
  auto src = open_source("local://" + dir.file("data"));
  ASSERT_TRUE(src.ok());
  for (const char* p : {"/abs-out", "/rel-out", "/sub/deep-out", "/dir-out/secret"}) {
    auto r = (*src)->read(p, 0, 100);
    ASSERT_FALSE(r.ok()) << p << " read " << *r;
    EXPECT_EQ(r.status().code(), core::StatusCode::kPermissionDenied) << p;
    EXPECT_NE(r.status().message().find("outside the dataset root"), std::string::npos);
    EXPECT_FALSE((*src)->stat(p).ok()) << p;
  }
  EXPECT_EQ(*(*src)->read("/in", 0, 100), "inside");
  // The listing holds what can be read: the inside link, not the outside ones.
  auto list = (*src)->list("/");
  ASSERT_TRUE(list.ok());
  std::vector<std::string> names;
  for (const auto& f : *list) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"in", "sub"}));
}

// Regression: after a source file changed, a fresh mount served the old
// bytes from the workers (and a longer file was filled with old content).
// Blocks are keyed by the file's version, so the new content is read.
TEST(Reader, AChangedSourceFileIsNeverServedFromOldBlocks) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  const std::string v1 = random_bytes(3 * kBlock, 1);
  dir.write("data/f", v1);
  auto w = worker(64 << 20);
  warm_worker(dir.file("data"), *w, v1.size());
  ASSERT_GT(w->store().stats().blocks, 0u);
  // Rewritten in place with other bytes and a new length.
  const std::string v2 = random_bytes(4 * kBlock + 17, 2);
  dir.write("data/f", v2);
  auto fresh = reader(dir.file("data"), {addr(*w)}, no_mem());
  std::string got(v2.size(), '\0');
  auto n = fresh->read("/f", 0, got.size(), got.data());
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, v2.size());
  EXPECT_TRUE(got == v2) << "served old bytes";
  EXPECT_EQ(fresh->stats().worker_hits, 0u);
  // The same file unchanged is served by the workers again.
  fresh->flush();
  auto again = reader(dir.file("data"), {addr(*w)}, no_mem());
  ASSERT_TRUE(again->read("/f", 0, got.size(), got.data()).ok());
  EXPECT_TRUE(got == v2);
  EXPECT_GT(again->stats().worker_hits, 0u);
}

TEST(Reader, EveryByteEqualsTheSourceColdAndWarm) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::vector<std::pair<std::string, std::int64_t>> files = {
      {"empty", 0},   {"one", 1},           {"bs-1", kBlock - 1},
      {"bs", kBlock}, {"bs+1", kBlock + 1}, {"big", 7 * kBlock / 2}};
  std::uint32_t seed = 1;
  for (const auto& [name, size] : files) dir.write("data/" + name, random_bytes(size, seed++));
  auto w1 = worker(64 << 20), w2 = worker(64 << 20);
  auto r = reader(dir.file("data"), {addr(*w1), addr(*w2)}, no_mem());
  for (int round = 0; round < 2; ++round) {
    for (const auto& [name, size] : files) {
      check_random_reads(*r, dir.file("data"), name, size, 40, 100 + round);
    }
    r->flush();  // the puts of the cold round have landed
  }
  ReaderStats s = r->stats();
  EXPECT_GT(s.source_reads, 0u);
  EXPECT_GT(s.worker_hits, 0u) << "the second round comes from the workers";
  EXPECT_EQ(s.worker_errors, 0u);
  // Every block once more in full, so each is on its owner: the workers then
  // hold exactly the blocks the ring gives them. The ring is keyed by the
  // workers' addresses (ephemeral ports), so the split differs between runs
  // and is computed here rather than assumed.
  core::HashRing ring;
  ring.add(0, addr(*w1));
  ring.add(1, addr(*w2));
  std::uint64_t expected[2] = {0, 0};
  for (const auto& [name, size] : files) {
    std::string all(static_cast<std::size_t>(size), '\0');
    ASSERT_TRUE(r->read("/" + name, 0, all.size(), all.data()).ok());
    for (std::int64_t b = 0; b * kBlock < size; ++b) {
      std::uint64_t h =
          core::fnv1a64(placement_name({"default", "/" + name, static_cast<std::uint64_t>(b), ""}));
      ++expected[ring.owner(core::splitmix64(h))];
    }
  }
  r->flush();
  EXPECT_EQ(expected[0] + expected[1], 9u);
  EXPECT_EQ(w1->store().stats().blocks, expected[0]) << "blocks on the first worker";
  EXPECT_EQ(w2->store().stats().blocks, expected[1]) << "blocks on the second worker";
}

TEST(Reader, SparseTwoGiBFile) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  const std::int64_t size = 2LL << 30;
  {
    int fd = ::open(dir.file("data/sparse").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_EQ(::ftruncate(fd, size), 0);
    std::mt19937_64 rng(5);
    for (int i = 0; i < 50; ++i) {  // a few islands of data in the holes
      std::string bytes = random_bytes(4096, i);
      ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(rng() % (size - 4096))),
                4096);
    }
    ::close(fd);
  }
  auto w = worker(16 << 20);
  auto r = reader(dir.file("data"), {addr(*w)});
  check_random_reads(*r, dir.file("data"), "sparse", size, 60, 9);
  std::string tail(10, '\0');
  auto n = r->read("/sparse", size - 3, 10, tail.data());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
}

TEST(Reader, EightConcurrentReaders) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  for (int f = 0; f < 4; ++f)
    dir.write("data/f" + std::to_string(f), random_bytes(5 * kBlock + f, 40 + f));
  auto w1 = worker(32 << 20), w2 = worker(32 << 20);
  ReaderOptions o;
  o.mem_cache_bytes = 4 << 20;
  auto r = reader(dir.file("data"), {addr(*w1), addr(*w2)}, o);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::string buf;
      for (int i = 0; i < 60; ++i) {
        std::string name = "f" + std::to_string(rng() % 4);
        std::int64_t size = 5 * kBlock + (name.back() - '0');
        std::int64_t off = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size));
        std::size_t len = 1 + rng() % (2 * kBlock);
        buf.assign(len, '\0');
        auto n = r->read("/" + name, off, len, buf.data());
        if (!n.ok()) {
          ++failures;
          continue;
        }
        buf.resize(*n);
        if (buf != pread_file(dir.file("data/" + name), off, len)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
}

TEST(Reader, WorkerKilledMidReadStillGivesCorrectBytes) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  const std::int64_t size = 16 * kBlock;
  std::string data = random_bytes(size, 77);
  dir.write("data/large", data);
  auto w1 = worker(64 << 20), w2 = worker(64 << 20);
  auto r = reader(dir.file("data"), {addr(*w1), addr(*w2)}, no_mem());
  std::string warm(size, '\0');
  ASSERT_TRUE(r->read("/large", 0, size, warm.data()).ok());
  r->flush();
  ASSERT_GT(w2->store().stats().blocks, 0u) << "16 blocks spread over both workers";
  std::string out(size, '\0');
  auto half = r->read("/large", 0, size / 2, out.data());
  ASSERT_TRUE(half.ok());
  w2->stop();  // gone in the middle of the file
  auto rest = r->read("/large", size / 2, size / 2, out.data() + size / 2);
  ASSERT_TRUE(rest.ok()) << rest.status().to_string();
  EXPECT_EQ(out, data);
  std::string again(size, '\0');
  ASSERT_TRUE(r->read("/large", 0, size, again.data()).ok());  // blocks of the dead worker
  EXPECT_EQ(again, data);
  EXPECT_GT(r->stats().worker_errors, 0u);
}

TEST(Reader, CorruptedWorkerBlocksAreRepaired) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(4 * kBlock, 11);
  dir.write("data/f", data);
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers.push_back({core::MediumType::kSsd, dir.file("ssd"), 64 << 20});
  auto w = Worker::start(cfg);
  ASSERT_TRUE(w.ok());
  auto r = reader(dir.file("data"), {addr(**w)}, [] {
    ReaderOptions o = no_mem();
    o.readahead_blocks = 0;
    return o;
  }());
  std::string out(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), out.data()).ok());
  r->flush();
  corrupt_block_files(dir.file("ssd"), 123);
  std::string again(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), again.data()).ok());
  EXPECT_EQ(again, data);
  EXPECT_GE((*w)->store().stats().corrupt_blocks, 1u);
  r->flush();
  std::string third(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), third.data()).ok());
  EXPECT_EQ(third, data);
  EXPECT_EQ((*w)->store().stats().blocks, 4u) << "the repaired blocks are back on the worker";
}

// A block the reader read from the source itself is served from a worker only
// when the worker's copy matches: here the worker's copy is replaced by
// another writer (checksum consistent, contents wrong) after the reader cached
// it; whole and slice reads still give the source's bytes.
TEST(Reader, AWorkerCopyUnlikeWhatTheReaderReadIsNeverServed) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  const std::string data = random_bytes(2 * kBlock, 21);
  dir.write("data/f", data);
  auto w = worker(kBlock + kBlock / 2);  // one block fits: the second evicts the first
  auto r = reader(dir.file("data"), {addr(*w)}, [] {
    ReaderOptions o = no_mem();
    o.readahead_blocks = 0;
    o.short_circuit = false;
    return o;
  }());
  std::string out(kBlock, '\0');
  ASSERT_TRUE(r->read("/f", 0, kBlock, out.data()).ok());
  r->flush();
  ASSERT_TRUE(r->read("/f", kBlock, kBlock, out.data()).ok());
  r->flush();
  ASSERT_EQ(r->stats().source_reads, 2u);
  auto info = r->stat("/f");
  ASSERT_TRUE(info.ok());
  const BlockRef first{"default", "/f", 0, info->version};
  WorkerClient other(addr(*w), std::chrono::milliseconds(2000));
  ASSERT_FALSE(w->store().has(block_name(first))) << "evicted by the second block";
  const std::string poison(kBlock, 'X');
  ASSERT_TRUE(other.put(first, poison).is_ok());
  ASSERT_TRUE(w->store().has(block_name(first)));

  // A slice of block 0 (random access), then all of it.
  std::string slice(100, '\0');
  auto n = r->read("/f", 1000, slice.size(), slice.data());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(slice, data.substr(1000, 100));
  ASSERT_TRUE(r->read("/f", 0, kBlock, out.data()).ok());
  EXPECT_EQ(out, data.substr(0, kBlock));
  EXPECT_GE(r->stats().rejected_blocks, 1u);
  EXPECT_EQ(r->stats().worker_hits, 0u);
}

TEST(Reader, SmallQuotaEvictsAndStillServesCorrectData) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(24 * kBlock, 3);
  dir.write("data/f", data);
  auto w = worker(4 << 20);
  auto r = reader(dir.file("data"), {addr(*w)}, no_mem());
  for (int round = 0; round < 2; ++round) {
    std::string out(data.size(), '\0');
    ASSERT_TRUE(r->read("/f", 0, data.size(), out.data()).ok());
    EXPECT_EQ(out, data);
    r->flush();
  }
  EXPECT_GT(w->store().stats().evictions, 0u);
}

TEST(Reader, RandomSmallReadsMoveOnlyTheirBytes) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(16 * kBlock, 8);
  dir.write("data/f", data);
  auto w = worker(64 << 20);
  ReaderOptions small = no_mem();
  small.mem_cache_bytes = 2 * kBlock;
  auto r = reader(dir.file("data"), {addr(*w)}, small);
  std::string all(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), all.data()).ok());  // warm the worker
  r->flush();
  const std::uint64_t before = w->store().stats().bytes_served;
  std::mt19937_64 rng(4);
  std::string buf(4096, '\0');
  for (int i = 0; i < 100; ++i) {
    std::int64_t off = static_cast<std::int64_t>(rng() % (data.size() - 4096));
    auto n = r->read("/f", off, 4096, buf.data());
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(buf, data.substr(static_cast<std::size_t>(off), 4096));
  }
  const std::uint64_t moved = w->store().stats().bytes_served - before;
  // Whole blocks would move 100 x 1 MiB. Each read moves the 64 KiB chunks
  // around it (the reader checks them against its own reading from the
  // source), one or two; a read that lands next to an earlier one is still
  // random, not a stream.
  EXPECT_LE(moved, 100u * 2 * (64u << 10)) << "position reads, not whole blocks";
}

// A worker that holds nothing and takes 20 ms to store a block: reads
// outrun its puts, as a slow or busy worker's do.
class SlowPutsWorker final : public v1::CacheWorker::Service {
 public:
  grpc::Status Get(grpc::ServerContext*, const v1::GetRequest*,
                   grpc::ServerWriter<v1::GetChunk>* out) override {
    v1::GetChunk miss;
    miss.set_found(false);
    out->Write(miss);
    return grpc::Status::OK;
  }
  grpc::Status Put(grpc::ServerContext*, grpc::ServerReader<v1::PutChunk>* in,
                   v1::PutReply* reply) override {
    v1::PutChunk chunk;
    while (in->Read(&chunk)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ++stored;
    reply->set_stored(true);
    return grpc::Status::OK;
  }
  grpc::Status Locate(grpc::ServerContext*, const v1::LocateRequest*, v1::LocateReply*) override {
    return grpc::Status::OK;
  }
  grpc::Status Health(grpc::ServerContext*, const v1::HealthRequest*, v1::HealthReply*) override {
    return grpc::Status::OK;
  }
  std::atomic<std::uint64_t> stored{0};
};

// Regression: `aqueduct load` could read blocks faster than a worker stored
// them, and the put queue dropped the backlog (64 blocks) without a word: a
// load reported success with part of the dataset not cached. With
// wait_for_puts (load) every block reaches its worker; without it (the
// mount, whose cache is best effort) each block is stored or counted as
// lost, with the reason, never silently gone.
TEST(Reader, EveryBlockReadIsStoredOrCountedAsLost) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  constexpr int kBlocks = 100;
  constexpr std::int64_t kSmall = 4096;
  dir.write("data/f", random_bytes(kBlocks * kSmall, 3));
  for (bool wait : {true, false}) {
    SlowPutsWorker service;
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    auto server = builder.BuildAndStart();
    ASSERT_TRUE(server && port > 0);
    ReaderOptions o = no_mem();
    o.readahead_blocks = 0;
    o.wait_for_puts = wait;
    o.block_size = kSmall;
    auto src = open_source("local://" + dir.file("data"));
    ASSERT_TRUE(src.ok());
    auto r = DatasetReader::create(std::move(*src), {"127.0.0.1:" + std::to_string(port)}, o);
    ASSERT_TRUE(r.ok());
    for (int b = 0; b < kBlocks; ++b) ASSERT_TRUE((*r)->block("/f", b).ok());
    (*r)->flush();
    const ReaderStats s = (*r)->stats();
    EXPECT_EQ(s.worker_puts, service.stored.load());
    EXPECT_EQ(service.stored + s.puts_lost, static_cast<std::uint64_t>(kBlocks)) << wait;
    if (wait) {
      EXPECT_EQ(s.puts_lost, 0u);
    } else {
      EXPECT_GT(s.puts_lost, 0u) << "100 reads outrun 20 ms puts two at a time";
      EXPECT_NE(s.first_put_error.find("the put queue was full (64 blocks)"), std::string::npos)
          << s.first_put_error;
    }
    server->Shutdown();
  }
}

// A local source whose whole-block reads of blocks past the first wait at a
// gate until the test opens it, and that counts them: background fetches
// pile up while the foreground's small reads and first blocks go through.
class GatedSource final : public Source {
 public:
  GatedSource(std::unique_ptr<Source> inner, std::int64_t block)
      : inner_(std::move(inner)), block_(block) {}
  std::string uri() const override { return inner_->uri(); }
  core::Result<FileInfo> stat(const std::string& path) override { return inner_->stat(path); }
  core::Result<std::vector<FileInfo>> list(const std::string& dir) override {
    return inner_->list(dir);
  }
  core::Result<std::string> read(const std::string& path, std::int64_t offset,
                                 std::int64_t length) override {
    if (length > 4096 && offset >= block_) {
      ++whole_reads;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return open_; });
    }
    return inner_->read(path, offset, length);
  }
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::atomic<int> whole_reads{0};

 private:
  std::unique_ptr<Source> inner_;
  std::int64_t block_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Waits for flush() at most 60 s; a flush that never returns fails the test.
void expect_flush_returns(DatasetReader& r) {
  auto done = std::async(std::launch::async, [&r] { r.flush(); });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready)
      << "flush() waits for a readahead that will never run";
}

// A reader of dir/data through a GatedSource, without workers or a memory
// tier; the gate stays with the test.
struct GatedReader {
  std::unique_ptr<DatasetReader> reader;
  GatedSource* gate = nullptr;
};
GatedReader gated_reader(const TempDir& dir, std::int64_t block, int readahead_threads) {
  auto local = open_source("local://" + dir.file("data"));
  EXPECT_TRUE(local.ok());
  auto gated = std::make_unique<GatedSource>(std::move(*local), block);
  GatedReader out;
  out.gate = gated.get();
  ReaderOptions o = no_mem();
  o.block_size = block;
  o.readahead_threads = readahead_threads;
  auto r = DatasetReader::create(std::move(gated), {}, o);
  EXPECT_TRUE(r.ok());
  out.reader = std::move(*r);
  return out;
}

// Regression: a readahead request beyond the 64 queued was marked pending but
// never queued, so the mark never cleared and flush() (as `aqueduct load`
// and unmount call it) waited forever.
TEST(Reader, ReadaheadBeyondAFullQueueNeverHangsFlush) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  constexpr std::int64_t kSmall = 64 << 10;
  for (int f = 0; f < 30; ++f) dir.write("data/f" + std::to_string(f), random_bytes(5 * kSmall, f));
  auto [r, gate] = gated_reader(dir, kSmall, 1);
  ASSERT_TRUE(r);
  std::string buf(4096, '\0');
  // Three contiguous reads make a stream: the third asks for blocks 1-4 of
  // each file, 120 in all, while the one readahead thread waits at the gate.
  for (int f = 0; f < 30; ++f) {
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(r->read("/f" + std::to_string(f), k * 4096, 4096, buf.data()).ok());
    }
  }
  gate->open();
  expect_flush_returns(*r);
}

// A burst of cold random reads while the background is busy caches only the
// blocks the background has room for: without the bound, each read queued a
// whole-block read (64 at a time), which the workers could not store as
// fast, and the next miss read the block again.
TEST(Reader, ColdRandomBurstsQueueNoMoreWholeBlocksThanTheBackgroundTakes) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  constexpr std::int64_t kSmall = 64 << 10;
  constexpr int kBlocks = 201;
  dir.write("data/f", random_bytes(kBlocks * kSmall, 9));
  auto [r, gate] = gated_reader(dir, kSmall, 2);
  ASSERT_TRUE(r);
  std::string buf(4096, '\0');
  const std::string data = pread_file(dir.file("data/f"), 0, kBlocks * kSmall);
  for (int i = 1; i < kBlocks; ++i) {
    const std::int64_t block = 1 + (i * 37) % (kBlocks - 1);  // jumps: never a stream
    const std::int64_t off = block * kSmall + 100;
    auto n = r->read("/f", off, 4096, buf.data());
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(buf, data.substr(static_cast<std::size_t>(off), 4096));
  }
  // The reads all returned while the gate is shut: at most the one block
  // being cached waits there, never one per reader or per thread.
  EXPECT_LE(gate->whole_reads.load(), 1);
  gate->open();
  expect_flush_returns(*r);
  const ReaderStats s = r->stats();
  // One fetch at the gate (passive caching takes one block at a time) and
  // eight queued behind it, at most.
  EXPECT_LE(gate->whole_reads.load(), 9);
  EXPECT_GE(s.passive_skipped, static_cast<std::uint64_t>(kBlocks - 1 - 9));
}

TEST(Reader, ColdRandomReadsTakeTheirBytesFromTheSourceAndCacheTheBlock) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(8 * kBlock, 31);
  dir.write("data/f", data);
  auto w = worker(64 << 20);
  auto r = reader(dir.file("data"), {addr(*w)}, no_mem());
  std::string buf(4096, '\0');
  const std::int64_t offsets[] = {5 * kBlock + 17, 2 * kBlock + 4000, 7 * kBlock + 9};
  for (std::int64_t off : offsets) {
    ASSERT_TRUE(r->read("/f", off, 4096, buf.data()).ok());
    ASSERT_EQ(buf, data.substr(static_cast<std::size_t>(off), 4096));
  }
  r->flush();
  EXPECT_EQ(w->store().stats().blocks, 3u)
      << "each touched block is cached whole in the background";
  const std::uint64_t source_before = r->stats().source_reads;
  for (std::int64_t off : offsets) {
    ASSERT_TRUE(r->read("/f", off + 100, 4096, buf.data()).ok());
    ASSERT_EQ(buf, data.substr(static_cast<std::size_t>(off + 100), 4096));
  }
  EXPECT_EQ(r->stats().source_reads, source_before) << "the second reads come from the worker";
}

// A worker whose memory tier is a folder (a tmpfs in production).
std::unique_ptr<Worker> file_backed_worker(const std::string& folder, std::int64_t quota,
                                           const std::string& host_id = "") {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers.push_back({core::MediumType::kMem, folder, quota});
  cfg.host_id = host_id;
  auto w = Worker::start(cfg);
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  return std::move(*w);
}

TEST(Reader, ShortCircuitReadsCoLocatedBlockFilesWithoutGrpcBytes) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(8 * kBlock + 77, 21);
  dir.write("data/f", data);
  auto w = file_backed_worker(dir.file("shm"), 64 << 20);
  warm_worker(dir.file("data"), *w, data.size());
  ASSERT_EQ(w->store().stats().blocks, 9u);
  const std::uint64_t served = w->store().stats().bytes_served;
  auto r = reader(dir.file("data"), {addr(*w)}, no_mem());
  std::string all(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), all.data()).ok());
  EXPECT_EQ(all, data);
  std::mt19937_64 rng(5);
  std::string buf(4096, '\0');
  for (int i = 0; i < 200; ++i) {
    std::int64_t off = static_cast<std::int64_t>(rng() % (data.size() - 4096));
    ASSERT_TRUE(r->read("/f", off, 4096, buf.data()).ok());
    ASSERT_EQ(buf, data.substr(static_cast<std::size_t>(off), 4096)) << off;
  }
  EXPECT_GE(r->stats().short_circuit_reads, 9u + 150u);
  EXPECT_EQ(r->stats().source_reads, 0u);
  EXPECT_EQ(w->store().stats().bytes_served, served) << "no block bytes went over gRPC";
}

TEST(Reader, ShortCircuitRejectsADamagedBlockFileAndStillReadsCorrectly) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(4 * kBlock, 22);
  dir.write("data/f", data);
  auto w = file_backed_worker(dir.file("shm"), 64 << 20);
  warm_worker(dir.file("data"), *w, data.size());
  corrupt_block_files(dir.file("shm"), 1000);
  auto r = reader(dir.file("data"), {addr(*w)}, no_mem());
  std::string all(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), all.data()).ok());
  EXPECT_EQ(all, data);
  EXPECT_EQ(r->stats().short_circuit_rejects, 4u);
  EXPECT_EQ(r->stats().short_circuit_reads, 0u);
  EXPECT_EQ(w->store().stats().corrupt_blocks, 4u) << "the worker found them too and dropped them";
}

TEST(Reader, ShortCircuitOnlyForWorkersOnThisNode) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(4 * kBlock, 23);
  dir.write("data/f", data);
  auto w = file_backed_worker(dir.file("shm"), 64 << 20, "another-node");
  for (int pass = 0; pass < 2; ++pass) {
    auto r = reader(dir.file("data"), {addr(*w)}, no_mem());
    std::string all(data.size(), '\0');
    ASSERT_TRUE(r->read("/f", 0, data.size(), all.data()).ok());
    EXPECT_EQ(all, data);
    EXPECT_EQ(r->stats().short_circuit_reads, 0u);
    if (pass == 1) {
      EXPECT_EQ(r->stats().worker_hits, 4u);
    }
    r->flush();
  }
  ReaderOptions off = no_mem();
  off.short_circuit = false;
  auto w2 = file_backed_worker(dir.file("shm2"), 64 << 20);
  auto r = reader(dir.file("data"), {addr(*w2)}, off);
  std::string all(data.size(), '\0');
  ASSERT_TRUE(r->read("/f", 0, data.size(), all.data()).ok());
  r->flush();
  ASSERT_TRUE(r->read("/f", 0, data.size(), all.data()).ok());
  EXPECT_EQ(r->stats().short_circuit_reads, 0u);
  EXPECT_EQ(r->stats().worker_hits, 4u);
}

TEST(Reader, ShortCircuitSurvivesEvictionOfOpenBlockFiles) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  std::string data = random_bytes(24 * kBlock, 24);
  dir.write("data/f", data);
  auto w = file_backed_worker(dir.file("shm"), 4 << 20);
  ReaderOptions o = no_mem();
  o.meta_ttl = std::chrono::milliseconds(0);  // re-check every open file for removal
  auto r = reader(dir.file("data"), {addr(*w)}, o);
  for (int round = 0; round < 3; ++round) {
    std::string out(data.size(), '\0');
    ASSERT_TRUE(r->read("/f", 0, data.size(), out.data()).ok());
    EXPECT_EQ(out, data);
    r->flush();
  }
  EXPECT_GT(w->store().stats().evictions, 0u);
}

TEST(Reader, MetadataIsCachedForTheTtl) {
  TempDir dir;
  fs::create_directories(dir.file("data"));
  dir.write("data/f", "abc");
  ReaderOptions forever;
  forever.meta_ttl = std::chrono::hours(1);
  auto cached = reader(dir.file("data"), {}, forever);
  ReaderOptions never;
  never.meta_ttl = std::chrono::milliseconds(0);
  auto fresh = reader(dir.file("data"), {}, never);
  EXPECT_EQ(cached->stat("/f")->size, 3);
  EXPECT_EQ(fresh->stat("/f")->size, 3);
  dir.write("data/f", "abcdef");
  EXPECT_EQ(cached->stat("/f")->size, 3) << "within the TTL";
  EXPECT_EQ(fresh->stat("/f")->size, 6);
  EXPECT_EQ(cached->stat("/nope").status().code(), core::StatusCode::kNotFound);
}

// nginx started on 127.0.0.1 serving a folder with JSON autoindex.
class Nginx {
 public:
  explicit Nginx(const TempDir& dir, const std::string& root) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::close(s);
    std::string conf = dir.write(
        "nginx.conf", "daemon off;\nworker_processes 1;\npid " + dir.file("nginx.pid") +
                          ";\nerror_log " + dir.file("error.log") +
                          ";\nevents { worker_connections 256; }\nhttp {\n access_log off;\n"
                          " client_body_temp_path " +
                          dir.file("tmp") +
                          ";\n"
                          " server {\n  listen 127.0.0.1:" +
                          std::to_string(port_) + ";\n  root " + root +
                          ";\n  location / { autoindex on; autoindex_format json; }\n }\n}\n");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(kNginx, "nginx", "-c", conf.c_str(), "-p", dir.path().c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ~Nginx() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
  }
  int port() const { return port_; }
  static constexpr const char* kNginx = "/usr/sbin/nginx";

 private:
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(Reader, ThroughNginxWithRangeRequests) {
  if (!fs::exists(Nginx::kNginx))
    GTEST_SKIP() << "nginx is not installed (apt-get install nginx-light)";
  TempDir dir;
  fs::create_directories(dir.file("www/set/sub dir"));
  fs::create_directories(dir.file("tmp"));
  std::vector<std::pair<std::string, std::int64_t>> files = {
      {"set/a.bin", 3 * kBlock + 17}, {"set/sub dir/b.bin", kBlock}, {"set/empty", 0}};
  std::uint32_t seed = 9;
  for (const auto& [name, size] : files) dir.write("www/" + name, random_bytes(size, seed++));
  Nginx nginx(dir, dir.file("www"));
  ASSERT_TRUE(nginx.ready()) << "nginx did not start; see " << dir.file("error.log");
  auto src = open_source("http://127.0.0.1:" + std::to_string(nginx.port()) + "/set");
  ASSERT_TRUE(src.ok());
  auto list = (*src)->list("/");
  ASSERT_TRUE(list.ok()) << list.status().to_string();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "a.bin");
  EXPECT_EQ((*list)[0].size, 3 * kBlock + 17);
  EXPECT_TRUE((*list)[2].is_dir);
  EXPECT_EQ((*list)[2].name, "sub dir");
  auto w = worker(32 << 20);
  ReaderOptions o;
  o.block_size = kBlock;
  auto r = DatasetReader::create(std::move(*src), {addr(*w)}, o);
  ASSERT_TRUE(r.ok());
  check_random_reads(**r, dir.file("www/set"), "a.bin", 3 * kBlock + 17, 30, 1);
  check_random_reads(**r, dir.file("www/set"), "sub dir/b.bin", kBlock, 10, 2);
  check_random_reads(**r, dir.file("www/set"), "empty", 0, 3, 3);
  EXPECT_EQ((*r)->stat("/nope.bin").status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace aqueduct::fuse
