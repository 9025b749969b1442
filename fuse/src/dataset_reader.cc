#include "aqueduct/fuse/dataset_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "aqueduct/core/hash.h"
#include "aqueduct/fuse/metrics_server.h"

namespace aqueduct::fuse {

core::Result<std::unique_ptr<DatasetReader>> DatasetReader::create(std::unique_ptr<Source> source,
                                                                   std::vector<std::string> workers,
                                                                   ReaderOptions options) {
  if (!source) return core::invalid_argument("no source");
  if (options.block_size <= 0) return core::invalid_argument("--block-size: expected > 0");
  std::unique_ptr<DatasetReader> r(new DatasetReader());
  r->source_ = std::move(source);
  r->opt_ = options;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    if (workers[i].empty()) continue;
    Worker w;
    w.client = std::make_unique<WorkerClient>(workers[i], options.worker_timeout,
                                              options.worker_token, options.worker_tls);
    r->ring_.add(static_cast<std::uint32_t>(r->workers_.size()), workers[i]);
    r->workers_.push_back(std::move(w));
  }
  if (!options.cache_dir.empty()) {
    if (options.cache_dir_bytes <= 0) {
      return core::invalid_argument("--cache-dir " + options.cache_dir +
                                    ": needs a size (--cache-dir-size)");
    }
    TierConfig disk;
    disk.medium = core::MediumType::kSsd;
    disk.path = options.cache_dir;
    disk.quota_bytes = options.cache_dir_bytes;
    AQ_ASSIGN_OR_RETURN(r->local_, BlockStore::create({disk}, "lru"));
  }
  for (int i = 0; i < 2; ++i) r->put_threads_.emplace_back([p = r.get()] { p->put_loop(); });
  for (int i = 0; i < options.readahead_threads && options.readahead_blocks > 0; ++i) {
    r->ra_threads_.emplace_back([p = r.get()] { p->readahead_loop(); });
  }
  if (!r->ra_threads_.empty()) r->passive_thread_ = std::thread([p = r.get()] { p->passive_loop(); });
  return r;
}

DatasetReader::~DatasetReader() {
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(ra_mu_);
    ra_stop_ = true;
  }
  ra_cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(put_mu_);  // the passive thread may wait for room
  }
  put_room_.notify_all();
  for (auto& t : ra_threads_) t.join();
  if (passive_thread_.joinable()) passive_thread_.join();
  {
    std::lock_guard<std::mutex> lock(put_mu_);
    ra_stop_ = true;
  }
  put_cv_.notify_all();
  put_room_.notify_all();
  for (auto& t : put_threads_) t.join();
}

DatasetReader::BlockPtr DatasetReader::hot_get(const std::string& name) {
  std::lock_guard<std::mutex> lock(hot_mu_);
  auto it = hot_.find(name);
  if (it == hot_.end()) return nullptr;
  hot_lru_.splice(hot_lru_.begin(), hot_lru_, it->second);
  return it->second->second;
}

void DatasetReader::hot_put(const std::string& name, BlockPtr data) {
  if (opt_.mem_cache_bytes <= 0) return;
  std::lock_guard<std::mutex> lock(hot_mu_);
  if (hot_.count(name)) return;
  hot_bytes_ += static_cast<std::int64_t>(data->size());
  hot_lru_.emplace_front(name, std::move(data));
  hot_[name] = hot_lru_.begin();
  while (hot_bytes_ > opt_.mem_cache_bytes && hot_lru_.size() > 1) {
    auto& last = hot_lru_.back();
    hot_bytes_ -= static_cast<std::int64_t>(last.second->size());
    hot_.erase(last.first);
    hot_lru_.pop_back();
  }
}

void DatasetReader::put_loop() {
  for (;;) {
    std::tuple<WorkerClient*, BlockRef, BlockPtr> job;
    {
      std::unique_lock<std::mutex> lock(put_mu_);
      put_cv_.wait(lock, [&] { return ra_stop_ || !put_queue_.empty(); });
      if (put_queue_.empty()) return;  // stopping, nothing left
      job = std::move(put_queue_.front());
      put_queue_.pop_front();
      ++puts_running_;
    }
    auto& [client, ref, data] = job;
    core::Status st = client->put(ref, *data);
    if (st.is_ok()) {
      ++worker_puts_;
      set_absent(block_name(ref), false);
    } else {
      put_lost(client->address() + ": " + st.message());
      if (st.code() == core::StatusCode::kUnavailable) worker_failed(client, st);
    }
    std::lock_guard<std::mutex> lock(put_mu_);
    --puts_running_;
    put_room_.notify_all();
    if (put_queue_.empty() && puts_running_ == 0) put_idle_.notify_all();
  }
}

