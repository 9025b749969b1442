#include "aqueduct/fuse/worker_client.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <limits>

#include "cache_worker.grpc.pb.h"
#include "data_port_client.h"
#include "slice_sessions.h"
#include "tcp_socket.h"

namespace aqueduct::fuse {
namespace {

// Slices at most this long go over a ReadSlices session (the worker's
// default WorkerConfig::chunk_bytes); longer ones over Get.
constexpr std::uint64_t kMaxSliceBytes = 4 << 20;

std::int64_t steady_ticks(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(s).count();
}

void fill(v1::BlockId* out, const BlockRef& id) {
  out->set_dataset(id.dataset);
  out->set_path(id.path);
  out->set_index(id.index);
  out->set_version(id.version);
}

core::Status from_grpc(const std::string& address, const grpc::Status& st) {
  core::StatusCode code = core::StatusCode::kUnavailable;
  if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
    code = core::StatusCode::kInvalidArgument;
  if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
    code = core::StatusCode::kResourceExhausted;
  if (st.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      st.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    code = core::StatusCode::kPermissionDenied;
  }
  return core::Status(code, "worker " + address + ": " + st.error_message() + " (gRPC code " +
                                std::to_string(static_cast<int>(st.error_code())) + ")");
}

}  // namespace

std::string placement_name(const BlockRef& id) {
  std::string n = id.dataset;
  n += '\0';
  n += id.path;
  n += '\0';
  n += std::to_string(id.index);
  return n;
}

std::string block_name(const BlockRef& id) {
  std::string n = placement_name(id);
  n += '\0';
  n += id.version;
  return n;
}

struct WorkerClient::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::CacheWorker::Stub> stub;
  std::chrono::milliseconds timeout;
  std::string token;
  std::unique_ptr<SliceSessions> slices;
  // Slices go over Get until then: the worker has no sessions (an older
  // worker: forever) or no more of them (for a while).
  std::atomic<std::int64_t> slices_off_until{0};
  // The worker's data port, asked for once (Health); skipped until
  // data_port_off_until after it could not be reached.
  bool tls = false;
  std::mutex data_port_mu;
  bool data_port_known = false;
  std::shared_ptr<DataPortClient> data_port;
  std::atomic<std::int64_t> data_port_off_until{0};
  // Every call: its deadline and, when there is one, the worker's token.
  void deadline(grpc::ClientContext& ctx) const {
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  }
};

WorkerClient::WorkerClient(const std::string& address, std::chrono::milliseconds timeout,
                           std::string token, std::optional<WorkerTls> tls)
    : address_(address), impl_(std::make_unique<Impl>()) {
  impl_->token = std::move(token);
  impl_->tls = tls.has_value();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = tls->ca_cert_pem;
    ssl.pem_private_key = tls->key_pem;
    ssl.pem_cert_chain = tls->cert_pem;
    creds = grpc::SslCredentials(ssl);
    if (!tls->server_name.empty()) args.SetSslTargetNameOverride(tls->server_name);
  }
  impl_->channel = grpc::CreateCustomChannel(address, creds, args);
  impl_->stub = v1::CacheWorker::NewStub(impl_->channel);
  impl_->timeout = timeout;
  impl_->slices =
      std::make_unique<SliceSessions>(*impl_->stub, address_, impl_->token, impl_->timeout);
}

WorkerClient::~WorkerClient() = default;

std::shared_ptr<DataPortClient> WorkerClient::data_port(std::int64_t now) {
  if (impl_->tls || now < impl_->data_port_off_until.load()) return nullptr;
  std::lock_guard<std::mutex> lock(impl_->data_port_mu);
  if (!impl_->data_port_known) {
    grpc::ClientContext ctx;
    impl_->deadline(ctx);
    v1::HealthReply r;
    if (!impl_->stub->Health(&ctx, v1::HealthRequest(), &r).ok()) {
      impl_->data_port_off_until = now + steady_ticks(std::chrono::seconds(5));
      return nullptr;
    }
    impl_->data_port_known = true;
    auto hp = split_host_port(address_, "worker");
    if (r.data_port() > 0 && hp.ok()) {
      impl_->data_port =
          std::make_shared<DataPortClient>(hp->first, r.data_port(), impl_->token, impl_->timeout);
    }
  }
  return impl_->data_port;
}

void WorkerClient::forget_data_port() {
  std::lock_guard<std::mutex> lock(impl_->data_port_mu);
  impl_->data_port_known = false;
  impl_->data_port.reset();  // its connections close once no read uses them
}

core::Result<std::optional<BlockStore::Block>> WorkerClient::get(const BlockRef& id) {
  return get_range(id, 0, 0);
}

