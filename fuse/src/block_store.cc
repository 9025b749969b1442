#include "aqueduct/fuse/block_store.h"

#include "aqueduct/core/c_handle.h"

#include <xxhash.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aqueduct/core/cache/policies.h"
#include "aqueduct/core/quantity.h"

namespace aqueduct::fuse {

namespace fs = std::filesystem;

std::uint64_t xxh64(std::string_view data) { return XXH64(data.data(), data.size(), 0); }

struct XxHash64::State {
  core::CHandle<XXH64_state_t, XXH64_freeState> s{XXH64_createState()};
};
XxHash64::XxHash64() : state_(std::make_unique<State>()) { XXH64_reset(state_->s.get(), 0); }
XxHash64::~XxHash64() = default;
void XxHash64::update(std::string_view part) {
  XXH64_update(state_->s.get(), part.data(), part.size());
}
std::uint64_t XxHash64::digest() const { return XXH64_digest(state_->s.get()); }

core::Result<TierConfig> parse_tier(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  std::string p;
  while (std::getline(ss, p, ':')) parts.push_back(p);
  const std::string usage =
      "--tier \"" + text + "\": expected mem:SIZE, mem:PATH:SIZE, ssd:PATH:SIZE or hdd:PATH:SIZE";
  if (parts.size() < 2) return core::invalid_argument(usage);
  TierConfig t;
  std::size_t next = 1;
  if (parts[0] == "mem" || parts[0] == "MEM") {
    t.medium = core::MediumType::kMem;
    // mem:PATH:SIZE keeps the blocks as files on a memory filesystem (tmpfs,
    // e.g. /dev/shm) so a FUSE client on the same node can read them directly.
    if (parts.size() >= 3 && parts[2].find('=') == std::string::npos && !parts[1].empty() &&
        !core::parse_quantity(parts[1])) {
      t.path = parts[1];
      next = 2;
    }
  } else if (parts[0] == "ssd" || parts[0] == "SSD" || parts[0] == "hdd" || parts[0] == "HDD") {
    t.medium =
        (parts[0] == "ssd" || parts[0] == "SSD") ? core::MediumType::kSsd : core::MediumType::kHdd;
    if (parts.size() < 3 || parts[1].empty()) return core::invalid_argument(usage + " (no path)");
    t.path = parts[1];
    next = 2;
  } else {
    return core::invalid_argument(usage + " (unknown medium \"" + parts[0] + "\")");
  }
  auto q = core::parse_quantity(parts[next]);
  if (!q || q->as_int() <= 0)
    return core::invalid_argument(usage + " (bad size \"" + parts[next] + "\")");
  t.quota_bytes = q->as_int();
  for (std::size_t i = next + 1; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    std::string k = parts[i].substr(0, eq),
                v = eq == std::string::npos ? "" : parts[i].substr(eq + 1);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if ((k != "high" && k != "low") || v.empty() || *end != '\0' || d < 0 || d > 1) {
      return core::invalid_argument(usage + " (bad option \"" + parts[i] +
                                    "\": high=0..1 or low=0..1)");
    }
    (k == "high" ? t.high : t.low) = d;
  }
  return t;
}

core::Result<std::unique_ptr<BlockStore>> BlockStore::create(std::vector<TierConfig> tiers,
                                                             const std::string& eviction) {
  std::unique_ptr<BlockStore> s(new BlockStore());
  std::vector<core::TierSpec> specs;
  for (auto& t : tiers) {
    if (!t.path.empty()) {
      std::error_code ec;
      fs::create_directories(t.path, ec);
      if (ec) return core::io_error("tier path " + t.path + ": " + ec.message());
      // Blocks of an earlier run are not trusted (no index survives a restart).
      for (const auto& e : fs::directory_iterator(t.path, ec)) {
        if (e.path().extension() == ".blk") fs::remove(e.path(), ec);
      }
    }
    specs.push_back({t.medium, t.quota_bytes, t.high, t.low});
  }
  auto store = core::TieredStore::create(specs, core::builtin_eviction_policies(), eviction);
  if (!store) return store.status();
  s->tiers_ = std::move(tiers);
  s->store_.emplace(std::move(*store));
  BlockStore* self = s.get();
  s->store_->set_move_listener(
      [self](const core::BlockKey& key, int from, int to) { self->on_move(key, from, to); });
  return s;
}

BlockStore::~BlockStore() {
  std::error_code ec;
  for (const auto& [index, c] : content_) {
    auto level = store_->peek({0, index});
    if (level && !tiers_[*level].path.empty()) fs::remove(file_of(*level, index), ec);
  }
}

std::string BlockStore::file_of(int level, std::uint64_t index) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.blk", static_cast<unsigned long long>(index));
  return (fs::path(tiers_[level].path) / name).string();
}