void DatasetReader::flush() {
  {
    std::unique_lock<std::mutex> lock(ra_mu_);
    ra_idle_.wait(lock, [&] { return ra_pending_.empty() || ra_stop_; });
  }
  std::unique_lock<std::mutex> lock(put_mu_);
  put_idle_.wait(lock, [&] { return put_queue_.empty() && puts_running_ == 0; });
}

core::Result<FileInfo> DatasetReader::stat(const std::string& path) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(meta_mu_);
    auto it = meta_.find(path);
    if (it != meta_.end() && it->second.expires > now) return it->second.info;
  }
  auto info = source_->stat(path);
  // Transport errors are not cached; answers (including "no such file") are.
  if (info.ok() || info.status().code() == core::StatusCode::kNotFound) {
    std::lock_guard<std::mutex> lock(meta_mu_);
    meta_[path] = MetaEntry{info, now + opt_.meta_ttl};
  }
  return info;
}

core::Result<std::vector<FileInfo>> DatasetReader::list(const std::string& dir) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(meta_mu_);
    auto it = lists_.find(dir);
    if (it != lists_.end() && it->second.expires > now) return it->second.entries;
  }
  auto entries = source_->list(dir);
  if (entries.ok()) {
    std::lock_guard<std::mutex> lock(meta_mu_);
    lists_[dir] = ListEntry{entries, now + opt_.meta_ttl};
    for (const auto& e : *entries) {
      meta_[(dir == "/" ? "" : dir) + "/" + e.name] = MetaEntry{e, now + opt_.meta_ttl};
    }
  }
  return entries;
}

WorkerClient* DatasetReader::owner_of(const std::string& name) {
  if (workers_.empty()) return nullptr;
  // FNV-1a alone keeps names that differ in their last bytes close together
  // on the ring; the splitmix64 step spreads them.
  std::uint64_t h = core::fnv1a64(name);
  std::uint32_t w = ring_.owner(core::splitmix64(h));
  std::lock_guard<std::mutex> lock(workers_mu_);
  if (std::chrono::steady_clock::now() < workers_[w].down_until) return nullptr;
  return workers_[w].client.get();
}

void DatasetReader::worker_failed(WorkerClient* c, const core::Status& st) {
  ++worker_errors_;
  {
    std::lock_guard<std::mutex> lock(put_error_mu_);
    last_worker_error_ = c->address() + ": " + st.message();
  }
  std::lock_guard<std::mutex> lock(workers_mu_);
  for (auto& w : workers_) {
    if (w.client.get() != c) continue;
    bool was_up = std::chrono::steady_clock::now() >= w.down_until;
    w.down_until = std::chrono::steady_clock::now() + opt_.worker_retry;
    if (was_up) {
      opt_.log.warn("skipping worker " + c->address() + " for " +
                    std::to_string(opt_.worker_retry.count()) + " ms: " + st.message());
    }
  }
}

DatasetReader::BlockFile::~BlockFile() {
  if (fd >= 0) ::close(fd);
}

bool DatasetReader::co_located(WorkerClient* c) {
  if (!opt_.short_circuit) return false;
  {
    std::lock_guard<std::mutex> lock(workers_mu_);
    for (auto& w : workers_) {
      if (w.client.get() == c && w.co_located >= 0) return w.co_located == 1;
    }
  }
  auto id = c->host_id();
  if (!id.ok()) {
    worker_failed(c, id.status());
    return false;
  }
  const std::string mine = local_host_id();
  std::lock_guard<std::mutex> lock(workers_mu_);
  for (auto& w : workers_) {
    if (w.client.get() == c) w.co_located = !mine.empty() && *id == mine ? 1 : 0;
  }
  return !mine.empty() && *id == mine;
}

