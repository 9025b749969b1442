// KeyedList: the building block of the list-based eviction policies. An
// intrusive doubly-linked list whose nodes live in one vector (no allocation
// per entry once warm, stable slot numbers) plus a hash index from key to
// slot. Each node carries the entry's size and a small per-policy tag and
// counter (reference bit, frequency, queue id). A list whose owner keeps
// slots itself can drop the index (set_indexed(false)): then only slot-based
// calls are allowed.
#pragma once

#include <cstdint>
#include <vector>

#include "aqueduct/core/cache/block_map.h"
#include "aqueduct/core/check.h"

namespace aqueduct::core {

class KeyedList {
 public:
  static constexpr std::uint32_t kNil = 0xffffffffu;
  struct Node {
    BlockKey key;
    std::int64_t bytes = 0;
    std::uint32_t prev = kNil, next = kNil;
    std::uint32_t counter = 0;  // policy-defined (frequency, reference bit)
  };

  // Without the index (REQUIRES: empty), find, contains and erase_key are
  // not available.
  void set_indexed(bool on) {
    AQ_CHECK(empty());
    indexed_ = on;
  }
  bool indexed() const { return indexed_; }

  // Slot of a key, or kNil.
  std::uint32_t find(const BlockKey& k) const {
    AQ_CHECK(indexed_);
    auto it = index_.find(k);
    return it == index_.end() ? kNil : it->second;
  }
  bool contains(const BlockKey& k) const { return find(k) != kNil; }
  Node& at(std::uint32_t s) { return nodes_[s]; }
  const Node& at(std::uint32_t s) const { return nodes_[s]; }
  // Cache hints (no effect on the list): slot s's node, or the nodes before
  // and after it (reads slot s). Always inlined: GCC takes an out-of-line
  // function that only prefetches for a pure one and drops the calls.
  [[gnu::always_inline]] void prefetch(std::uint32_t s) const {
    if (s < nodes_.size()) __builtin_prefetch(&nodes_[s]);
  }
  [[gnu::always_inline]] void prefetch_neighbours(std::uint32_t s) const {
    if (s >= nodes_.size()) return;
    const Node& n = nodes_[s];
    if (n.prev < nodes_.size()) __builtin_prefetch(&nodes_[n.prev]);
    if (n.next < nodes_.size()) __builtin_prefetch(&nodes_[n.next]);
  }

  std::uint32_t push_front(const BlockKey& k, std::int64_t bytes, std::uint32_t counter = 0) {
    std::uint32_t s = alloc(k, bytes, counter);
    link_front(s);
    return s;
  }
  std::uint32_t push_back(const BlockKey& k, std::int64_t bytes, std::uint32_t counter = 0) {
    std::uint32_t s = alloc(k, bytes, counter);
    link_back(s);
    return s;
  }
  void move_to_front(std::uint32_t s) {
    if (s == head_) return;
    unlink(s);
    link_front(s);
  }
  void move_to_back(std::uint32_t s) {
    if (s == tail_) return;
    unlink(s);
    link_back(s);
  }
  // Removes and forgets the entry in slot s.
  void erase(std::uint32_t s) {
    unlink(s);
    if (indexed_) index_.erase(nodes_[s].key);
    --size_;
    bytes_ -= nodes_[s].bytes;
    free_.push_back(s);
  }
  bool erase_key(const BlockKey& k) {
    std::uint32_t s = find(k);
    if (s == kNil) return false;
    erase(s);
    return true;
  }
  void set_bytes(std::uint32_t s, std::int64_t b) {
    bytes_ += b - nodes_[s].bytes;
    nodes_[s].bytes = b;
  }

  std::uint32_t head() const { return head_; }  // front
  std::uint32_t tail() const { return tail_; }  // back
  std::size_t size() const { return size_; }
  std::size_t slots() const { return nodes_.size(); }  // slots ever allocated
  bool empty() const { return size_ == 0; }
  std::int64_t bytes() const { return bytes_; }
  void reserve(std::size_t n) {
    if (indexed_) index_.reserve(n);
  }

 private:
  std::uint32_t alloc(const BlockKey& k, std::int64_t bytes, std::uint32_t counter) {
    std::uint32_t s;
    if (!free_.empty()) {
      s = free_.back();
      free_.pop_back();
    } else {
      s = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    nodes_[s] = Node{k, bytes, kNil, kNil, counter};
    if (indexed_) index_[k] = s;
    ++size_;
    bytes_ += bytes;
    return s;
  }
  void link_front(std::uint32_t s) {
    nodes_[s].prev = kNil;
    nodes_[s].next = head_;
    if (head_ != kNil) nodes_[head_].prev = s;
    head_ = s;
    if (tail_ == kNil) tail_ = s;
  }
  void link_back(std::uint32_t s) {
    nodes_[s].next = kNil;
    nodes_[s].prev = tail_;
    if (tail_ != kNil) nodes_[tail_].next = s;
    tail_ = s;
    if (head_ == kNil) head_ = s;
  }
  void unlink(std::uint32_t s) {
    Node& n = nodes_[s];
    if (n.prev != kNil)
      nodes_[n.prev].next = n.next;
    else
      head_ = n.next;
    if (n.next != kNil)
      nodes_[n.next].prev = n.prev;
    else
      tail_ = n.prev;
    n.prev = n.next = kNil;
  }

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  BlockMap<std::uint32_t> index_;
  std::uint32_t head_ = kNil, tail_ = kNil;
  std::size_t size_ = 0;
  std::int64_t bytes_ = 0;
  bool indexed_ = true;
};

}  // namespace aqueduct::core
