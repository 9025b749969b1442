#include "aqueduct/fuse/worker.h"

#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "aqueduct/fuse/metrics_server.h"
#include "aqueduct/fuse/worker_client.h"
#include "cache_worker.grpc.pb.h"
#include "data_port.h"
#include "secret.h"

namespace aqueduct::fuse {
namespace {

namespace v1 = aqueduct::v1;

// Get latency buckets (seconds), Prometheus histogram style.
constexpr std::array<double, 11> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                             0.005,   0.01,   0.025,   0.05,   0.1};

struct Latency {
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> counts{};
  std::atomic<std::uint64_t> sum_ns{0};
  void observe(std::chrono::nanoseconds d) {
    double s = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < kBuckets.size() && s > kBuckets[i]) ++i;
    ++counts[i];
    sum_ns += static_cast<std::uint64_t>(d.count());
  }
};

grpc::Status check_id(const v1::BlockId& id) {
  if (id.dataset().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "id.dataset: required"};
  if (id.path().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "id.path: required"};
  return grpc::Status::OK;
}

BlockRef ref_of(const v1::BlockId& id) {
  return {id.dataset(), id.path(), id.index(), id.version()};
}

class Service final : public v1::CacheWorker::Service {
 public:
  Service(BlockStore& store, const WorkerConfig& cfg, Latency& latency)
      : store_(store), cfg_(cfg), latency_(latency) {}
  void set_data_port(int port) { data_port_ = port; }
  std::uint64_t session_reads() const { return session_reads_.load(); }

  // The shared token, when the worker has one.
  grpc::Status authorize(const grpc::ServerContext* ctx) const {
    if (cfg_.auth_token.empty()) return grpc::Status::OK;
    const auto& md = ctx->client_metadata();
    auto it = md.find("authorization");
    const std::string expected = "Bearer " + cfg_.auth_token;
    if (it == md.end() ||
        !same_secret(std::string_view(it->second.data(), it->second.size()), expected)) {
      return {grpc::StatusCode::UNAUTHENTICATED,
              "this worker needs its token (authorization: Bearer ...)"};
    }
    return grpc::Status::OK;
  }

  grpc::Status Get(grpc::ServerContext* ctx, const v1::GetRequest* req,
                   grpc::ServerWriter<v1::GetChunk>* out) override {
    if (auto st = authorize(ctx); !st.ok()) return st;
    auto t0 = std::chrono::steady_clock::now();
    if (auto st = check_id(req->id()); !st.ok()) return st;
    auto block = store_.get(block_name(ref_of(req->id())), req->offset(), req->length());
    v1::GetChunk first;
    if (!block) {
      first.set_found(false);
      out->Write(first);
      latency_.observe(std::chrono::steady_clock::now() - t0);
      return grpc::Status::OK;
    }
    first.set_found(true);
    first.set_size(block->data.size());
    first.set_xxh64(block->xxh64);
    first.set_tier(block->tier);
    const std::size_t n = block->data.size(), chunk = std::max<std::size_t>(cfg_.chunk_bytes, 1);
    std::size_t off = std::min(n, chunk);
    if (off == n) {
      *first.mutable_data() = std::move(block->data);  // one message: no copy of the bytes here
    } else {
      first.set_data(block->data.substr(0, off));
    }
    if (!out->Write(first)) return {grpc::StatusCode::CANCELLED, "client went away"};
    while (off < n) {
      v1::GetChunk c;
      std::size_t len = std::min(chunk, n - off);
      c.set_data(block->data.substr(off, len));
      if (!out->Write(c)) return {grpc::StatusCode::CANCELLED, "client went away"};
      off += len;
    }
    latency_.observe(std::chrono::steady_clock::now() - t0);
    return grpc::Status::OK;
  }

  // One session of slice reads: requests answered in order until the client
  // ends the stream. Holds a server thread while open, so the number of open
  // sessions is bounded (clients then fall back to Get).
  grpc::Status ReadSlices(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<v1::SliceReply, v1::SliceRequest>* stream) override {
    if (auto st = authorize(ctx); !st.ok()) return st;
    if (!open_session(ctx)) {
      return {grpc::StatusCode::RESOURCE_EXHAUSTED,
              "the worker has " + std::to_string(cfg_.max_slice_sessions) +
                  " slice sessions open (its limit): use Get"};
    }
    grpc::Status result = serve_slices(stream);
    close_session(ctx);
    return result;
  }

