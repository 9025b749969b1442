// The cache runtime of one dataset in the simulator: its workers (one per
// chosen node), each holding blocks in a core::TieredStore, and the
// consistent-hash ring that maps a block to the worker responsible for it.
// Ring: each worker owns kVirtualNodes points at splitmix64(hash(node) + i);
// a block belongs to the first point clockwise of hash(dataset, block), so
// adding or removing a worker moves only ~1/n of the blocks.
#pragma once

#include "aqueduct/core/cache/hash_ring.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/cache/tiered_store.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/time.h"

namespace aqueduct::sim {

struct CacheWorker {
  std::size_t node = 0;  // index into the simulator's node list
  std::string node_name;
  core::TieredStore store;
  std::int32_t active_reads = 0;  // block reads in flight served by this worker
  bool live = true;               // false once removed (the slot keeps worker ids stable)
};

using HashRing = core::HashRing;

struct CacheRuntimeSim {
  const core::Runtime* runtime = nullptr;
  std::uint32_t dataset_id = 0;
  std::int64_t block_size = 0;
  core::Duration engine_latency{0};
  std::vector<CacheWorker> workers;
  HashRing ring;  // change it through add_to_ring / remove_from_ring
  // Each worker's tier quotas are the runtime's times this: a job policy's
  // share of the cluster's cache for this dataset (JobDecision::cache_bytes).
  double quota_scale = 1.0;

  void add_to_ring(std::uint32_t worker, std::string_view name) {
    ring.add(worker, name);
    owners_.clear();
  }
  void remove_from_ring(std::uint32_t worker) {
    ring.remove(worker);
    owners_.clear();
  }
  // The worker owning block `block` of the dataset: the ring's answer, kept
  // per block. A block read asks on every fetch, and a few bytes per block stay
  // in the CPU's caches where a ring of 128 points per worker does not.
  // REQUIRES: !ring.empty().
  std::uint32_t owner(std::uint64_t block) {
    if (block >= owners_.size()) {
      std::size_t from = owners_.size();
      owners_.resize(block + 1);
      for (std::size_t b = from; b <= block; ++b) {
        owners_[b] = ring.owner(core::BlockKey{dataset_id, b});
      }
    }
    return owners_[block];
  }
  static constexpr std::uint32_t kUnknownOwner = 0xffffffffu;
  // The owner when the table already holds it, else kUnknownOwner (never
  // asks the ring); and a cache hint for the table's entry. Both are for
  // fetching a reader's next blocks into the CPU's caches ahead of use.
  std::uint32_t known_owner(std::uint64_t block) const {
    return block < owners_.size() ? owners_[block] : kUnknownOwner;
  }
  void prefetch_owner(std::uint64_t block) const {
    if (block < owners_.size()) __builtin_prefetch(&owners_[block]);
  }

 private:
  std::vector<std::uint32_t> owners_;  // by block; empty after a ring change
};

}  // namespace aqueduct::sim
