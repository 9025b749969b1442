// Reads a dataset through the cache: file data in fixed-size blocks, each
// owned by one worker (consistent hashing over the worker list). A block
// comes from the local memory tier, else its worker, else the source (and is
// then put to its worker). A worker that fails or times out is skipped for a
// while and the block read from the source, so a reader never sees an error
// caused by a cache. Metadata (stat, listings) is cached with a TTL;
// sequential reads trigger readahead. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "aqueduct/core/cache/hash_ring.h"
#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"
#include "aqueduct/fuse/block_store.h"
#include "aqueduct/fuse/source.h"
#include "aqueduct/fuse/worker_client.h"

namespace aqueduct::fuse {

struct ReaderOptions {
  core::Logger log;                 // workers skipped after errors (component "fuse")
  std::string dataset = "default";  // the label blocks are stored under on workers
  std::int64_t block_size = 4 << 20;
  // The local hot tier in memory: whole blocks shared with readers, so reads
  // inside a block cost a copy of the bytes asked for, nothing more.
  std::int64_t mem_cache_bytes = 256 << 20;
  std::string cache_dir;  // a local disk tier under it (with cache_dir_bytes)
  std::int64_t cache_dir_bytes = 0;
  std::chrono::milliseconds meta_ttl{5000};
  std::chrono::milliseconds worker_timeout{2000};
  std::chrono::milliseconds worker_retry{5000};  // a failed worker is skipped this long
  int readahead_blocks = 4;                      // 0: none
  int readahead_threads = 4;
  // Blocks a worker on this node keeps as files (tmpfs MEM, SSD, HDD levels)
  // are read from those files, without a network hop (short-circuit).
  bool short_circuit = true;
  std::string worker_token;             // the workers' shared secret (WorkerConfig::auth_token)
  std::optional<WorkerTls> worker_tls;  // mutual TLS with the workers; nullopt: plain TCP
  // Checksums of the blocks this reader read from the source itself (the
  // newest this many; the whole block's and one per 64 KiB): a worker's copy
  // of such a block, or a slice of it, is served only when it matches, so a
  // block rewritten on a worker, even by a holder of the token, is never
  // served to the reader that knows better. About 0.6 KiB per 4 MiB block.
  std::size_t verified_blocks = 16384;
  // A full put queue (64 blocks) makes the reader wait for room instead of
  // dropping the block: `aqueduct load`, whose job is to store every block.
  // The mount leaves it off: its cache is best effort and reads never wait.
  bool wait_for_puts = false;
};

struct ReaderStats {
  std::uint64_t local_hits = 0, worker_hits = 0, source_reads = 0, worker_errors = 0,
                worker_puts = 0, readaheads = 0, short_circuit_reads = 0,
                short_circuit_rejects = 0,  // block files that failed their checksum
      rejected_blocks = 0;  // worker blocks unlike what this reader read from the source
  // Blocks read from the source that did not reach their worker: the put was
  // refused or failed, the owner was skipped as down, or the queue was full.
  std::uint64_t puts_lost = 0;
  std::string first_put_error;  // why the first of those was lost
  // Cold random reads whose block was not cached in the background because
  // the background was busy (readahead queue or puts full).
  std::uint64_t passive_skipped = 0;
};

// The counters as Prometheus text (aqueduct_fuse_*_total), for the mount's
// --metrics-listen: where reads were served from, what reached the workers
// and what did not.
std::string reader_metrics_text(const ReaderStats& s);

class DatasetReader {
 public:
  static core::Result<std::unique_ptr<DatasetReader>> create(std::unique_ptr<Source> source,
                                                             std::vector<std::string> workers,
                                                             ReaderOptions options);
  ~DatasetReader();

