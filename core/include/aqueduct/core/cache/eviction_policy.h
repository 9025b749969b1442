// The contract every eviction policy implements (one interface, as CacheLib's
// navy EvictionPolicy): the cache tells the policy about inserts, hits and
// removals; the policy names a victim when the cache needs space. A policy
// decides; the cache acts (removes, demotes, accounts bytes). Policies that
// size internal queues or ghosts from the cache size get it via set_capacity;
// offline policies (Belady) get each request's next use via set_next_use.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/cache/block_key.h"
#include "aqueduct/core/registry.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;
  virtual std::string_view name() const = 0;
  // The capacity (bytes) of the cache this policy serves. Called before use.
  virtual void set_capacity(std::int64_t bytes) { (void)bytes; }
  // A request for an untracked block that the cache will now try to admit,
  // before it makes room for it (policies whose choice of victim depends on
  // the incoming key, such as ARC, learn it here). Optional for caches.
  virtual void on_miss(const BlockKey& key, std::int64_t bytes) {
    (void)key;
    (void)bytes;
  }
  // A block entered the cache (REQUIRES: not tracked).
  virtual void on_insert(const BlockKey& key, std::int64_t bytes) = 0;
  // A request for `key`: returns the tracked size, or -1 when not tracked (a
  // miss; nothing changes). On a hit the policy records the access and, when
  // new_bytes >= 0, the block's new size.
  virtual std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes = -1) = 0;
  // A tracked block left the cache: `evicted` when victim() chose it (ghost
  // policies remember it), false when removed for another reason.
  virtual void on_remove(const BlockKey& key, bool evicted) = 0;
  // The block to evict next (the policy may reorganize its queues to find it,
  // but keeps tracking it until on_remove); nullopt when empty.
  virtual std::optional<BlockKey> victim() = 0;
  // victim(), then on_remove(victim, /*evicted=*/true), in one call (a
  // policy that knows where its victim sits skips the lookups): the evicted
  // block's size, or -1 when nothing is tracked.
  virtual std::int64_t evict_one() {
    auto v = victim();
    if (!v) return -1;
    const std::int64_t b = bytes_of(*v);
    on_remove(*v, /*evicted=*/true);
    return b;
  }
  virtual std::size_t size() const = 0;
  // Size of a tracked block (0 if untracked).
  virtual std::int64_t bytes_of(const BlockKey& key) const = 0;
  // False for a policy that never replaces what it holds (KEEP): a full
  // level then admits nothing new instead of asking for a victim.
  virtual bool replaces() const { return true; }
  // Handles: a cache that keeps its own index of blocks can skip the
  // policy's. A policy whose blocks keep one slot for as long as they are
  // tracked returns true from enable_handles() (before its first insert);
  // from then on the cache uses only the *_handle calls and victim(), never
  // the key-based calls above, and the policy keeps no index of its own (one
  // hash probe fewer per access, insert and eviction). The defaults forward to
  // the key-based calls, so every policy works behind a handle-using cache.
  static constexpr std::uint32_t kNoHandle = 0xffffffffu;
  virtual bool enable_handles() { return false; }
  // on_insert, returning the block's handle (kNoHandle without handles).
  virtual std::uint32_t on_insert_handle(const BlockKey& key, std::int64_t bytes) {
    on_insert(key, bytes);
    return kNoHandle;
  }
  // A hit on a tracked block (its size unchanged).
  virtual void on_access_handle(std::uint32_t handle, const BlockKey& key) {
    (void)handle;
    (void)on_access(key);
  }
  virtual void on_remove_handle(std::uint32_t handle, const BlockKey& key, bool evicted) {
    (void)handle;
    on_remove(key, evicted);
  }
  // A hint that the block behind `handle` is about to be accessed: asks the
  // CPU to bring what on_access_handle will touch into its caches (a
  // simulator that knows a reader's next blocks hides memory latency this
  // way). Stage 0 fetches the block's own entry; stage 1, issued later, may
  // read that entry and fetch what it points to. Never changes the policy's
  // state; the default does nothing.
  virtual void prefetch_handle(std::uint32_t handle, int stage) const {
    (void)handle;
    (void)stage;
  }

  // Offline policies only: when `key` is requested next (request index;
  // UINT64_MAX: never). Called before on_insert/on_access of that request.
  virtual bool needs_future() const { return false; }
  virtual void set_next_use(const BlockKey& key, std::uint64_t next) {
    (void)key;
    (void)next;
  }
};

// Eviction policies by name ("lru", ...), created with no arguments.
using EvictionRegistry = Registry<EvictionPolicy>;

// The policies shipped in core: fifo, lru, clock, lfu, arc, 2q, sieve,
// s3fifo, keep (never replaces), belady (offline).
EvictionRegistry builtin_eviction_policies();

}  // namespace aqueduct::core
