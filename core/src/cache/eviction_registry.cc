#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/policies.h"

namespace aqueduct::core {

EvictionRegistry builtin_eviction_policies() {
  EvictionRegistry r("eviction policy");
  r.add_type<FifoPolicy>("fifo", "first in, first out");
  r.add_type<LruPolicy>("lru", "least recently used");
  r.add_type<ClockPolicy>("clock", "FIFO with a reference bit (second chance)");
  r.add_type<LfuPolicy>("lfu", "least frequently used, LRU among equals");
  r.add_type<ArcPolicy>("arc", "adaptive replacement cache (recency/frequency with ghosts)");
  r.add_type<TwoQPolicy>("2q", "2Q: FIFO probation, ghost, LRU main");
  r.add_type<SievePolicy>("sieve", "SIEVE: FIFO with visited bits and a lazy hand");
  r.add_type<S3FifoPolicy>("s3fifo", "S3-FIFO: small, main and ghost FIFOs");
  r.add_type<KeepPolicy>("keep",
                         "keep what is cached: a full cache admits nothing new (CoorDL's MinIO)");
  r.add_type<BeladyPolicy>("belady", "Belady's OPT (offline: needs the future of the trace)");
  return r;
}

}  // namespace aqueduct::core
