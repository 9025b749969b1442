// A node's page cache in the simulator: the kernel keeps recently read file
// data in memory that pods have not requested, evicting least recently used
// pages when memory runs short. Blocks read from file servers (NFS, local
// disks) land here; a later read of the same block on the same node is served
// from memory. Capacity follows the node's free memory: it shrinks when pods
// start (evicting the oldest blocks) and grows when they end.
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>
#include <utility>

namespace aqueduct::sim {

class PageCache {
 public:
  // Whether `key` is cached; a hit makes it the most recently used.
  bool lookup(std::uint64_t key);
  bool contains(std::uint64_t key) const { return index_.count(key) != 0; }
  // Caches `bytes` under `key` as the most recently used, evicting the least
  // recently used blocks to stay within capacity. A block larger than the
  // whole capacity is not cached.
  void insert(std::uint64_t key, std::int64_t bytes);
  // Sets the capacity and evicts down to it.
  void set_capacity(std::int64_t bytes);

  std::int64_t capacity() const { return capacity_; }
  std::int64_t used() const { return used_; }
  std::size_t blocks() const { return index_.size(); }
  std::int64_t evicted_bytes() const { return evicted_; }

 private:
  void trim(std::int64_t limit);
  using Entry = std::pair<std::uint64_t, std::int64_t>;  // key, bytes
  std::list<Entry> lru_;                                 // front: most recently used
  std::unordered_map<std::uint64_t, std::list<Entry>::iterator> index_;
  std::int64_t capacity_ = 0;
  std::int64_t used_ = 0;
  std::int64_t evicted_ = 0;
};

}  // namespace aqueduct::sim
