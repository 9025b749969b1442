#include "aqueduct/fuse/block_allocator.h"

#include <malloc.h>

namespace aqueduct::fuse {

void keep_block_memory() {
  // 32 MiB is the largest threshold glibc accepts on 64-bit.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // Per-thread heaps are 64 MiB at most and give memory back as they
  // shrink; two shared ones keep it (and contention stays low: the mount's
  // threads mostly wait on I/O).
  mallopt(M_ARENA_MAX, 2);
}

}  // namespace aqueduct::fuse