core::Result<std::optional<BlockStore::Block>> WorkerClient::get_range(const BlockRef& id,
                                                                       std::uint64_t offset,
                                                                       std::uint64_t length) {
  if (length > 0 && length <= kMaxSliceBytes) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (auto port = data_port(now)) {
      SliceRequestFrame req{id.dataset, id.path, id.version,
                            id.index,   offset,  static_cast<std::uint32_t>(length)};
      auto got = port->read(req);
      if (got.ok()) {
        if (*got && xxh64((*got)->data) != (*got)->xxh64) {
          return core::Status(core::StatusCode::kUnavailable,
                              "worker " + address_ + ": slice arrived damaged (checksum)");
        }
        return got;
      }
      const core::StatusCode code = got.status().code();
      // A port that failed may belong to a worker that has since restarted
      // (on another port, its old connections dead): ask Health again next
      // time. A refused token or request is the same on any port.
      if (code != core::StatusCode::kPermissionDenied &&
          code != core::StatusCode::kInvalidArgument) {
        forget_data_port();
      }
      if (code != core::StatusCode::kUnavailable) {
        return core::Status(code, "worker " + address_ + ": " + got.status().message());
      }
      // No connection to the port (a firewall, a busy worker): gRPC for a while.
      impl_->data_port_off_until = now + steady_ticks(std::chrono::seconds(30));
    }
    if (now >= impl_->slices_off_until.load()) {
      v1::SliceRequest req;
      fill(req.mutable_id(), id);
      req.set_offset(offset);
      req.set_length(length);
      std::optional<BlockStore::Block> got;
      grpc::Status st = impl_->slices->read(req, &got);
      if (st.ok()) {
        if (got && xxh64(got->data) != got->xxh64) {
          return core::Status(core::StatusCode::kUnavailable,
                              "worker " + address_ + ": slice arrived damaged (checksum)");
        }
        return got;
      }
      if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        impl_->slices_off_until = std::numeric_limits<std::int64_t>::max();
      } else if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        impl_->slices_off_until = now + steady_ticks(std::chrono::seconds(5));
      } else {
        return from_grpc(address_, st);
      }
    }
  }
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::GetRequest req;
  fill(req.mutable_id(), id);
  req.set_offset(offset);
  req.set_length(length);
  auto reader = impl_->stub->Get(&ctx, req);
  v1::GetChunk chunk;
  if (!reader->Read(&chunk)) {
    grpc::Status st = reader->Finish();
    return from_grpc(address_,
                     st.ok() ? grpc::Status(grpc::StatusCode::INTERNAL, "empty reply") : st);
  }
  if (!chunk.found()) {
    reader->Finish();
    return std::optional<BlockStore::Block>();
  }
  BlockStore::Block b;
  b.xxh64 = chunk.xxh64();
  b.tier = chunk.tier();
  const std::uint64_t size = chunk.size();
  if (chunk.data().size() == size) {
    b.data = std::move(*chunk.mutable_data());  // the whole block in one message
  } else {
    b.data.reserve(size);
    b.data += chunk.data();
  }
  while (reader->Read(&chunk)) b.data += chunk.data();
  grpc::Status st = reader->Finish();
  if (!st.ok()) return from_grpc(address_, st);
  if (b.data.size() != size || xxh64(b.data) != b.xxh64) {
    return core::Status(core::StatusCode::kUnavailable,
                        "worker " + address_ + ": block arrived damaged (size or checksum)");
  }
  return std::optional<BlockStore::Block>(std::move(b));
}

core::Status WorkerClient::put(const BlockRef& id, const std::string& data) {
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::PutReply reply;
  auto writer = impl_->stub->Put(&ctx, &reply);
  const std::size_t chunk = 1 << 20;
  std::size_t off = 0;
  do {
    v1::PutChunk c;
    if (off == 0) {
      fill(c.mutable_id(), id);
      c.set_size(data.size());
      c.set_xxh64(xxh64(data));
    }
    std::size_t len = std::min(chunk, data.size() - off);
    c.set_data(data.substr(off, len));
    off += len;
    if (!writer->Write(c)) break;
  } while (off < data.size());
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) return from_grpc(address_, st);
  if (!reply.stored()) {
    return core::Status(core::StatusCode::kResourceExhausted,
                        "worker " + address_ + ": " + reply.reason());
  }
  return core::Status::ok();
}

core::Result<std::vector<bool>> WorkerClient::has(const std::vector<BlockRef>& ids) {
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::HasRequest req;
  for (const auto& id : ids) fill(req.add_ids(), id);
  v1::HasReply reply;
  grpc::Status st = impl_->stub->Has(&ctx, req, &reply);
  if (!st.ok()) return from_grpc(address_, st);
  return std::vector<bool>(reply.present().begin(), reply.present().end());
}

core::Result<BlockStoreStats> WorkerClient::stats() {
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::StatsReply r;
  grpc::Status st = impl_->stub->Stats(&ctx, v1::StatsRequest(), &r);
  if (!st.ok()) return from_grpc(address_, st);
  BlockStoreStats s;
  for (const auto& t : r.tiers())
    s.tiers.push_back({t.medium(), t.used_bytes(), t.capacity_bytes()});
  s.blocks = r.blocks();
  s.hits = r.hits();
  s.misses = r.misses();
  s.bytes_served = r.bytes_served();
  s.puts = r.puts();
  s.evictions = r.evictions();
  s.corrupt_blocks = r.corrupt_blocks();
  return s;
}

core::Result<std::string> WorkerClient::host_id() {
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::HealthReply r;
  grpc::Status st = impl_->stub->Health(&ctx, v1::HealthRequest(), &r);
  if (!st.ok()) return from_grpc(address_, st);
  return r.host_id();
}

core::Result<std::optional<BlockStore::Location>> WorkerClient::locate(const BlockRef& id,
                                                                       bool* cached) {
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::LocateRequest req;
  fill(req.mutable_id(), id);
  v1::LocateReply r;
  grpc::Status st = impl_->stub->Locate(&ctx, req, &r);
  if (!st.ok()) return from_grpc(address_, st);
  if (cached) *cached = r.found() || r.cached();
  if (!r.found()) return std::optional<BlockStore::Location>();
  return std::optional<BlockStore::Location>(
      BlockStore::Location{r.path(), static_cast<std::int64_t>(r.size()), r.xxh64(), r.tier()});
}

std::string local_host_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

core::Status WorkerClient::health() {
  grpc::ClientContext ctx;
  impl_->deadline(ctx);
  v1::HealthReply r;
  grpc::Status st = impl_->stub->Health(&ctx, v1::HealthRequest(), &r);
  if (!st.ok()) return from_grpc(address_, st);
  return core::Status::ok();
}

}  // namespace aqueduct::fuse