  core::Result<FileInfo> stat(const std::string& path);
  core::Result<std::vector<FileInfo>> list(const std::string& dir);
  // Copies up to `size` bytes at `offset` into `out`; returns the count (0 at EOF).
  core::Result<std::size_t> read(const std::string& path, std::int64_t offset, std::size_t size,
                                 char* out);
  // One block as the cache serves it (for `aqueduct load`); warms its worker.
  using BlockPtr = std::shared_ptr<const std::string>;
  // Keyed by the file's current version (stat), so it is never an old block.
  core::Result<BlockPtr> block(const std::string& path, std::uint64_t index);
  // Waits until background fetches and puts to workers are done (tests, `load`).
  void flush();
  ReaderStats stats() const;
  const Source& source() const { return *source_; }

 private:
  DatasetReader() = default;
  struct Worker {
    std::unique_ptr<WorkerClient> client;
    std::chrono::steady_clock::time_point down_until{};
    int co_located = -1;  // -1: not asked yet; 0/1 from the worker's host id
  };
  WorkerClient* owner_of(const std::string& placement);  // placement_name(ref)
  void worker_failed(WorkerClient* c, const core::Status& st);
  // Queues `count` blocks from `next` for background fetching.
  void readahead(const std::string& path, std::uint64_t next, const FileInfo& file, int count);
  core::Result<BlockPtr> block_of(const std::string& path, std::uint64_t index,
                                  const FileInfo& file);
  void readahead_loop();

  // Short-circuit reads: open block files of co-located workers, checked once
  // against their checksum when opened, re-checked for removal after meta_ttl.
  struct BlockFile {
    int fd = -1;
    std::int64_t size = 0;
    std::uint64_t xxh64 = 0;  // the file's, checked when opened
    std::chrono::steady_clock::time_point checked;
    ~BlockFile();
  };
  bool co_located(WorkerClient* c);
  // Opens a co-located worker's block file; null when there is none. Sets
  // *absent when the worker does not hold the block at all.
  std::shared_ptr<BlockFile> block_file(const std::string& name, const BlockRef& ref,
                                        WorkerClient* owner, bool* absent = nullptr);
  // Blocks a worker just said it does not hold, so random reads do not ask
  // again before the block has been put there (or a second has passed).
  bool known_absent(const std::string& name);
  void set_absent(const std::string& name, bool absent);
  std::mutex absent_mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> absent_;
  std::mutex files_mu_;
  std::list<std::string> files_lru_;  // most recent first
  std::unordered_map<std::string,
                     std::pair<std::shared_ptr<BlockFile>, std::list<std::string>::iterator>>
      files_;

  std::unique_ptr<Source> source_;
  ReaderOptions opt_;
  std::vector<Worker> workers_;
  core::HashRing ring_;
  std::mutex workers_mu_;
  std::unique_ptr<BlockStore> local_;  // --cache-dir: a disk tier

  // One fetch per block at a time: concurrent readers of a block being
  // fetched (the kernel sends many 128 KiB reads into one block) wait for it.
  core::Result<BlockPtr> fetch(const std::string& name, const BlockRef& ref,
                               std::int64_t file_size);
  std::mutex inflight_mu_;
  std::map<std::string, std::shared_future<core::Result<BlockPtr>>> inflight_;

  // What this reader read from the source (bounded FIFO by block name).
  static constexpr std::int64_t kOwnChunk = 64 << 10;
  struct OwnRead {
    std::uint64_t whole = 0;
    std::vector<std::uint64_t> chunks;  // xxh64 of each kOwnChunk bytes
  };
  void record_source_read(const std::string& name, const std::string& bytes);
  // False when the reader read `name` from the source and `sum` differs.
  bool agrees_with_own_read(const std::string& name, std::uint64_t sum);
  // The chunk sums of a block read from the source, or null.
  std::shared_ptr<const OwnRead> own_read(const std::string& name);
  // Checks bytes at chunk-aligned offset `at` against `own`; counts a mismatch.
  bool chunks_agree(const OwnRead& own, std::int64_t at, std::string_view bytes);
  std::mutex own_mu_;
  std::unordered_map<std::string, std::shared_ptr<const OwnRead>> own_reads_;
  std::deque<std::string> own_order_;