bool DatasetReader::known_absent(const std::string& name) {
  std::lock_guard<std::mutex> lock(absent_mu_);
  auto it = absent_.find(name);
  if (it == absent_.end()) return false;
  if (std::chrono::steady_clock::now() < it->second) return true;
  absent_.erase(it);
  return false;
}

void DatasetReader::set_absent(const std::string& name, bool absent) {
  std::lock_guard<std::mutex> lock(absent_mu_);
  if (!absent) {
    absent_.erase(name);
    return;
  }
  if (absent_.size() > 65536) absent_.clear();
  absent_[name] = std::chrono::steady_clock::now() + std::chrono::seconds(1);
}

std::shared_ptr<DatasetReader::BlockFile> DatasetReader::block_file(const std::string& name,
                                                                    const BlockRef& ref,
                                                                    WorkerClient* owner,
                                                                    bool* absent) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(files_mu_);
    auto it = files_.find(name);
    if (it != files_.end()) {
      std::shared_ptr<BlockFile> f = it->second.first;
      struct stat st;
      // An evicted block's file is unlinked: the open file still holds the
      // right bytes, but keeping it would pin the worker's space.
      const bool fresh = now - f->checked < opt_.meta_ttl;
      if (fresh || (::fstat(f->fd, &st) == 0 && st.st_nlink > 0)) {
        if (!fresh) f->checked = now;
        files_lru_.splice(files_lru_.begin(), files_lru_, it->second.second);
        return f;
      }
      files_lru_.erase(it->second.second);
      files_.erase(it);
    }
  }
  bool cached = true;
  auto at = owner->locate(ref, &cached);
  if (!at.ok()) {
    worker_failed(owner, at.status());
    return nullptr;
  }
  if (absent) *absent = !cached;
  if (!at->has_value()) return nullptr;
  const BlockStore::Location& loc = **at;
  auto f = std::make_shared<BlockFile>();
  f->fd = ::open(loc.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd < 0) return nullptr;  // evicted meanwhile, or not visible from here
  struct stat st;
  if (::fstat(f->fd, &st) != 0 || st.st_size != loc.size) {
    ++short_circuit_rejects_;
    return nullptr;
  }
  f->size = loc.size;
  f->xxh64 = loc.xxh64;
  f->checked = now;
  // The whole file is checked once, through a mapping (no copy).
  std::uint64_t sum = xxh64({});
  if (loc.size > 0) {
    void* map =
        ::mmap(nullptr, static_cast<std::size_t>(loc.size), PROT_READ, MAP_SHARED, f->fd, 0);
    if (map == MAP_FAILED) return nullptr;
    sum = xxh64({static_cast<const char*>(map), static_cast<std::size_t>(loc.size)});
    ::munmap(map, static_cast<std::size_t>(loc.size));
  }
  if (sum != loc.xxh64) {
    ++short_circuit_rejects_;
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(files_mu_);
  auto it = files_.find(name);
  if (it != files_.end()) return it->second.first;  // another reader opened it too
  files_lru_.push_front(name);
  files_[name] = {f, files_lru_.begin()};
  while (files_.size() > 1024) {
    files_.erase(files_lru_.back());
    files_lru_.pop_back();
  }
  return f;
}

core::Result<DatasetReader::BlockPtr> DatasetReader::block(const std::string& path,
                                                           std::uint64_t index) {
  AQ_ASSIGN_OR_RETURN(FileInfo info, stat(path));
  if (info.is_dir) return core::invalid_argument(path + ": is a directory");
  return block_of(path, index, info);
}

core::Result<DatasetReader::BlockPtr> DatasetReader::block_of(const std::string& path,
                                                              std::uint64_t index,
                                                              const FileInfo& file) {
  const std::int64_t file_size = file.size;
  const BlockRef ref{opt_.dataset, path, index, file.version};
  const std::string name = block_name(ref);
  if (BlockPtr hot = hot_get(name)) {
    ++local_hits_;
    return hot;
  }
  std::promise<core::Result<BlockPtr>> promise;
  std::shared_future<core::Result<BlockPtr>> waiting;
  {
    std::lock_guard<std::mutex> lock(inflight_mu_);
    auto it = inflight_.find(name);
    if (it != inflight_.end()) {
      waiting = it->second;
    } else {
      inflight_[name] = promise.get_future().share();
    }
  }
  if (waiting.valid()) return waiting.get();  // another reader is fetching it
  core::Result<BlockPtr> result = fetch(name, ref, file_size);
  promise.set_value(result);
  std::lock_guard<std::mutex> lock(inflight_mu_);
  inflight_.erase(name);
  return result;
}

