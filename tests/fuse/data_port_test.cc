// Slice reads off the gRPC path: the worker's data port (plain TCP frames)
// and ReadSlices sessions, with the token, limits, malformed frames, stalls
// and fallbacks; all on 127.0.0.1.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <random>
#include <thread>

#include "aqueduct/fuse/slice_frames.h"
#include "aqueduct/fuse/worker.h"
#include "aqueduct/fuse/worker_client.h"
#include "cache_worker.grpc.pb.h"
#include "data_port_client.h"
#include "tcp_socket.h"

namespace aqueduct::fuse {
namespace {

using namespace std::chrono_literals;
namespace v1 = aqueduct::v1;

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::unique_ptr<Worker> start(std::string data_listen = "", std::string token = "",
                              int max_sessions = 128) {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers = {{core::MediumType::kMem, "", 32 << 20}};
  cfg.data_listen = std::move(data_listen);
  cfg.auth_token = std::move(token);
  cfg.max_slice_sessions = max_sessions;
  auto w = Worker::start(cfg);
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  return w.ok() ? std::move(*w) : nullptr;
}

std::string addr(const Worker& w) { return "127.0.0.1:" + std::to_string(w.port()); }

std::uint64_t metric(const Worker& w, const std::string& name) {
  const std::string text = w.metrics_text();
  const auto at = text.find("\n" + name + " ");
  EXPECT_NE(at, std::string::npos) << name;
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + name.size() + 2));
}

TEST(SliceFrames, RoundTripAndBounds) {
  SliceRequestFrame r{"ns/ds", "/dir/file", "v7", 3, 12345, 4096};
  const std::string wire = encode_slice_request(r);
  SliceRequestFrame back;
  auto body = decode_slice_request_header(wire.substr(0, kSliceRequestHeaderBytes), &back, 1 << 20);
  ASSERT_TRUE(body.ok()) << body.status().to_string();
  ASSERT_EQ(*body, wire.size() - kSliceRequestHeaderBytes);
  ASSERT_TRUE(decode_slice_request_body(wire.substr(kSliceRequestHeaderBytes), &back).is_ok());
  EXPECT_EQ(back.dataset, r.dataset);
  EXPECT_EQ(back.path, r.path);
  EXPECT_EQ(back.version, r.version);
  EXPECT_EQ(back.index, 3u);
  EXPECT_EQ(back.offset, 12345u);
  EXPECT_EQ(back.length, 4096u);

  auto header_error = [](SliceRequestFrame f, std::uint32_t max) {
    SliceRequestFrame out;
    auto st = decode_slice_request_header(
        encode_slice_request(f).substr(0, kSliceRequestHeaderBytes), &out, max);
    return st.ok() ? std::string() : st.status().message();
  };
  EXPECT_NE(header_error({"d", "/f", "", 0, 0, 0}, 4096).find("length 0"), std::string::npos);
  EXPECT_NE(header_error({"d", "/f", "", 0, 0, 8192}, 4096).find("expected 1..4096"),
            std::string::npos);
  EXPECT_NE(header_error({"", "/f", "", 0, 0, 1}, 4096).find("dataset_len"), std::string::npos);
  EXPECT_NE(header_error({"d", "", "", 0, 0, 1}, 4096).find("path_len"), std::string::npos);
  EXPECT_NE(header_error({"d", std::string(5000, 'p'), "", 0, 0, 1}, 4096).find("path_len 5000"),
            std::string::npos);
  SliceRequestFrame out;
  EXPECT_FALSE(decode_slice_request_header(std::string(32, 'x'), &out, 4096).ok());
  EXPECT_FALSE(decode_slice_request_header("AQS1", &out, 4096).ok()) << "short header";

  SliceReplyHeader h{SliceStatus::kFound, 2, 4096, 0xfeedface};
  auto hb = decode_slice_reply_header(encode_slice_reply_header(h), 4096);
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->tier, 2);
  EXPECT_EQ(hb->length, 4096u);
  EXPECT_EQ(hb->xxh64, 0xfeedfaceu);
  EXPECT_FALSE(decode_slice_reply_header(encode_slice_reply_header(h), 4095).ok())
      << "more data than asked for";
  h.status = SliceStatus::kNotCached;
  EXPECT_FALSE(decode_slice_reply_header(encode_slice_reply_header(h), 1 << 20).ok())
      << "a miss carries no bytes";
  std::string bad = encode_slice_reply_header({});
  bad[4] = 9;
  EXPECT_NE(decode_slice_reply_header(bad, 10).status().message().find("status 9"),
            std::string::npos);
  EXPECT_FALSE(decode_hello_header(encode_hello(std::string(5000, 't')).substr(0, 8)).ok());
}

