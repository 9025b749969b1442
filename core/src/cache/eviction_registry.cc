#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/fifo_policy.h"
#include "aqueduct/core/cache/lru_policy.h"

namespace aqueduct::core {

EvictionRegistry builtin_eviction_policies() {
  EvictionRegistry r("eviction policy");
  r.add_type<LruPolicy>("lru", "least recently used");
  r.add_type<FifoPolicy>("fifo", "first in, first out");
  return r;
}

}  // namespace aqueduct::core