core::Result<DatasetReader::BlockPtr> DatasetReader::fetch(const std::string& name,
                                                           const BlockRef& ref,
                                                           std::int64_t file_size) {
  const std::string& path = ref.path;
  const std::uint64_t index = ref.index;
  if (local_) {
    if (auto b = local_->get(name)) {
      ++local_hits_;
      auto data = std::make_shared<const std::string>(std::move(b->data));
      hot_put(name, data);
      return BlockPtr(data);
    }
  }
  WorkerClient* owner = owner_of(placement_name(ref));
  if (owner && co_located(owner)) {
    auto f = block_file(name, ref, owner);
    if (f && !agrees_with_own_read(name, f->xxh64)) f = nullptr;
    if (f) {
      std::string bytes(static_cast<std::size_t>(f->size), '\0');
      if (::pread(f->fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size())) {
        ++short_circuit_reads_;
        auto data = std::make_shared<const std::string>(std::move(bytes));
        hot_put(name, data);
        if (local_) (void)local_->put(name, *data, 0);
        return BlockPtr(data);
      }
    }
  }
  if (owner) {
    auto got = owner->get(ref);
    if (!got.ok()) {
      worker_failed(owner, got.status());
      owner = nullptr;
    } else if (got->has_value() && agrees_with_own_read(name, (*got)->xxh64)) {
      ++worker_hits_;
      auto data = std::make_shared<const std::string>(std::move((*got)->data));
      hot_put(name, data);
      if (local_) (void)local_->put(name, *data, 0);
      return BlockPtr(data);
    }
  }
  const std::int64_t off = static_cast<std::int64_t>(index) * opt_.block_size;
  const std::int64_t len =
      std::min<std::int64_t>(opt_.block_size, std::max<std::int64_t>(file_size - off, 0));
  AQ_ASSIGN_OR_RETURN(std::string bytes, source_->read(path, off, len));
  ++source_reads_;
  record_source_read(name, bytes);
  auto data = std::make_shared<const std::string>(std::move(bytes));
  hot_put(name, data);
  if (local_) (void)local_->put(name, *data, 0);
  if (owner) {
    constexpr std::size_t kPutBacklog = 64;
    std::unique_lock<std::mutex> lock(put_mu_);
    if (opt_.wait_for_puts) {
      put_room_.wait(lock, [&] { return put_queue_.size() < kPutBacklog || ra_stop_; });
    }
    if (put_queue_.size() < kPutBacklog) {
      put_queue_.emplace_back(owner, ref, data);
      put_cv_.notify_one();
    } else {  // the mount's cache is best effort: a backlog beyond that is dropped
      lock.unlock();
      put_lost("the put queue was full (" + std::to_string(kPutBacklog) + " blocks)");
    }
  } else if (!workers_.empty()) {
    std::string why;
    {
      std::lock_guard<std::mutex> lock(put_error_mu_);
      why = last_worker_error_;
    }
    put_lost("its worker is skipped after an error: " + why);
  }
  return BlockPtr(data);
}

