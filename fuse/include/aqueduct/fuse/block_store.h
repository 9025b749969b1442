// A cache worker's blocks: core::TieredStore decides which level holds each
// block and what to evict; this class keeps the bytes there (MEM levels in
// process memory or, given a path, as files on a tmpfs; SSD/HDD levels as one
// file per block under the level's path) and
// their xxh64 checksums, verified when stored and on every disk read. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aqueduct/core/cache/tiered_store.h"
#include "aqueduct/core/status.h"

namespace aqueduct::fuse {

struct TierConfig {
  core::MediumType medium = core::MediumType::kMem;
  // The folder holding block files (created): required for SSD/HDD; for MEM
  // optional, a memory filesystem (tmpfs) that makes short-circuit reads possible.
  std::string path;
  std::int64_t quota_bytes = 0;
  double high = 0.95;
  double low = 0.7;
};

// "mem:4Gi", "mem:/dev/shm/aq:4Gi", "ssd:/mnt/cache:100Gi", "hdd:/data:1Ti"
// (optionally ":high=0.9:low=0.5").
core::Result<TierConfig> parse_tier(const std::string& text);

std::uint64_t xxh64(std::string_view data);

// xxh64 over data given in parts (the same sum as xxh64 of them joined).
class XxHash64 {
 public:
  XxHash64();
  ~XxHash64();
  XxHash64(const XxHash64&) = delete;
  XxHash64& operator=(const XxHash64&) = delete;
  void update(std::string_view part);
  std::uint64_t digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct BlockStoreStats {
  struct Tier {
    std::string medium;
    std::int64_t used_bytes = 0, capacity_bytes = 0;
  };
  std::vector<Tier> tiers;
  std::uint64_t blocks = 0, hits = 0, misses = 0, bytes_served = 0, puts = 0, evictions = 0,
                corrupt_blocks = 0;
};

class BlockStore {
 public:
  static core::Result<std::unique_ptr<BlockStore>> create(std::vector<TierConfig> tiers,
                                                          const std::string& eviction);
  ~BlockStore();

  struct Block {
    std::string data;
    std::uint64_t xxh64 = 0;
    int tier = 0;
  };
  // Stores a block under `name` (any unique string). `checksum` 0 means
  // "compute it"; otherwise it must match the data (else InvalidArgument).
  core::Status put(const std::string& name, std::string data, std::uint64_t checksum);
  // The block, or `length` bytes of it from `offset` (length 0: all of it).
  // Blocks kept as files are checked against their checksum on every whole
  // read and on the first slice read after being written (later slices read
  // only their bytes); a mismatch drops the block and counts it (the caller
  // then re-reads from the source). Memory levels hold bytes checked when
  // they were stored, and serve a slice without touching the rest. The returned xxh64 is that of
  // the returned bytes. nullopt: not cached.
  std::optional<Block> get(const std::string& name, std::uint64_t offset = 0,
                           std::uint64_t length = 0);
  bool has(const std::string& name) const;
  // Where a block held as a file lies (levels with a path), for clients on
  // the same node that read it without a network hop. nullopt: not cached,
  // or held in process memory. Counts as a hit.
  struct Location {
    std::string path;
    std::int64_t size = 0;
    std::uint64_t xxh64 = 0;
    int tier = 0;
  };
  std::optional<Location> locate(const std::string& name);
  BlockStoreStats stats() const;

 private:
  BlockStore() = default;
  // A block file kept open for reads: slices then cost one pread, not an
  // open, a path lookup and a close. Closed when the last read using it is
  // done, also after the block left the level.
  struct OpenFile {
    int fd = -1;
    explicit OpenFile(int f) : fd(f) {}
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile();
  };
  struct Content {
    std::string mem;  // the bytes, when the block is on a MEM level
    std::uint64_t xxh64 = 0;
    std::int64_t size = 0;
    bool verified = false;  // a block file read back whole and checked since it was written
    std::shared_ptr<OpenFile> file;  // its current level's file, open; null: not kept open
  };
  // Block files kept open at most (each a descriptor; the usual limit per
  // process is 1024); blocks read beyond them open their file per read.
  static constexpr int kMaxOpenFiles = 512;
  int open_files_ = 0;           // under mu_
  void forget_file(Content& c);  // closes c.file (once no read uses it)
  void on_move(const core::BlockKey& key, int from, int to);
  std::string file_of(int level, std::uint64_t index) const;
  core::Status write_level(int level, std::uint64_t index, Content& c, std::string data);
  // The block's bytes on `level` (length 0: all); short if the file is.
  std::string read_level(int level, std::uint64_t index, const Content& c, std::uint64_t offset = 0,
                         std::uint64_t length = 0) const;
  void drop_level(int level, std::uint64_t index, Content& c);
  // `length` bytes at `offset` of an open file (fewer if it is short).
  static std::string read_fd(int fd, std::uint64_t offset, std::uint64_t length);
  // Counts a damaged block and drops it, if `name` still maps to `index`.
  std::optional<Block> drop_corrupt(const std::string& name, std::uint64_t index);

  mutable std::mutex mu_;
  std::vector<TierConfig> tiers_;
  std::optional<core::TieredStore> store_;
  std::unordered_map<std::string, std::uint64_t> index_of_;
  std::unordered_map<std::uint64_t, std::string> name_of_;
  std::unordered_map<std::uint64_t, Content> content_;
  std::uint64_t next_index_ = 1;
  std::string pending_;  // the bytes of the block being inserted
  core::Status io_status_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, bytes_served_{0}, puts_{0}, evictions_{0},
      corrupt_{0};
};

}  // namespace aqueduct::fuse
