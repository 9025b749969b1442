// Shared base of the policies that keep their resident blocks in one
// KeyedList: size and size lookups come from the list, and since a block
// keeps its slot for as long as it is tracked, the slot is its handle (a
// cache with its own index then skips the list's: enable_handles()).
// Subclasses say where a block enters (insert_slot), what a hit does (touch)
// and, if it matters, what a removal does (remove_slot).
#pragma once

#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {

class ListPolicy : public EvictionPolicy {
 public:
  std::size_t size() const override { return list_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override {
    std::uint32_t s = list_.find(key);
    return s == KeyedList::kNil ? 0 : list_.at(s).bytes;
  }
  void set_capacity(std::int64_t bytes) override { capacity_ = bytes; }

  void on_insert(const BlockKey& key, std::int64_t bytes) final { (void)insert_slot(key, bytes); }
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) final {
    std::uint32_t s = list_.find(key);
    if (s == KeyedList::kNil) return -1;
    std::int64_t old = list_.at(s).bytes;
    if (new_bytes >= 0) list_.set_bytes(s, new_bytes);
    touch(s);
    return old;
  }
  void on_remove(const BlockKey& key, bool evicted) final {
    std::uint32_t s = list_.find(key);
    if (s != KeyedList::kNil) remove_slot(s, evicted);
  }

  // victim() names the slot it chose (last_victim_): evicting it needs no lookup.
  std::int64_t evict_one() final {
    auto v = victim();
    if (!v) return -1;
    std::uint32_t s = last_victim_;
    if (s == KeyedList::kNil || s >= list_capacity_hint() || !(list_.at(s).key == *v)) {
      s = list_.find(*v);
    }
    last_victim_ = KeyedList::kNil;
    const std::int64_t b = list_.at(s).bytes;
    remove_slot(s, /*evicted=*/true);
    return b;
  }

  bool enable_handles() final {
    list_.set_indexed(false);
    return true;
  }
  std::uint32_t on_insert_handle(const BlockKey& key, std::int64_t bytes) final {
    return insert_slot(key, bytes);
  }
  void on_access_handle(std::uint32_t handle, const BlockKey&) final { touch(handle); }
  void on_remove_handle(std::uint32_t handle, const BlockKey&, bool evicted) final {
    remove_slot(handle, evicted);
  }
  // Stage 0: the block's node; stage 1: its neighbours, which a move in the
  // list relinks.
  void prefetch_handle(std::uint32_t handle, int stage) const final {
    if (stage == 0) {
      list_.prefetch(handle);
    } else {
      list_.prefetch_neighbours(handle);
    }
  }

 protected:
  // Tracks a new block; returns its slot.
  virtual std::uint32_t insert_slot(const BlockKey& key, std::int64_t bytes) {
    return list_.push_front(key, bytes);
  }
  // A hit on the block in slot s.
  virtual void touch(std::uint32_t s) { (void)s; }
  // The block in slot s leaves.
  virtual void remove_slot(std::uint32_t s, bool evicted) {
    (void)evicted;
    list_.erase(s);
  }

  // The slot victim() chose, when it says so (kNil: look the key up).
  std::uint32_t last_victim_ = KeyedList::kNil;
  std::size_t list_capacity_hint() const { return list_.slots(); }
  KeyedList list_;
  std::int64_t capacity_ = 0;
};

}  // namespace aqueduct::core