core::Result<std::size_t> DatasetReader::read(const std::string& path, std::int64_t offset,
                                              std::size_t size, char* out) {
  AQ_ASSIGN_OR_RETURN(FileInfo info, stat(path));
  if (info.is_dir) return core::invalid_argument(path + ": is a directory");
  if (offset >= info.size || size == 0) return std::size_t{0};
  const std::int64_t end =
      std::min<std::int64_t>(info.size, offset + static_cast<std::int64_t>(size));
  std::size_t done = 0;
  std::int64_t pos = offset;
  std::uint64_t last = 0;
  // A small read that is not part of a sequential stream is random access:
  // when its block is not held locally, ask its worker for just the bytes
  // instead of moving the whole block (Alluxio/JuiceFS position reads).
  const bool sequential = note_read(path, offset, end);
  const bool random = !sequential && end - offset <= opt_.block_size / 8;
  if (random && offset / opt_.block_size == (end - 1) / opt_.block_size) {  // within one block
    const auto index = static_cast<std::uint64_t>(offset / opt_.block_size);
    const BlockRef ref{opt_.dataset, path, index, info.version};
    const std::string name = block_name(ref);
    if (!hot_get(name) && !(local_ && local_->has(name))) {
      WorkerClient* owner = known_absent(name) ? nullptr : owner_of(placement_name(ref));
      if (owner) {
        const auto in_block =
            static_cast<std::uint64_t>(offset - static_cast<std::int64_t>(index) * opt_.block_size);
        const auto want = static_cast<std::size_t>(end - offset);
        // A block this reader read from the source: ask for the 64 KiB
        // chunks around the slice and check them against its own reading.
        const auto own = own_read(name);
        std::uint64_t from = in_block, length = want;
        if (own) {
          const std::int64_t block_len = std::min<std::int64_t>(
              opt_.block_size, info.size - static_cast<std::int64_t>(index) * opt_.block_size);
          from = in_block / kOwnChunk * kOwnChunk;
          const auto to =
              std::min<std::uint64_t>((in_block + want + kOwnChunk - 1) / kOwnChunk * kOwnChunk,
                                      static_cast<std::uint64_t>(block_len));
          length = to - from;
        }
        // The slice's bytes out of what came back, if they may be served.
        auto serve = [&](std::string_view got) {
          if (got.size() != length) return false;
          if (own && !chunks_agree(*own, static_cast<std::int64_t>(from), got)) return false;
          std::memcpy(out, got.data() + (in_block - from), want);
          return true;
        };
        bool absent = false;
        if (co_located(owner)) {
          if (auto f = block_file(name, ref, owner, &absent)) {
            // The file was checked whole when opened: when that checksum is
            // the one of this reader's own reading, its bytes are, and a
            // slice needs no chunks around it.
            if (!own || own->whole == f->xxh64) {
              if (::pread(f->fd, out, want, static_cast<off_t>(in_block)) ==
                  static_cast<ssize_t>(want)) {
                ++short_circuit_reads_;
                return want;
              }
            } else {
              std::string bytes(length, '\0');
              const ssize_t n = ::pread(f->fd, bytes.data(), length, static_cast<off_t>(from));
              if (n >= 0) bytes.resize(static_cast<std::size_t>(n));
              if (n >= 0 && serve(bytes)) {
                ++short_circuit_reads_;
                return want;
              }
            }
          }
        }
        if (!absent) {
          auto got = owner->get_range(ref, from, length);
          if (!got.ok()) {
            worker_failed(owner, got.status());
          } else if (got->has_value()) {
            if (serve((*got)->data)) {
              ++worker_hits_;
              return want;
            }
          } else {
            absent = true;
          }
        }
        if (absent) set_absent(name, true);
      }
      // Cached nowhere: read just these bytes from the source, and have the
      // whole block cached in the background (Alluxio's passive caching)
      // when the background has room for it: a burst of random reads must
      // not turn into a backlog of whole-block reads that the workers cannot
      // store as fast (each would then be read again on the next miss).
      if (!ra_threads_.empty()) {
        auto bytes = source_->read(path, offset, end - offset);
        if (bytes.ok() && static_cast<std::int64_t>(bytes->size()) == end - offset) {
          ++source_reads_;
          std::memcpy(out, bytes->data(), bytes->size());
          passive_cache(path, index, info);
          return bytes->size();
        }
      }
    }
  }
  while (pos < end) {
    const auto index = static_cast<std::uint64_t>(pos / opt_.block_size);
    AQ_ASSIGN_OR_RETURN(BlockPtr blk, block_of(path, index, info));
    const std::string& data = *blk;
    const std::int64_t in_block = pos - static_cast<std::int64_t>(index) * opt_.block_size;
    if (in_block >= static_cast<std::int64_t>(data.size())) {
      return core::io_error(path + ": the source returned a short block " + std::to_string(index));
    }
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::int64_t>(end - pos, static_cast<std::int64_t>(data.size()) - in_block));
    std::memcpy(out + done, data.data() + in_block, n);
    done += n;
    pos += static_cast<std::int64_t>(n);
    last = index;
  }
  // Sequential access: fetch the next blocks in the background.
  if (opt_.readahead_blocks > 0 && sequential)
    readahead(path, last + 1, info, opt_.readahead_blocks);
  return done;
}

