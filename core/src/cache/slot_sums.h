// Bytes per time slot of the LRU stack, with prefix sums over slots in a
// three-level layout chosen for memory traffic and for a CPU that
// mispredicts data-dependent branches: the slots themselves, a sum per group
// of 16 slots, and a Fenwick tree over blocks of 256 slots (small enough to
// stay in the CPU's caches). A prefix sum reads the group's 16 slots and the
// block's 16 group sums in full, under masks, and walks the tree a fixed
// number of levels, so no branch depends on the slot: each request of the
// stack costs the same instructions, and its only misses (a line of slots
// when they are 32-bit, and a pair of group-sum lines) can be prefetched.
//
// Slots are filled in order (append) and only then changed (add). The tree
// holds the blocks already full; the block being filled is summed by its
// groups alone and enters the tree when its last slot is appended, so an
// append costs no tree walk.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "aqueduct/core/cache/huge_page_allocator.h"

namespace aqueduct::core {

// kSlotMasks.m[n][j]: all ones when j < n, for sums of the first n of 16
// values without a branch on n.
struct SlotMasks {
  std::int64_t m[17][16];
};
inline constexpr SlotMasks kSlotMasks = [] {
  SlotMasks k{};
  for (int n = 0; n <= 16; ++n)
    for (int j = 0; j < 16; ++j) k.m[n][j] = j < n ? -1 : 0;
  return k;
}();

// `Slot` is the type of one slot's value: std::int32_t when every value fits
// (half the memory, one cache line per group), else std::int64_t.
template <class Slot>
class SlotSums {
 public:
  static constexpr std::size_t kGroup = 16;   // slots per group
  static constexpr std::size_t kBlock = 256;  // slots per Fenwick leaf (16 groups)
  template <class T>
  using Vector = std::vector<T, HugePageAllocator<T>>;

  // `cap` slots (rounded up to whole blocks), all zero, none appended.
  void reset(std::size_t cap) {
    cap = (cap + kBlock - 1) / kBlock * kBlock;
    slots_.assign(cap, 0);
    groups_.assign(cap / kGroup, 0);
    blocks_ = cap / kBlock;
    levels_ = std::bit_width(blocks_) + 1;
    tree_.assign(blocks_ + 1 + levels_, 0);
    full_ = 0;
  }

  // The slots' values taken over (size rounded up to whole blocks), the
  // first `filled` of them as appended, and the sums rebuilt in linear time;
  // `values` gets the old slots, for reuse as the next adopt()'s buffer.
  void adopt(Vector<Slot>& values, std::size_t filled) {
    values.resize((values.size() + kBlock - 1) / kBlock * kBlock, 0);
    slots_.swap(values);
    groups_.assign(slots_.size() / kGroup, 0);
    for (std::size_t s = 0; s < slots_.size(); ++s) groups_[s / kGroup] += slots_[s];
    blocks_ = slots_.size() / kBlock;
    levels_ = std::bit_width(blocks_) + 1;
    tree_.assign(blocks_ + 1 + levels_, 0);
    full_ = filled / kBlock;
    for (std::size_t g = 0; g < full_ * (kBlock / kGroup); ++g)
      tree_[g / (kBlock / kGroup)] += groups_[g];
    for (std::size_t i = 0; i < blocks_; ++i) {
      const std::size_t j = i | (i + 1);
      if (j < blocks_) tree_[j] += tree_[i];
    }
  }
  std::size_t size() const { return slots_.size(); }
  std::int64_t operator[](std::size_t slot) const { return slots_[slot]; }

  // Sets the next slot in order (`slot`: the count appended so far) to `v`.
  void append(std::size_t slot, std::int64_t v) {
    slots_[slot] = static_cast<Slot>(v);
    groups_[slot / kGroup] += v;
    if (slot % kBlock == kBlock - 1) {  // the block is full: into the tree
      const std::int64_t* gs = groups_.data() + (slot / kBlock) * (kBlock / kGroup);
      walk(full_++, masked_sum(gs, kGroup));
    }
  }

  // Adds `v` to an appended slot.
  void add(std::size_t slot, std::int64_t v) {
    slots_[slot] = static_cast<Slot>(slots_[slot] + v);
    groups_[slot / kGroup] += v;
    // A block not yet in the tree walks spare entries only.
    const std::size_t b = slot / kBlock;
    walk(b < full_ ? b : blocks_ + 1, v);
  }

  // Sum of slots [0, slot], for an appended slot.
  std::int64_t prefix(std::size_t slot) const {
    const std::size_t g = slot / kGroup, go = g % (kBlock / kGroup), off = slot % kGroup;
    return tree_prefix(slot / kBlock) + masked_sum(groups_.data() + (g - go), go) +
           masked_sum(slots_.data() + (slot - off), off + 1);
  }

  // Start fetching the lines prefix(slot) will read. Always inlined: GCC
  // takes an out-of-line function that only prefetches for a pure one and
  // drops the calls.
  [[gnu::always_inline]] void prefetch(std::size_t slot) const {
    const Slot* p = slots_.data() + slot / kGroup * kGroup;
    const std::int64_t* gs = groups_.data() + slot / kBlock * (kBlock / kGroup);
    __builtin_prefetch(p);
    if constexpr (sizeof(Slot) * kGroup > 64) __builtin_prefetch(p + 64 / sizeof(Slot));
    __builtin_prefetch(gs);
    __builtin_prefetch(gs + 8);
  }

 private:
  // Adds v to the tree's nodes from block b up, then for the rest of a
  // fixed number of steps to a spare entry per step (one shared entry would
  // chain every step's add to the previous one's).
  void walk(std::size_t b, std::int64_t v) {
    std::int64_t* tree = tree_.data();
    const std::size_t blocks = blocks_, levels = levels_;
    for (std::size_t l = 0; l < levels; ++l) {
      tree[b < blocks ? b : blocks + 1 + l] += v;
      b |= b + 1;
    }
  }

  // Sum of the first `b` blocks: one tree node per level, or the zero at
  // index blocks_ once the walk is done.
  std::int64_t tree_prefix(std::size_t b) const {
    const std::int64_t* tree = tree_.data();
    const std::size_t blocks = blocks_, levels = levels_;
    std::int64_t s = 0;
    for (std::size_t l = 0; l < levels; ++l) {
      s += tree[b != 0 ? b - 1 : blocks];
      b &= b - 1;
    }
    return s;
  }

  // Sum of p[0..n), n <= 16, over all 16 under masks (no branch on n).
  template <class T>
  static std::int64_t masked_sum(const T* p, std::size_t n) {
    const std::int64_t* m = kSlotMasks.m[n];
    std::int64_t sum = 0;
    for (std::size_t j = 0; j < kGroup; ++j) sum += std::int64_t{p[j]} & m[j];
    return sum;
  }

  Vector<Slot> slots_;
  Vector<std::int64_t> groups_, tree_;
  // tree_[blocks_] stays zero; the levels_ entries after it take spare adds.
  std::size_t blocks_ = 0;
  std::size_t levels_ = 1;  // steps of a tree walk: enough for any block
  std::size_t full_ = 0;    // blocks in the tree: those appended in full
};

}  // namespace aqueduct::core
