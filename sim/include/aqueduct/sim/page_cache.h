// A node's page cache in the simulator: the kernel keeps recently read file
// data in memory that pods have not requested, evicting least recently used
// pages when memory runs short. Blocks read from file servers (NFS, local
// disks) land here; a later read of the same block on the same node is served
// from memory. Capacity follows the node's free memory: it shrinks when pods
// start (evicting the oldest blocks) and grows when they end. The LRU order
// is core's KeyedList, the list the cache runtimes' LRU policy uses.
#pragma once

#include <cstdint>

#include "aqueduct/core/cache/block_key.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::sim {

class PageCache {
 public:
  // Whether `key` is cached; a hit makes it the most recently used.
  bool lookup(const core::BlockKey& key);
  bool contains(const core::BlockKey& key) const { return lru_.contains(key); }
  // Caches `bytes` under `key` as the most recently used, evicting the least
  // recently used blocks to stay within capacity. A block larger than the
  // whole capacity is not cached.
  void insert(const core::BlockKey& key, std::int64_t bytes);
  // Sets the capacity and evicts down to it.
  void set_capacity(std::int64_t bytes);

  std::int64_t capacity() const { return capacity_; }
  std::int64_t used() const { return lru_.bytes(); }
  std::size_t blocks() const { return lru_.size(); }
  std::int64_t evicted_bytes() const { return evicted_; }

 private:
  void trim(std::int64_t limit);
  core::KeyedList lru_;  // front: most recently used
  std::int64_t capacity_ = 0;
  std::int64_t evicted_ = 0;
};

}  // namespace aqueduct::sim