  // Ends every open session (the worker is stopping): their threads wait in
  // Read, which only a cancellation ends.
  void cancel_sessions() {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    stopping_ = true;
    for (auto* c : sessions_) c->TryCancel();
  }

  grpc::Status Put(grpc::ServerContext* ctx, grpc::ServerReader<v1::PutChunk>* in,
                   v1::PutReply* reply) override {
    if (auto st = authorize(ctx); !st.ok()) return st;
    v1::PutChunk chunk;
    if (!in->Read(&chunk)) return {grpc::StatusCode::INVALID_ARGUMENT, "empty Put stream"};
    if (auto st = check_id(chunk.id()); !st.ok()) return st;
    const BlockRef id = ref_of(chunk.id());
    const std::uint64_t size = chunk.size(), sum = chunk.xxh64();
    if (static_cast<std::int64_t>(size) > cfg_.max_block_bytes) {
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, "block of " + std::to_string(size) +
                                                        " bytes exceeds the worker's limit of " +
                                                        std::to_string(cfg_.max_block_bytes)};
    }
    // The declared size is within the limit: room for all of it at once, so
    // the chunks are appended without reallocating (and the first is moved).
    std::string data = std::move(*chunk.mutable_data());
    if (data.size() < size) data.reserve(size);
    while (in->Read(&chunk)) {
      if (data.size() + chunk.data().size() > size) {
        return {grpc::StatusCode::INVALID_ARGUMENT,
                "more data than the declared size " + std::to_string(size)};
      }
      data += chunk.data();
    }
    if (data.size() != size) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "got " + std::to_string(data.size()) +
                                                      " bytes, the first chunk declared " +
                                                      std::to_string(size)};
    }
    const std::string name = block_name(id);
    core::Status st = store_.put(name, std::move(data), sum);
    // Says what happened: a store that admitted nothing (a full level whose
    // policy keeps what it holds) did not store the block.
    const bool held = st.is_ok() && store_.has(name);
    reply->set_stored(held);
    if (!st.is_ok()) {
      reply->set_reason(st.message());
    } else if (!held) {
      reply->set_reason("not admitted: the cache is full and its policy keeps what it holds");
    }
    if (st.code() == core::StatusCode::kInvalidArgument) {
      return {grpc::StatusCode::INVALID_ARGUMENT, st.message()};
    }
    return grpc::Status::OK;
  }

  grpc::Status Has(grpc::ServerContext* ctx, const v1::HasRequest* req,
                   v1::HasReply* reply) override {
    if (auto st = authorize(ctx); !st.ok()) return st;
    for (const auto& id : req->ids()) {
      if (auto st = check_id(id); !st.ok()) return st;
      reply->add_present(store_.has(block_name(ref_of(id))));
    }
    return grpc::Status::OK;
  }

  grpc::Status Stats(grpc::ServerContext* ctx, const v1::StatsRequest*,
                     v1::StatsReply* r) override {
    if (auto st = authorize(ctx); !st.ok()) return st;
    BlockStoreStats s = store_.stats();
    for (const auto& t : s.tiers) {
      auto* tier = r->add_tiers();
      tier->set_medium(t.medium);
      tier->set_used_bytes(t.used_bytes);
      tier->set_capacity_bytes(t.capacity_bytes);
    }
    r->set_blocks(s.blocks);
    r->set_hits(s.hits);
    r->set_misses(s.misses);
    r->set_bytes_served(s.bytes_served);
    r->set_puts(s.puts);
    r->set_evictions(s.evictions);
    r->set_corrupt_blocks(s.corrupt_blocks);
    return grpc::Status::OK;
  }

  grpc::Status Health(grpc::ServerContext*, const v1::HealthRequest*, v1::HealthReply* r) override {
    r->set_status("SERVING");
    r->set_host_id(cfg_.host_id.empty() ? local_host_id() : cfg_.host_id);
    r->set_data_port(data_port_.load());
    return grpc::Status::OK;
  }

  grpc::Status Locate(grpc::ServerContext* ctx, const v1::LocateRequest* req,
                      v1::LocateReply* r) override {
    if (auto st = authorize(ctx); !st.ok()) return st;
    if (auto st = check_id(req->id()); !st.ok()) return st;
    auto at = store_.locate(block_name(ref_of(req->id())));
    r->set_found(at.has_value());
    r->set_cached(at.has_value() || store_.has(block_name(ref_of(req->id()))));
    if (at) {
      r->set_path(std::filesystem::absolute(at->path).string());
      r->set_size(static_cast<std::uint64_t>(at->size));
      r->set_xxh64(at->xxh64);
      r->set_tier(at->tier);
    }
    return grpc::Status::OK;
  }

 private:
  grpc::Status serve_slices(grpc::ServerReaderWriter<v1::SliceReply, v1::SliceRequest>* stream) {
    v1::SliceRequest req;
    while (stream->Read(&req)) {
      const auto t0 = std::chrono::steady_clock::now();
      if (auto st = check_id(req.id()); !st.ok()) return st;
      if (req.length() == 0 || req.length() > cfg_.chunk_bytes) {
        return {grpc::StatusCode::INVALID_ARGUMENT,
                "length: expected 1.." + std::to_string(cfg_.chunk_bytes) + " bytes, got " +
                    std::to_string(req.length())};
      }
      v1::SliceReply reply;
      if (auto block = store_.get(block_name(ref_of(req.id())), req.offset(), req.length())) {
        reply.set_found(true);
        reply.set_xxh64(block->xxh64);
        reply.set_tier(block->tier);
        *reply.mutable_data() = std::move(block->data);
      }
      ++session_reads_;  // before the reply: a client that has it sees the count
      if (!stream->Write(reply)) return {grpc::StatusCode::CANCELLED, "client went away"};
      latency_.observe(std::chrono::steady_clock::now() - t0);
    }
    return grpc::Status::OK;
  }
  bool open_session(grpc::ServerContext* ctx) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (stopping_ || sessions_.size() >= static_cast<std::size_t>(cfg_.max_slice_sessions))
      return false;
    sessions_.insert(ctx);
    return true;
  }
  void close_session(grpc::ServerContext* ctx) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(ctx);
  }

  std::mutex sessions_mu_;
  std::set<grpc::ServerContext*> sessions_;
  bool stopping_ = false;
  std::atomic<int> data_port_{0};
  std::atomic<std::uint64_t> session_reads_{0};
  BlockStore& store_;
  const WorkerConfig& cfg_;
  Latency& latency_;
};

}  // namespace

