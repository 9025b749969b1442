// Memory for whole blocks (4 MiB) from malloc's heap instead of a fresh
// mapping per block: glibc maps allocations over its threshold on their own
// and unmaps them when freed, so every block read from the source paid a
// page fault and a zeroed page per 4 KiB, about a third of a cold read's CPU.
// Called once at the start of the processes that move blocks (the mount,
// the worker, `aqueduct load`): blocks up to 32 MiB then come from at most
// two heaps, which keep up to 512 MiB of freed memory for the next blocks.
#pragma once

namespace aqueduct::fuse {

void keep_block_memory();

}  // namespace aqueduct::fuse
