// The cache worker's gRPC API, over loopback to a real worker (one per
// process, a MEM level and an SSD level in a scratch folder). The input is
// a sequence of calls: an opcode byte, then for Put a chunk count and that
// many (u16 length, PutChunk) pairs, for the others one (u16 length,
// message). Messages that do not parse are sent as default messages.
#include <grpcpp/grpcpp.h>

#include <chrono>

#include "aqueduct/fuse/worker.h"
#include "cache_worker.grpc.pb.h"
#include "fuzz_support.h"

namespace {

namespace v1 = aqueduct::v1;

struct Cursor {
  const std::uint8_t* p;
  std::size_t n;
  bool take(std::size_t k, std::string_view* out) {
    if (k > n) return false;
    *out = {reinterpret_cast<const char*>(p), k};
    p += k;
    n -= k;
    return true;
  }
  bool byte(std::uint8_t* b) {
    if (n == 0) return false;
    *b = *p++;
    --n;
    return true;
  }
  std::string_view message() {
    std::uint8_t hi = 0, lo = 0;
    std::string_view m;
    if (!byte(&hi) || !byte(&lo)) return {};
    std::size_t len = (static_cast<std::size_t>(hi) << 8) | lo;
    if (!take(len, &m)) take(n, &m);
    return m;
  }
};

template <class M>
M parse(std::string_view bytes) {
  M m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) m.Clear();
  return m;
}

v1::CacheWorker::Stub& stub() {
  static std::unique_ptr<aqueduct::fuse::Worker> worker = [] {
    aqueduct::fuse::WorkerConfig cfg;
    cfg.listen = "127.0.0.1:0";
    aqueduct::fuse::TierConfig mem;
    mem.medium = aqueduct::core::MediumType::kMem;
    mem.quota_bytes = 1 << 20;
    aqueduct::fuse::TierConfig ssd;
    ssd.medium = aqueduct::core::MediumType::kSsd;
    ssd.path = (aqueduct::fuzz::scratch_dir() / "ssd").string();
    ssd.quota_bytes = 4 << 20;
    cfg.tiers = {mem, ssd};
    cfg.max_block_bytes = 256 << 10;
    cfg.chunk_bytes = 4096;
    auto w = aqueduct::fuse::Worker::start(cfg);
    if (!w.ok()) std::abort();
    return std::move(*w);
  }();
  static std::unique_ptr<v1::CacheWorker::Stub> s = v1::CacheWorker::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(worker->port()), grpc::InsecureChannelCredentials()));
  return *s;
}

void deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Cursor in{data, size};
  std::uint8_t op = 0;
  for (int calls = 0; calls < 16 && in.byte(&op); ++calls) {
    grpc::ClientContext ctx;
    deadline(ctx);
    switch (op % 6) {
      case 0: {
        auto reader = stub().Get(&ctx, parse<v1::GetRequest>(in.message()));
        v1::GetChunk chunk;
        while (reader->Read(&chunk)) {
        }
        (void)reader->Finish();
        break;
      }
      case 1: {
        std::uint8_t chunks = 0;
        in.byte(&chunks);
        v1::PutReply reply;
        auto writer = stub().Put(&ctx, &reply);
        for (int c = 0; c < chunks % 5; ++c) {
          if (!writer->Write(parse<v1::PutChunk>(in.message()))) break;
        }
        writer->WritesDone();
        (void)writer->Finish();
        break;
      }
      case 2: {
        v1::HasReply reply;
        (void)stub().Has(&ctx, parse<v1::HasRequest>(in.message()), &reply);
        break;
      }
      case 3: {
        v1::StatsReply reply;
        (void)stub().Stats(&ctx, v1::StatsRequest{}, &reply);
        break;
      }
      case 4: {
        v1::HealthReply reply;
        (void)stub().Health(&ctx, v1::HealthRequest{}, &reply);
        break;
      }
      default: {
        v1::LocateReply reply;
        (void)stub().Locate(&ctx, parse<v1::LocateRequest>(in.message()), &reply);
        break;
      }
    }
  }
  return 0;
}