BlockStore::OpenFile::~OpenFile() {
  if (fd >= 0) ::close(fd);
}

void BlockStore::forget_file(Content& c) {
  if (!c.file) return;
  c.file.reset();
  --open_files_;
}

core::Status BlockStore::write_level(int level, std::uint64_t index, Content& c, std::string data) {
  forget_file(c);  // a file written anew is another file
  if (tiers_[level].path.empty()) {
    c.mem = std::move(data);
    return core::Status::ok();
  }
  std::ofstream out(file_of(level, index), std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) return core::io_error("cannot write " + file_of(level, index));
  c.mem.clear();
  c.mem.shrink_to_fit();
  c.verified = false;
  return core::Status::ok();
}

std::string BlockStore::read_fd(int fd, std::uint64_t offset, std::uint64_t length) {
  std::string data(length, '\0');
  std::size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, data.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  return data;
}

std::string BlockStore::read_level(int level, std::uint64_t index, const Content& c,
                                   std::uint64_t offset, std::uint64_t length) const {
  if (tiers_[level].path.empty()) return c.mem;
  if (length == 0) length = static_cast<std::uint64_t>(c.size);
  int fd = ::open(file_of(level, index).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string data = read_fd(fd, offset, length);
  ::close(fd);
  return data;
}

void BlockStore::drop_level(int level, std::uint64_t index, Content& c) {
  forget_file(c);
  if (tiers_[level].path.empty()) {
    c.mem.clear();
    c.mem.shrink_to_fit();
  } else {
    std::error_code ec;
    fs::remove(file_of(level, index), ec);
  }
}

void BlockStore::on_move(const core::BlockKey& key, int from, int to) {
  // Called inside store_ operations, with mu_ held.
  const std::uint64_t index = key.index;
  if (from < 0) {
    Content& c = content_[index];
    core::Status st = write_level(to, index, c, std::move(pending_));
    if (!st.is_ok() && io_status_.is_ok()) io_status_ = st;
    return;
  }
  auto it = content_.find(index);
  if (it == content_.end()) return;
  Content& c = it->second;
  if (to < 0) {
    drop_level(from, index, c);
    content_.erase(it);
    auto n = name_of_.find(index);
    if (n != name_of_.end()) {
      index_of_.erase(n->second);
      name_of_.erase(n);
    }
    ++evictions_;
    return;
  }
  std::string data = read_level(from, index, c);
  drop_level(from, index, c);
  core::Status st = write_level(to, index, c, std::move(data));
  if (!st.is_ok() && io_status_.is_ok()) io_status_ = st;
}

core::Status BlockStore::put(const std::string& name, std::string data, std::uint64_t checksum) {
  const std::uint64_t sum = xxh64(data);
  if (checksum != 0 && checksum != sum) {
    return core::invalid_argument("checksum mismatch: the data's xxh64 is " + std::to_string(sum) +
                                  ", the sender said " + std::to_string(checksum));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (index_of_.count(name)) return core::Status::ok();
  const std::uint64_t index = next_index_++;
  const auto size = static_cast<std::int64_t>(data.size());
  pending_ = std::move(data);
  io_status_ = core::Status::ok();
  index_of_[name] = index;
  name_of_[index] = name;
  Content& c = content_[index];
  c.xxh64 = sum;
  c.size = size;
  // Zero-byte blocks still take one byte of quota, so empty files are cached too.
  core::Status st = store_->insert({0, index}, std::max<std::int64_t>(size, 1));
  if (st.is_ok() && !store_->peek({0, index})) {
    // Levels that keep what they hold and are full admit nothing new.
    st = core::Status(core::StatusCode::kResourceExhausted,
                      "not admitted: the cache is full and its policy keeps what it holds");
  }
  if (!st.is_ok()) {
    content_.erase(index);
    index_of_.erase(name);
    name_of_.erase(index);
    return st;
  }
  ++puts_;
  if (!io_status_.is_ok()) {
    store_->erase({0, index});
    return io_status_;
  }
  return core::Status::ok();
}

std::optional<BlockStore::Block> BlockStore::get(const std::string& name, std::uint64_t offset,
                                                 std::uint64_t length) {
  // Under the lock: find the block and, on a file level, open its file. The
  // read and the checksum run after it, so Gets of different blocks (and of
  // block files) proceed in parallel; an open file stays readable even when
  // the block is evicted or moved meanwhile.
  std::uint64_t index = 0, size = 0, sum = 0, off = 0, len = 0;
  bool verified = false, on_file = false;
  int level_read = -1;
  std::shared_ptr<OpenFile> file;
  Block b;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_of_.find(name);
    if (it == index_of_.end()) {
      ++misses_;
      return std::nullopt;
    }
    index = it->second;
    auto level = store_->lookup({0, index});  // records the hit; may promote
    auto c = content_.find(index);
    if (!level || c == content_.end()) {
      ++misses_;
      return std::nullopt;
    }
    const int now = *store_->peek({0, index});
    size = static_cast<std::uint64_t>(c->second.size);
    sum = c->second.xxh64;
    off = std::min(offset, size);
    len = length == 0 ? size - off : std::min(length, size - off);
    b.tier = *level;
    if (tiers_[now].path.empty()) {
      b.data = c->second.mem.substr(off, len);
    } else {
      verified = c->second.verified;
      on_file = true;
      level_read = now;
      file = c->second.file;
      if (!file) {
        const int fd = ::open(file_of(now, index).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
          file = std::make_shared<OpenFile>(fd);
          if (open_files_ < kMaxOpenFiles) {
            c->second.file = file;
            ++open_files_;
          }
        }
      }
    }
  }
  const bool whole = off == 0 && len == size;
  if (on_file && !file) return drop_corrupt(name, index);  // its file would not open
  if (on_file) {
    // A slice of a block file already read back and checked: just its bytes;
    // otherwise the whole file, checked against the block's checksum.
    const bool slice_only = verified && !whole;
    b.data = read_fd(file->fd, slice_only ? off : 0, slice_only ? len : size);
    if (slice_only ? b.data.size() != len : (b.data.size() != size || xxh64(b.data) != sum)) {
      return drop_corrupt(name, index);
    }
    if (!slice_only) {
      {
        // Marked only if the block is still in the file that was checked
        // (a move to another level writes a new, unchecked file).
        std::lock_guard<std::mutex> lock(mu_);
        auto c = content_.find(index);
        const auto still = store_->peek({0, index});
        if (c != content_.end() && still && *still == level_read) c->second.verified = true;
      }
      if (!whole) b.data = b.data.substr(off, len);
    }
  }
  b.xxh64 = whole ? sum : xxh64(b.data);
  ++hits_;
  bytes_served_ += b.data.size();
  return b;
}

std::optional<BlockStore::Block> BlockStore::drop_corrupt(const std::string& name,
                                                          std::uint64_t index) {
  ++corrupt_;
  ++misses_;
  std::lock_guard<std::mutex> lock(mu_);
  // Only if the name still maps to the block that was read (a Put may have
  // replaced it meanwhile).
  auto it = index_of_.find(name);
  if (it != index_of_.end() && it->second == index) store_->erase({0, index});
  return std::nullopt;
}

std::optional<BlockStore::Location> BlockStore::locate(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_of_.find(name);
  if (it == index_of_.end()) return std::nullopt;
  const std::uint64_t index = it->second;
  auto level = store_->lookup({0, index});  // a short-circuit read is a hit too
  auto c = content_.find(index);
  if (!level || c == content_.end()) return std::nullopt;
  const int now = *store_->peek({0, index});
  if (tiers_[now].path.empty()) return std::nullopt;
  ++hits_;
  return Location{file_of(now, index), c->second.size, c->second.xxh64, *level};
}

bool BlockStore::has(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_of_.count(name) > 0;
}

BlockStoreStats BlockStore::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  BlockStoreStats s;
  for (int l = 0; l < store_->level_count(); ++l) {
    s.tiers.push_back(
        {core::medium_name(tiers_[l].medium), store_->used_bytes(l), store_->spec(l).quota_bytes});
  }
  s.blocks = store_->block_count();
  s.hits = hits_;
  s.misses = misses_;
  s.bytes_served = bytes_served_;
  s.puts = puts_;
  s.evictions = evictions_;
  s.corrupt_blocks = corrupt_;
  return s;
}

}  // namespace aqueduct::fuse