TEST(DataPort, SlicesGoOverTheDataPortByteExact) {
  auto w = start();
  ASSERT_TRUE(w);
  ASSERT_GT(w->data_port(), 0);
  WorkerClient c(addr(*w));
  const std::string block = random_bytes(1 << 20, 7);
  const BlockRef id{"default/ds", "/a/b", 2, "v1"};
  ASSERT_TRUE(c.put(id, block).is_ok());
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t off = rng() % block.size(), len = 1 + rng() % 8192;
    auto got = c.get_range(id, off, len);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    ASSERT_TRUE(got->has_value());
    ASSERT_EQ((*got)->data, block.substr(off, len)) << off << "+" << len;
  }
  auto miss = c.get_range({"default/ds", "/a/b", 9, "v1"}, 0, 4096);
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->has_value());
  EXPECT_EQ(metric(*w, "aqueduct_worker_data_port_reads_total"), 201u);
  EXPECT_EQ(metric(*w, "aqueduct_worker_session_reads_total"), 0u);
}

TEST(DataPort, ConcurrentReadersShareThePool) {
  auto w = start();
  ASSERT_TRUE(w);
  WorkerClient c(addr(*w));
  const std::string block = random_bytes(256 << 10, 9);
  const BlockRef id{"d", "/f", 0, "v"};
  ASSERT_TRUE(c.put(id, block).is_ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 12; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937 rng(static_cast<std::uint32_t>(t));
      for (int i = 0; i < 100; ++i) {
        const std::uint64_t off = rng() % block.size();
        auto got = c.get_range(id, off, 4096);
        if (!got.ok() || !got->has_value() || (*got)->data != block.substr(off, 4096)) ++wrong;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(metric(*w, "aqueduct_worker_data_port_reads_total"), 1200u);
}

TEST(DataPort, TheTokenIsRequired) {
  auto w = start("", "s3cret");
  ASSERT_TRUE(w);
  WorkerClient good(addr(*w), 2000ms, "s3cret");
  const BlockRef id{"d", "/f", 0, "v"};
  ASSERT_TRUE(good.put(id, "secret bytes").is_ok());
  for (const char* token : {"", "wrong", "s3cret-longer"}) {
    WorkerClient bad(addr(*w), 2000ms, token);
    auto got = bad.get_range(id, 0, 6);
    ASSERT_FALSE(got.ok()) << token;
    EXPECT_EQ(got.status().code(), core::StatusCode::kPermissionDenied) << got.status().to_string();
    EXPECT_NE(got.status().message().find("needs its token"), std::string::npos);
  }
  auto ok = good.get_range(id, 7, 5);
  ASSERT_TRUE(ok.ok() && ok->has_value());
  EXPECT_EQ((*ok)->data, "bytes");
  EXPECT_EQ(metric(*w, "aqueduct_worker_data_port_reads_total"), 1u);
}

TEST(DataPort, OffMeansSessionsAndAFullPortFallsBackToGrpc) {
  auto off = start("off");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->data_port(), 0);
  WorkerClient c(addr(*off));
  const BlockRef id{"d", "/f", 0, "v"};
  ASSERT_TRUE(c.put(id, "0123456789").is_ok());
  for (int i = 0; i < 3; ++i) {
    auto got = c.get_range(id, 2, 3);
    ASSERT_TRUE(got.ok() && got->has_value()) << got.status().to_string();
    EXPECT_EQ((*got)->data, "234");
  }
  EXPECT_EQ(metric(*off, "aqueduct_worker_session_reads_total"), 3u);

  // One connection allowed, and a stranger holds it: the port answers busy,
  // the session limit (also one) is free, so the read goes over a session.
  auto busy = start("", "", 1);
  ASSERT_TRUE(busy);
  auto holder = tcp_connect("127.0.0.1", busy->data_port(), 2000ms);
  ASSERT_TRUE(holder.ok());
  std::this_thread::sleep_for(100ms);  // accepted before the client's
  WorkerClient d(addr(*busy));
  ASSERT_TRUE(d.put(id, "0123456789").is_ok());
  auto got = d.get_range(id, 5, 5);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().to_string();
  EXPECT_EQ((*got)->data, "56789");
  EXPECT_EQ(metric(*busy, "aqueduct_worker_data_port_reads_total"), 0u);
  EXPECT_EQ(metric(*busy, "aqueduct_worker_session_reads_total"), 1u);
}

TEST(DataPort, MalformedFramesCloseOnlyTheirConnection) {
  auto w = start();
  ASSERT_TRUE(w);
  WorkerClient c(addr(*w));
  const BlockRef id{"d", "/f", 0, "v"};
  ASSERT_TRUE(c.put(id, "abcdef").is_ok());
  const std::vector<std::string> garbage = {
      "GET / HTTP/1.1\r\n\r\n",
      encode_hello("") + std::string(32, '\xff'),
      encode_hello("") + encode_slice_request({"d", "/f", "", 0, 0, 0}),
      encode_hello("") + encode_slice_request({"d", "/f", "", 0, 0, 1u << 30}),
      encode_hello("") + encode_slice_request({"d", "/f", "", 0, 0, 4}).substr(0, 40),
      std::string("AQH1\xff\xff\xff\xff", 8)};
  for (const auto& g : garbage) {
    auto fd = tcp_connect("127.0.0.1", w->data_port(), 2000ms);
    ASSERT_TRUE(fd.ok());
    iovec iov{const_cast<char*>(g.data()), g.size()};
    ASSERT_TRUE(write_full(fd->get(), &iov, 1));
    ::shutdown(fd->get(), SHUT_WR);
    char buf[256];
    while (::recv(fd->get(), buf, sizeof buf, 0) > 0) {
    }  // the worker answers (or not) and closes
  }
  auto got = c.get_range(id, 1, 3);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().to_string();
  EXPECT_EQ((*got)->data, "bcd");
}

TEST(DataPort, AStalledPortIsAnErrorWithinTheTimeout) {
  int port = 0;
  auto listener = tcp_listen("127.0.0.1", 0, &port);  // accepts (backlog), never answers
  ASSERT_TRUE(listener.ok());
  DataPortClient c("127.0.0.1", port, "", 300ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto got = c.read({"d", "/f", "", 0, 0, 4096});
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), core::StatusCode::kUnavailable) << got.status().to_string();
  EXPECT_LT(took, 5s);
  // A port that greets and then never answers a request: an error on an
  // open connection (the worker stalled), not a reason to try gRPC.
  int fake_port = 0;
  auto fake = tcp_listen("127.0.0.1", 0, &fake_port);
  ASSERT_TRUE(fake.ok());
  std::thread server([&] {
    UniqueFd conn(::accept(fake->get(), nullptr, nullptr));
    std::string hello(kHelloHeaderBytes, '\0');
    if (!read_full(conn.get(), hello.data(), hello.size())) return;
    std::string ok = encode_slice_reply_header({SliceStatus::kFound, 0, 0, 0});
    iovec iov{ok.data(), ok.size()};
    write_full(conn.get(), &iov, 1);
    char buf[64];
    while (::recv(conn.get(), buf, sizeof buf, 0) > 0) {
    }  // until the client gives up and closes
  });
  {
    DataPortClient stalled("127.0.0.1", fake_port, "", 300ms);
    auto r = stalled.read({"d", "/f", "", 0, 0, 4096});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kIo) << r.status().to_string();
    EXPECT_NE(r.status().message().find("no reply within 300 ms"), std::string::npos);
  }
  server.join();
  // Nothing listens: a connection error, which the worker client takes as
  // "use gRPC".
  DataPortClient none("127.0.0.1", 1, "", 300ms);
  EXPECT_EQ(none.read({"d", "/f", "", 0, 0, 1}).status().code(), core::StatusCode::kUnavailable);
}