struct Worker::Impl {
  WorkerConfig cfg;
  std::unique_ptr<BlockStore> store;
  Latency latency;
  std::unique_ptr<Service> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::unique_ptr<MetricsServer> metrics;
  std::unique_ptr<DataPort> data;
  std::atomic<bool> stopped{false};
};

core::Result<std::unique_ptr<Worker>> Worker::start(WorkerConfig config) {
  if (config.tiers.empty()) return core::invalid_argument("--tier: at least one tier is required");
  auto impl = std::make_unique<Impl>();
  impl->cfg = std::move(config);
  auto store = BlockStore::create(impl->cfg.tiers, impl->cfg.eviction);
  if (!store) return store.status();
  impl->store = std::move(*store);
  impl->service = std::make_unique<Service>(*impl->store, impl->cfg, impl->latency);
  if (impl->cfg.data_listen != "off" && !(impl->cfg.tls && impl->cfg.data_listen.empty())) {
    if (impl->cfg.tls) {
      return core::invalid_argument("--data-listen " + impl->cfg.data_listen +
                                    ": the data port is plain TCP; with TLS it is off");
    }
    DataPort::Options o;
    if (impl->cfg.data_listen.empty()) {
      AQ_ASSIGN_OR_RETURN(auto hp, split_host_port(impl->cfg.listen, "--listen"));
      o.host = hp.first;
    } else {
      AQ_ASSIGN_OR_RETURN(auto hp, split_host_port(impl->cfg.data_listen, "--data-listen"));
      o.host = hp.first;
      o.port = hp.second;
    }
    o.token = impl->cfg.auth_token;
    o.max_length = static_cast<std::uint32_t>(
        std::min<std::size_t>(impl->cfg.chunk_bytes, std::uint32_t{1} << 30));
    o.max_connections = impl->cfg.max_slice_sessions;
    Latency* latency = &impl->latency;
    auto data = DataPort::start(o, *impl->store,
                                [latency](std::chrono::nanoseconds d) { latency->observe(d); });
    if (!data.ok()) {
      return core::Status(data.status().code(), "--data-listen: " + data.status().message());
    }
    impl->data = std::move(*data);
    impl->service->set_data_port(impl->data->port());
  }
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (impl->cfg.tls) {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = impl->cfg.tls->ca_cert_pem;
    ssl.pem_key_cert_pairs.push_back({impl->cfg.tls->key_pem, impl->cfg.tls->cert_pem});
    creds = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(impl->cfg.listen, creds, &impl->port);
  builder.RegisterService(impl->service.get());
  builder.SetMaxReceiveMessageSize(static_cast<int>(impl->cfg.chunk_bytes) * 4 + (1 << 20));
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0) {
    return core::Status(core::StatusCode::kUnavailable,
                        "--listen " + impl->cfg.listen + ": cannot serve gRPC there");
  }
  std::unique_ptr<Worker> w(new Worker(std::move(impl)));
  if (!w->impl_->cfg.metrics_listen.empty()) {
    Worker* self = w.get();
    AQ_ASSIGN_OR_RETURN(w->impl_->metrics,
                        MetricsServer::start("--metrics-listen", w->impl_->cfg.metrics_listen,
                                             [self] { return self->metrics_text(); }));
  }
  return w;
}

