// Bytes per time slot of the LRU stack, with prefix sums over slots in a
// three-level layout chosen for memory traffic: the slots themselves, a sum
// per group of 16 slots, and a Fenwick tree over blocks of 256 slots (small
// enough to stay in the CPU's caches). A prefix sum reads one cache line of
// slots and one of group sums (each side of a group or block is summed from
// whichever end is nearer), so a request of the stack misses at most twice
// here, and both lines can be prefetched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "aqueduct/core/cache/huge_page_allocator.h"

namespace aqueduct::core {

class SlotSums {
 public:
  static constexpr std::size_t kGroup = 16;   // slots per group (two cache lines)
  static constexpr std::size_t kBlock = 256;  // slots per Fenwick leaf (16 groups)
  template <class T>
  using Vector = std::vector<T, HugePageAllocator<T>>;

  // `cap` slots (rounded up to whole blocks), all zero.
  void reset(std::size_t cap) {
    cap = (cap + kBlock - 1) / kBlock * kBlock;
    slots_.assign(cap, 0);
    groups_.assign(cap / kGroup, 0);
    tree_.assign(cap / kBlock, 0);
  }
  // The slots' values taken over (size rounded up to whole blocks) and the
  // sums rebuilt from them in linear time; `values` gets the old slots, for
  // reuse as the next adopt()'s buffer.
  void adopt(Vector<std::int64_t>& values) {
    values.resize((values.size() + kBlock - 1) / kBlock * kBlock, 0);
    slots_.swap(values);
    groups_.assign(slots_.size() / kGroup, 0);
    for (std::size_t s = 0; s < slots_.size(); ++s) groups_[s / kGroup] += slots_[s];
    tree_.assign(slots_.size() / kBlock, 0);
    for (std::size_t g = 0; g < groups_.size(); ++g) tree_[g / (kBlock / kGroup)] += groups_[g];
    for (std::size_t i = 0; i < tree_.size(); ++i) {
      const std::size_t j = i | (i + 1);
      if (j < tree_.size()) tree_[j] += tree_[i];
    }
  }
  std::size_t size() const { return slots_.size(); }
  std::int64_t operator[](std::size_t slot) const { return slots_[slot]; }

  void add(std::size_t slot, std::int64_t v) {
    slots_[slot] += v;
    groups_[slot / kGroup] += v;
    for (std::size_t i = slot / kBlock; i < tree_.size(); i |= i + 1) tree_[i] += v;
  }

  // Sum of slots [0, slot].
  std::int64_t prefix(std::size_t slot) const {
    const std::size_t b = slot / kBlock, g = slot / kGroup;
    const std::size_t go = g % (kBlock / kGroup), off = slot % kGroup;
    const std::int64_t* gs = groups_.data() + (g - go);    // the block's group sums
    const std::int64_t* p = slots_.data() + (slot - off);  // the group's slots
    std::int64_t sum;
    // Through the group before g: from the block's start, or back from its end.
    if (go < kBlock / kGroup / 2)
      sum = tree_prefix(b) + add_up(gs, go);
    else
      sum = tree_prefix(b + 1) - add_up(gs + go, kBlock / kGroup - go);
    // Then the group's slots through `slot`: forward, or the group's sum less
    // the slots after it.
    if (off < kGroup / 2) return sum + add_up(p, off + 1);
    return sum + gs[go] - add_up(p + off + 1, kGroup - 1 - off);
  }

  // Start fetching the two lines prefix(slot) will read. Always inlined: GCC
  // takes an out-of-line function that only prefetches for a pure one and
  // drops the calls.
  [[gnu::always_inline]] void prefetch(std::size_t slot) const {
    const std::size_t g = slot / kGroup, go = g % (kBlock / kGroup), off = slot % kGroup;
    __builtin_prefetch(slots_.data() + (slot - off) + (off < kGroup / 2 ? 0 : kGroup / 2));
    __builtin_prefetch(groups_.data() + (g - go) + (go < kBlock / kGroup / 2 ? 0 : go));
  }

 private:
  // Sum of the first `b` blocks.
  std::int64_t tree_prefix(std::size_t b) const {
    std::int64_t s = 0;
    for (std::size_t k = b; k > 0; k &= k - 1) s += tree_[k - 1];
    return s;
  }
  // Sum of p[0..n), n <= 16, with independent additions in flight.
  static std::int64_t add_up(const std::int64_t* p, std::size_t n) {
    std::int64_t a = 0, b = 0;
    std::size_t k = 0;
    for (; k + 2 <= n; k += 2) {
      a += p[k];
      b += p[k + 1];
    }
    if (k < n) a += p[k];
    return a + b;
  }

  Vector<std::int64_t> slots_, groups_, tree_;
};

}  // namespace aqueduct::core