TEST(DataPort, StoppingTheWorkerEndsOpenConnectionsAndSessions) {
  auto w = start();
  ASSERT_TRUE(w);
  auto off = start("off");
  ASSERT_TRUE(off);
  const BlockRef id{"d", "/f", 0, "v"};
  WorkerClient a(addr(*w)), b(addr(*off));
  ASSERT_TRUE(a.put(id, "xyz").is_ok());
  ASSERT_TRUE(b.put(id, "xyz").is_ok());
  ASSERT_TRUE(a.get_range(id, 0, 1).ok());  // leaves a pooled connection open
  ASSERT_TRUE(b.get_range(id, 0, 1).ok());  // and a pooled session
  const auto t0 = std::chrono::steady_clock::now();
  w->stop();
  off->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms)
      << "open connections and sessions must not hold the worker";
  EXPECT_FALSE(a.get_range(id, 0, 1).ok());
  EXPECT_FALSE(b.get_range(id, 0, 1).ok());
}

// A worker restarted at the same address has a new data port and none of
// the old connections: after the one read that finds them dead, reads go to
// the new port.
TEST(DataPort, ARestartedWorkerIsFoundOnItsNewPort) {
  auto first = start();
  ASSERT_TRUE(first);
  const int grpc_port = first->port();
  WorkerClient c("127.0.0.1:" + std::to_string(grpc_port));
  const BlockRef id{"d", "/f", 0, "v"};
  ASSERT_TRUE(c.put(id, "first life").is_ok());
  ASSERT_TRUE(c.get_range(id, 0, 5).ok());  // a pooled connection to the first port
  const int old_data_port = first->data_port();
  first->stop();
  first.reset();

  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:" + std::to_string(grpc_port);
  cfg.tiers = {{core::MediumType::kMem, "", 8 << 20}};
  auto second = Worker::start(cfg);
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  ASSERT_NE((*second)->data_port(), old_data_port);
  ASSERT_TRUE(c.put(id, "second life").is_ok());
  int failures = 0;
  std::optional<BlockStore::Block> got;
  for (int i = 0; i < 3 && !got; ++i) {
    auto r = c.get_range(id, 0, 6);
    if (!r.ok()) {
      ++failures;
      continue;
    }
    got = std::move(*r);
  }
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->data, "second");
  EXPECT_LE(failures, 1);
  EXPECT_EQ(metric(**second, "aqueduct_worker_data_port_reads_total"), 1u);
}