Worker::Worker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Worker::~Worker() { stop(); }
int Worker::port() const { return impl_->port; }
int Worker::metrics_port() const { return impl_->metrics ? impl_->metrics->port() : 0; }
int Worker::data_port() const { return impl_->data ? impl_->data->port() : 0; }
BlockStore& Worker::store() { return *impl_->store; }

void Worker::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->service->cancel_sessions();
  if (impl_->data) impl_->data->stop();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (impl_->metrics) impl_->metrics->stop();
}

void Worker::wait() { impl_->server->Wait(); }

std::string Worker::metrics_text() const {
  BlockStoreStats s = impl_->store->stats();
  std::string text;
  auto counter = [&text](const char* name, const char* help, std::uint64_t v) {
    prometheus_metric(text, "counter", name, help, v);
  };
  counter("aqueduct_worker_hits_total", "Block reads served from the cache.", s.hits);
  counter("aqueduct_worker_misses_total", "Block reads of blocks not cached.", s.misses);
  counter("aqueduct_worker_bytes_served_total", "Bytes of blocks served.", s.bytes_served);
  counter("aqueduct_worker_puts_total", "Blocks stored.", s.puts);
  counter("aqueduct_worker_evictions_total", "Blocks that left the cache.", s.evictions);
  counter("aqueduct_worker_corrupt_blocks_total", "Blocks dropped on a checksum mismatch.",
          s.corrupt_blocks);
  prometheus_metric(text, "gauge", "aqueduct_worker_blocks", "Blocks held.", s.blocks);
  counter("aqueduct_worker_data_port_reads_total", "Slice reads answered on the data port.",
          impl_->data ? impl_->data->reads() : 0);
  counter("aqueduct_worker_session_reads_total", "Slice reads answered in ReadSlices sessions.",
          impl_->service->session_reads());
  std::ostringstream o;
  o << "# HELP aqueduct_worker_tier_used_bytes Bytes held per tier.\n"
    << "# TYPE aqueduct_worker_tier_used_bytes gauge\n";
  for (std::size_t i = 0; i < s.tiers.size(); ++i) {
    o << "aqueduct_worker_tier_used_bytes{tier=\"" << i << "\",medium=\"" << s.tiers[i].medium
      << "\"} " << s.tiers[i].used_bytes << "\n";
  }
  o << "# HELP aqueduct_worker_tier_capacity_bytes Quota per tier.\n"
    << "# TYPE aqueduct_worker_tier_capacity_bytes gauge\n";
  for (std::size_t i = 0; i < s.tiers.size(); ++i) {
    o << "aqueduct_worker_tier_capacity_bytes{tier=\"" << i << "\",medium=\"" << s.tiers[i].medium
      << "\"} " << s.tiers[i].capacity_bytes << "\n";
  }
  o << "# HELP aqueduct_worker_get_latency_seconds Time to serve a Get.\n"
    << "# TYPE aqueduct_worker_get_latency_seconds histogram\n";
  std::uint64_t cum = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cum += impl_->latency.counts[i];
    o << "aqueduct_worker_get_latency_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cum << "\n";
  }
  cum += impl_->latency.counts[kBuckets.size()];
  o << "aqueduct_worker_get_latency_seconds_bucket{le=\"+Inf\"} " << cum << "\n"
    << "aqueduct_worker_get_latency_seconds_sum " << impl_->latency.sum_ns / 1e9 << "\n"
    << "aqueduct_worker_get_latency_seconds_count " << cum << "\n";
  return text + o.str();
}

}  // namespace aqueduct::fuse