bool DatasetReader::note_read(const std::string& path, std::int64_t offset, std::int64_t end) {
  std::lock_guard<std::mutex> lock(seq_mu_);
  if (streams_.size() > 4096) streams_.clear();
  std::vector<Stream>& streams = streams_[path];
  for (std::size_t i = streams.size(); i-- > 0;) {
    Stream s = streams[i];
    if (offset < s.end - kStreamSlack || offset > s.end + kStreamSlack) continue;
    s.end = std::max(s.end, end);
    ++s.reads;
    streams.erase(streams.begin() + static_cast<std::ptrdiff_t>(i));
    streams.push_back(s);
    return s.reads >= 3;
  }
  if (streams.size() == kStreamsPerPath) streams.erase(streams.begin());
  streams.push_back({end, 1});
  return false;
}

void DatasetReader::readahead(const std::string& path, std::uint64_t next, const FileInfo& file,
                              int count) {
  const std::int64_t file_size = file.size;
  std::lock_guard<std::mutex> lock(ra_mu_);
  for (int k = 0; k < count; ++k) {
    std::uint64_t idx = next + static_cast<std::uint64_t>(k);
    if (static_cast<std::int64_t>(idx) * opt_.block_size >= file_size) break;
    // A full queue takes nothing more (checked before the block is marked
    // pending: a pending mark without a queued fetch would never clear, and
    // flush() would wait for it forever).
    if (ra_queue_.size() > 64) break;
    if (!ra_pending_.insert({path, idx}).second) continue;
    ra_queue_.emplace_back(path, idx, file);
  }
  ra_cv_.notify_all();
}

void DatasetReader::passive_cache(const std::string& path, std::uint64_t index,
                                  const FileInfo& file) {
  std::lock_guard<std::mutex> lock(ra_mu_);
  if (passive_queue_.size() >= kPassiveQueue) {
    ++passive_skipped_;
    return;
  }
  if (!ra_pending_.insert({path, index}).second) return;  // queued or being fetched
  passive_queue_.emplace_back(path, index, file);
  ra_cv_.notify_all();
}

void DatasetReader::passive_loop() {
  for (;;) {
    std::tuple<std::string, std::uint64_t, FileInfo> job;
    {
      std::unique_lock<std::mutex> lock(ra_mu_);
      ra_cv_.wait(lock, [&] { return ra_stop_ || !passive_queue_.empty(); });
      if (ra_stop_) return;
      job = passive_queue_.front();
      passive_queue_.pop_front();
    }
    {
      std::unique_lock<std::mutex> lock(put_mu_);
      put_room_.wait(lock, [&] {
        return stopping_.load() ||
               put_queue_.size() + static_cast<std::size_t>(puts_running_) < kPassiveCachePuts;
      });
    }
    const auto& [path, idx, file] = job;
    if (!stopping_ && !hot_get(block_name({opt_.dataset, path, idx, file.version}))) {
      (void)block_of(path, idx, file);
      ++readaheads_;
    }
    std::lock_guard<std::mutex> lock(ra_mu_);
    ra_pending_.erase({path, idx});
    if (ra_pending_.empty()) ra_idle_.notify_all();
  }
}

void DatasetReader::readahead_loop() {
  for (;;) {
    std::tuple<std::string, std::uint64_t, FileInfo> job;
    {
      std::unique_lock<std::mutex> lock(ra_mu_);
      ra_cv_.wait(lock, [&] { return ra_stop_ || !ra_queue_.empty(); });
      if (ra_stop_) return;
      job = ra_queue_.front();
      ra_queue_.pop_front();
    }
    const auto& [path, idx, file] = job;
    // Only worth it when the block is not already close at hand.
    bool cached = hot_get(block_name({opt_.dataset, path, idx, file.version})) != nullptr;
    if (!cached) {
      (void)block_of(path, idx, file);
      ++readaheads_;
    }
    std::lock_guard<std::mutex> lock(ra_mu_);
    ra_pending_.erase({path, idx});
    if (ra_pending_.empty()) ra_idle_.notify_all();
  }
}