// The same for sessions (no data port): the pooled sessions of the worker
// that went away are all dropped after the first read that finds one dead.
TEST(DataPort, SessionsOfARestartedWorkerAreDroppedTogether) {
  auto first = start("off");
  ASSERT_TRUE(first);
  const int grpc_port = first->port();
  WorkerClient c("127.0.0.1:" + std::to_string(grpc_port));
  const BlockRef id{"d", "/f", 0, "v"};
  ASSERT_TRUE(c.put(id, "first life").is_ok());
  {  // several sessions at once, so that several go back to the pool
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&] {
        for (int i = 0; i < 20; ++i) (void)c.get_range(id, 0, 5);
      });
    for (auto& t : ts) t.join();
  }
  first->stop();
  first.reset();
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:" + std::to_string(grpc_port);
  cfg.tiers = {{core::MediumType::kMem, "", 8 << 20}};
  cfg.data_listen = "off";
  auto second = Worker::start(cfg);
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  ASSERT_TRUE(c.put(id, "second life").is_ok());
  int failures = 0, reads = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = c.get_range(id, 0, 6);
    if (!r.ok()) {
      ++failures;
    } else {
      ASSERT_TRUE(r->has_value());
      EXPECT_EQ((*r)->data, "second");
      ++reads;
    }
  }
  EXPECT_LE(failures, 1);
  EXPECT_EQ(metric(**second, "aqueduct_worker_session_reads_total"),
            static_cast<std::uint64_t>(reads));
}

// A worker whose sessions never answer (and a Health without a data port):
// a slice read is an error within the client's timeout, and the client's
// end (cancelling the stalled session) does not hang.
class StalledSessions final : public v1::CacheWorker::Service {
 public:
  grpc::Status Health(grpc::ServerContext*, const v1::HealthRequest*, v1::HealthReply* r) override {
    r->set_status("SERVING");
    return grpc::Status::OK;
  }
  grpc::Status ReadSlices(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<v1::SliceReply, v1::SliceRequest>* stream) override {
    v1::SliceRequest req;
    while (stream->Read(&req)) {
      while (!ctx->IsCancelled()) std::this_thread::sleep_for(5ms);
    }
    return grpc::Status::CANCELLED;
  }
};

TEST(DataPort, AStalledSessionIsAnErrorWithinTheTimeout) {
  StalledSessions service;
  grpc::ServerBuilder b;
  int port = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(&service);
  auto server = b.BuildAndStart();
  ASSERT_TRUE(server && port > 0);
  const auto t0 = std::chrono::steady_clock::now();
  {
    WorkerClient c("127.0.0.1:" + std::to_string(port), 300ms);
    auto got = c.get_range({"d", "/f", 0, "v"}, 0, 4096);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), core::StatusCode::kUnavailable) << got.status().to_string();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  server->Shutdown(std::chrono::system_clock::now() + 1s);
}

TEST(DataPort, NotWithTls) {
  WorkerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.tiers = {{core::MediumType::kMem, "", 1 << 20}};
  cfg.data_listen = "127.0.0.1:0";
  cfg.tls = WorkerTls{"ca", "cert", "key", ""};
  auto w = Worker::start(cfg);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("--data-listen"), std::string::npos);
  cfg.tls.reset();
  cfg.data_listen = "nonsense";
  EXPECT_NE(Worker::start(cfg).status().message().find("HOST:PORT"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::fuse
