// The LRU stack's index from key to its last-use slot (whose bytes the stack
// holds): an open-addressing table with linear probing over 16-byte entries,
// four to a cache line. Unlike a general-purpose map, the line where a key's search
// starts is known from its hash alone, so the caller can prefetch exactly
// that line several requests ahead; the stack's time is mostly that one
// cache miss per request. Keys are never removed (every key seen keeps one
// live slot).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "aqueduct/core/cache/block_key.h"
#include "aqueduct/core/cache/huge_page_allocator.h"

namespace aqueduct::core {

class LastUseTable {
 public:
  struct alignas(16) Entry {
    std::uint64_t index = 0;
    std::uint32_t dataset = 0;
    std::uint32_t slot = kEmpty;  // kEmpty: the entry is free
    bool empty() const { return slot == kEmpty; }
  };
  static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();

  LastUseTable() { rehash(1024); }

  static std::uint64_t hash(const BlockKey& k) { return BlockKeyHash{}(k); }

  // Start fetching the line where `hash`'s search begins.
  [[gnu::always_inline]] void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(&table_[home(hash)]);
  }

  // The key's entry, or null.
  Entry* find(const BlockKey& k, std::uint64_t hash) {
    for (std::size_t i = home(hash);; i = (i + 1) & mask_) {
      Entry& e = table_[i];
      if (e.empty()) return nullptr;
      if (e.index == k.index && e.dataset == k.dataset) return &e;
    }
  }

  // The key's entry, inserted (slot 0) when absent; `fresh` says
  // which. Entries move when the table grows: pointers last until the next
  // insert.
  Entry& find_or_insert(const BlockKey& k, std::uint64_t hash, bool& fresh) {
    if (Entry* e = find(k, hash)) {
      fresh = false;
      return *e;
    }
    fresh = true;
    if ((size_ + 1) * 4 > table_.size() * 3) rehash(table_.size() * 2);
    Entry& e = place(k, hash);
    e.slot = 0;
    ++size_;
    return e;
  }

  std::size_t size() const { return size_; }

  // Replaces every entry's slot with f(slot), visiting the whole table
  // without a branch on which entries are in use (f also sees slot 0 for
  // each free entry, and that result is dropped), since about a quarter of
  // the entries are free, at random.
  template <class F>
  void remap_slots(F&& f) {
    for (Entry& e : table_) {
      const bool used = !e.empty();
      const std::uint32_t next = f(used ? e.slot : 0);
      e.slot = used ? next : kEmpty;
    }
  }

  // Calls f(entry) for every entry, in table order.
  template <class F>
  void for_each(F&& f) {
    for (Entry& e : table_)
      if (!e.empty()) f(e);
  }

 private:
  std::size_t home(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> shift_); }

  Entry& place(const BlockKey& k, std::uint64_t hash) {
    std::size_t i = home(hash);
    while (!table_[i].empty()) i = (i + 1) & mask_;
    Entry& e = table_[i];
    e.index = k.index;
    e.dataset = k.dataset;
    return e;
  }

  void rehash(std::size_t capacity) {
    std::vector<Entry, HugePageAllocator<Entry>> old(capacity);
    old.swap(table_);
    mask_ = capacity - 1;
    shift_ = 64 - std::countr_zero(capacity);
    for (const Entry& o : old) {
      if (o.empty()) continue;
      Entry& e = place(BlockKey{o.dataset, o.index}, hash(BlockKey{o.dataset, o.index}));
      e.slot = o.slot;
    }
  }

  std::vector<Entry, HugePageAllocator<Entry>> table_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace aqueduct::core