  // The memory tier: an LRU of whole blocks.
  BlockPtr hot_get(const std::string& name);
  void hot_put(const std::string& name, BlockPtr data);
  std::mutex hot_mu_;
  std::list<std::pair<std::string, BlockPtr>> hot_lru_;  // most recent first
  std::unordered_map<std::string, std::list<std::pair<std::string, BlockPtr>>::iterator> hot_;
  std::int64_t hot_bytes_ = 0;

  // Puts to workers happen in the background: a reader gets its bytes as
  // soon as the source has answered.
  void put_loop();
  std::mutex put_mu_;
  std::condition_variable put_cv_, put_idle_, put_room_;
  std::deque<std::tuple<WorkerClient*, BlockRef, BlockPtr>> put_queue_;
  int puts_running_ = 0;
  std::vector<std::thread> put_threads_;

  struct MetaEntry {
    core::Result<FileInfo> info = core::internal_error("unset");
    std::chrono::steady_clock::time_point expires;
  };
  struct ListEntry {
    core::Result<std::vector<FileInfo>> entries = core::internal_error("unset");
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex meta_mu_;
  std::map<std::string, MetaEntry> meta_;
  std::map<std::string, ListEntry> lists_;

  // Sequential streams per path: where each recent stream's reads ended and
  // how many contiguous reads it has had. A read continues a stream when it
  // starts within kStreamSlack of the stream's end (the kernel sends a
  // stream's reads from several threads, a little out of order); a stream
  // counts as sequential from its third read, so that random reads, which
  // now and then land next to an earlier one, never fetch whole blocks and
  // read ahead.
  struct Stream {
    std::int64_t end = 0;
    int reads = 0;
  };
  static constexpr std::int64_t kStreamSlack = 128 << 10;
  static constexpr std::size_t kStreamsPerPath = 8;
  // Records the read [offset, end) of `path`; true when it continues an
  // established sequential stream.
  bool note_read(const std::string& path, std::int64_t offset, std::int64_t end);
  std::mutex seq_mu_;
  std::unordered_map<std::string, std::vector<Stream>> streams_;  // most recent last

  std::mutex ra_mu_;
  std::condition_variable ra_cv_, ra_idle_;
  std::deque<std::tuple<std::string, std::uint64_t, FileInfo>> ra_queue_;
  std::set<std::pair<std::string, std::uint64_t>> ra_pending_;
  std::vector<std::thread> ra_threads_;
  bool ra_stop_ = false;

  std::atomic<std::uint64_t> local_hits_{0}, worker_hits_{0}, source_reads_{0}, worker_errors_{0},
      worker_puts_{0}, readaheads_{0}, short_circuit_reads_{0}, short_circuit_rejects_{0},
      rejected_blocks_{0}, puts_lost_{0}, passive_skipped_{0};
  // Cold random reads' blocks are cached whole in the background (Alluxio's
  // passive caching) by one thread, one block at a time, each once fewer
  // puts than kPassiveCachePuts wait or run: caching a block moves 4 MiB
  // through the source, the checksums and a put, and several at once took
  // the cores from the reads waiting meanwhile. At most kPassiveQueue blocks
  // wait; a read finding the queue full leaves its block uncached
  // (passive_skipped).
  static constexpr std::size_t kPassiveCachePuts = 2, kPassiveQueue = 8;
  void passive_cache(const std::string& path, std::uint64_t index, const FileInfo& file);
  void passive_loop();
  std::deque<std::tuple<std::string, std::uint64_t, FileInfo>> passive_queue_;  // under ra_mu_
  std::thread passive_thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex put_error_mu_;
  std::string first_put_error_, last_worker_error_;
  void put_lost(const std::string& why);
};

}  // namespace aqueduct::fuse
