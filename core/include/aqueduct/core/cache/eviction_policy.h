// The contract every eviction policy implements (one interface, as CacheLib's
// navy EvictionPolicy): the store tells the policy about inserts, hits and
// removals; the policy names a victim when the store needs space. A policy
// decides; the store acts (removes, demotes, accounts bytes).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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
  // A block entered the cache (REQUIRES: not already tracked).
  virtual void on_insert(const BlockKey& key, std::int64_t bytes) = 0;
  // A tracked block was read.
  virtual void on_access(const BlockKey& key) = 0;
  // A tracked block left the cache for any reason (evicted or removed).
  virtual void on_remove(const BlockKey& key) = 0;
  // The block the policy would evict next, without removing it; nullopt when empty.
  virtual std::optional<BlockKey> victim() = 0;
  virtual std::size_t size() const = 0;
};

// Eviction policies by name ("lru", ...), created with no arguments.
using EvictionRegistry = Registry<EvictionPolicy>;

// The policies shipped in core: "lru", "fifo".
EvictionRegistry builtin_eviction_policies();

}  // namespace aqueduct::core