void DatasetReader::record_source_read(const std::string& name, const std::string& bytes) {
  if (opt_.verified_blocks == 0) return;
  auto own = std::make_shared<OwnRead>();
  // One pass over the block: each chunk is hashed on its own and, while it
  // is still in the CPU's cache, into the whole block's sum.
  XxHash64 whole;
  for (std::size_t at = 0; at < bytes.size(); at += kOwnChunk) {
    const auto chunk = std::string_view(bytes).substr(at, kOwnChunk);
    own->chunks.push_back(xxh64(chunk));
    whole.update(chunk);
  }
  own->whole = whole.digest();
  std::lock_guard<std::mutex> lock(own_mu_);
  const bool inserted = own_reads_.insert_or_assign(name, std::move(own)).second;
  if (!inserted) return;
  own_order_.push_back(name);
  while (own_order_.size() > opt_.verified_blocks) {
    own_reads_.erase(own_order_.front());
    own_order_.pop_front();
  }
}

bool DatasetReader::agrees_with_own_read(const std::string& name, std::uint64_t sum) {
  auto own = own_read(name);
  if (!own || own->whole == sum) return true;
  ++rejected_blocks_;
  return false;
}

std::shared_ptr<const DatasetReader::OwnRead> DatasetReader::own_read(const std::string& name) {
  std::lock_guard<std::mutex> lock(own_mu_);
  auto it = own_reads_.find(name);
  return it == own_reads_.end() ? nullptr : it->second;
}

bool DatasetReader::chunks_agree(const OwnRead& own, std::int64_t at, std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); i += kOwnChunk) {
    const auto chunk = static_cast<std::size_t>((at + static_cast<std::int64_t>(i)) / kOwnChunk);
    if (chunk >= own.chunks.size() || xxh64(bytes.substr(i, kOwnChunk)) != own.chunks[chunk]) {
      ++rejected_blocks_;
      return false;
    }
  }
  return true;
}

std::string reader_metrics_text(const ReaderStats& s) {
  std::string o;
  auto counter = [&o](const char* name, const char* help, std::uint64_t v) {
    prometheus_metric(o, "counter", std::string("aqueduct_fuse_") + name + "_total", help, v);
  };
  counter("local_hits", "Blocks served from the mount's own tiers.", s.local_hits);
  counter("worker_hits", "Blocks or slices served by a cache worker over gRPC.", s.worker_hits);
  counter("short_circuit_reads", "Blocks or slices read from a co-located worker's files.",
          s.short_circuit_reads);
  counter("short_circuit_rejects", "Co-located block files that failed their checksum.",
          s.short_circuit_rejects);
  counter("source_reads", "Reads from the dataset's source.", s.source_reads);
  counter("readaheads", "Blocks fetched ahead of sequential reads or cached passively.",
          s.readaheads);
  counter("passive_skipped", "Cold random reads whose block was not cached (background busy).",
          s.passive_skipped);
  counter("worker_puts", "Blocks stored on their worker.", s.worker_puts);
  counter("puts_lost", "Blocks read from the source that did not reach their worker.", s.puts_lost);
  counter("worker_errors", "Failed calls to workers (each skips the worker for a while).",
          s.worker_errors);
  counter("rejected_blocks", "Worker copies unlike what this mount read from the source.",
          s.rejected_blocks);
  return o;
}

void DatasetReader::put_lost(const std::string& why) {
  ++puts_lost_;
  std::lock_guard<std::mutex> lock(put_error_mu_);
  if (first_put_error_.empty()) first_put_error_ = why;
}

ReaderStats DatasetReader::stats() const {
  ReaderStats s;
  s.puts_lost = puts_lost_;
  s.passive_skipped = passive_skipped_;
  {
    std::lock_guard<std::mutex> lock(put_error_mu_);
    s.first_put_error = first_put_error_;
  }
  s.local_hits = local_hits_;
  s.worker_hits = worker_hits_;
  s.source_reads = source_reads_;
  s.worker_errors = worker_errors_;
  s.worker_puts = worker_puts_;
  s.readaheads = readaheads_;
  s.short_circuit_reads = short_circuit_reads_;
  s.short_circuit_rejects = short_circuit_rejects_;
  s.rejected_blocks = rejected_blocks_;
  return s;
}

}  // namespace aqueduct::fuse
