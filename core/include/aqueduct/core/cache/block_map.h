// BlockMap: the hash map every per-block index uses (cache levels, eviction
// policy lists, replay footprints). An open-addressing table (Abseil's
// flat_hash_map, which gRPC already brings in) probes one contiguous array
// instead of chasing a node per entry, so a lookup in a cache of millions of
// blocks costs about one cache miss (and, on huge pages, rarely a TLB miss). Iteration order is
// unspecified: callers that expose contents sort them first.
#pragma once

#include <absl/container/flat_hash_map.h>

#include "aqueduct/core/cache/block_key.h"
#include "aqueduct/core/cache/huge_page_allocator.h"

namespace aqueduct::core {

template <class V>
using BlockMap = absl::flat_hash_map<BlockKey, V, BlockKeyHash, std::equal_to<BlockKey>,
                                     HugePageAllocator<std::pair<const BlockKey, V>>>;

}  // namespace aqueduct::core
