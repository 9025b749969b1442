// The cache worker's gRPC API, over loopback to a real worker (one per
// process, a MEM level and an SSD level in a scratch folder). The input is
// a sequence of calls: an opcode byte, then for Put a chunk count and that
// many (u16 length, PutChunk) pairs, for ReadSlices a count and that many
// (u16 length, SliceRequest), for the data port (u16 length, raw bytes),
// for the others one (u16 length, message). Messages that do not parse are
// sent as default messages.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "aqueduct/fuse/worker.h"
#include "cache_worker.grpc.pb.h"
#include "fuzz_support.h"

namespace {

using aqueduct::fuzz::Cursor;
using aqueduct::fuzz::parse_or_default;

namespace v1 = aqueduct::v1;

aqueduct::fuse::Worker& worker() {
  static std::unique_ptr<aqueduct::fuse::Worker> w = [] {
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
    auto started = aqueduct::fuse::Worker::start(cfg);
    if (!started.ok()) std::abort();
    return std::move(*started);
  }();
  return *w;
}

v1::CacheWorker::Stub& stub() {
  static std::unique_ptr<v1::CacheWorker::Stub> s = v1::CacheWorker::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(worker().port()), grpc::InsecureChannelCredentials()));
  return *s;
}

// Raw bytes to the data port; then reads what comes back until it closes
// or goes quiet.
void data_port(std::string_view bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(worker().data_port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{0, 200000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    char buf[4096];
    while (::recv(fd, buf, sizeof buf, 0) > 0) {
    }
  }
  ::close(fd);
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
    switch (op % 8) {
      case 0: {
        auto reader = stub().Get(&ctx, parse_or_default<v1::GetRequest>(in.message()));
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
          if (!writer->Write(parse_or_default<v1::PutChunk>(in.message()))) break;
        }
        writer->WritesDone();
        (void)writer->Finish();
        break;
      }
      case 2: {
        v1::HasReply reply;
        (void)stub().Has(&ctx, parse_or_default<v1::HasRequest>(in.message()), &reply);
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
      case 6: {
        std::uint8_t n = 0;
        in.byte(&n);
        auto stream = stub().ReadSlices(&ctx);
        v1::SliceReply reply;
        for (int m = 0; m < n % 4; ++m) {
          if (!stream->Write(parse_or_default<v1::SliceRequest>(in.message())) ||
              !stream->Read(&reply))
            break;
        }
        stream->WritesDone();
        (void)stream->Finish();
        break;
      }
      case 7:
        data_port(in.message());
        break;
      default: {
        v1::LocateReply reply;
        (void)stub().Locate(&ctx, parse_or_default<v1::LocateRequest>(in.message()), &reply);
        break;
      }
    }
  }
  return 0;
}
