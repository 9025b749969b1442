// EventQueue: the pending-event set of the simulator, a monotone priority
// queue keyed by (time, sequence). It is a radix heap (Ahuja, Mehlhorn, Orlin
// and Tarjan, "Faster algorithms for the shortest path problem", JACM 1990)
// over the 128-bit key time:sequence: an entry lives in the bucket numbered by
// the highest bit in which its key differs from the last key popped, so a push
// is an append and a pop only redistributes one bucket, every entry moving to
// a strictly lower bucket. All memory is contiguous vectors, which is what
// makes it fast with millions of pending events (no pointer chasing).
// REQUIRES: pushed keys are >= the last popped key (true for a DES: nothing is
// scheduled in the past, and sequence numbers only grow).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "aqueduct/core/check.h"

namespace aqueduct::sim {

// 16 bytes: the time and a key packing the global sequence number (high 40
// bits, the tie break) over the payload slot (low 24 bits). Comparing
// (time, key) therefore compares (time, sequence).
struct EventEntry {
  std::int64_t time = 0;  // nanoseconds
  std::uint64_t key = 0;  // seq << kSlotBits | slot

  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kMaxSlots = 1ULL << kSlotBits;             // pending payloads
  static constexpr std::uint64_t kMaxSeq = (1ULL << (64 - kSlotBits)) - 1;  // events ever scheduled
  static EventEntry make(std::int64_t time, std::uint64_t seq, std::uint32_t slot) {
    return EventEntry{time, (seq << kSlotBits) | slot};
  }
  std::uint64_t seq() const { return key >> kSlotBits; }
  std::uint32_t slot() const { return static_cast<std::uint32_t>(key & (kMaxSlots - 1)); }
};

inline bool event_before(const EventEntry& a, const EventEntry& b) {
  return a.time != b.time ? a.time < b.time : a.key < b.key;
}

class EventQueue {
 public:
  EventQueue() = default;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push(const EventEntry& e) {
    AQ_DCHECK(!event_before(e, last_));
    int b = bucket_of(e);
    buckets_[b].push_back(e);
    mark(b);
    ++size_;
  }

  // The smallest entry. REQUIRES: !empty().
  const EventEntry& top() {
    if (buckets_[0].empty()) refill();
    return buckets_[0].back();
  }

  // Removes and returns the smallest entry. REQUIRES: !empty().
  EventEntry pop() {
    if (buckets_[0].empty()) refill();
    EventEntry e = buckets_[0].back();
    buckets_[0].pop_back();
    if (buckets_[0].empty()) unmark(0);
    --size_;
    return e;
  }

  void clear() {
    for (auto& b : buckets_) b.clear();
    nonempty_[0] = nonempty_[1] = nonempty_[2] = 0;
    size_ = 0;
    last_ = EventEntry{};
  }

 private:
  static constexpr int kBuckets = 130;  // 0 = equal to last, 1..64 key bits, 65..129 time bits

  // Bucket of an entry relative to last_: 0 when the keys are equal, else
  // 1 + the index of the highest differing bit of the 128-bit time:key.
  int bucket_of(const EventEntry& e) const {
    std::uint64_t dt = static_cast<std::uint64_t>(e.time) ^ static_cast<std::uint64_t>(last_.time);
    if (dt != 0) return 65 + (63 - std::countl_zero(dt));
    std::uint64_t dk = e.key ^ last_.key;
    if (dk != 0) return 1 + (63 - std::countl_zero(dk));
    return 0;
  }
  void mark(int b) { nonempty_[b >> 6] |= 1ULL << (b & 63); }
  void unmark(int b) { nonempty_[b >> 6] &= ~(1ULL << (b & 63)); }
  // First non-empty bucket above 0, from the occupancy bitmap.
  int first_nonempty() const {
    for (int w = 0; w < 3; ++w) {
      std::uint64_t bits = nonempty_[w] & (w == 0 ? ~1ULL : ~0ULL);
      if (bits) return w * 64 + std::countr_zero(bits);
    }
    return kBuckets;
  }

  // Moves the smallest entries into bucket 0.
  void refill() {
    int b = first_nonempty();
    AQ_DCHECK(b < kBuckets);
    std::vector<EventEntry>& src = buckets_[b];
    // New reference key: the minimum of this bucket.
    std::size_t mi = 0;
    for (std::size_t i = 1; i < src.size(); ++i) {
      if (event_before(src[i], src[mi])) mi = i;
    }
    last_ = src[mi];
    // Every entry moves to a lower bucket (bucket_of < b by the radix property).
    for (const EventEntry& e : src) {
      int nb = bucket_of(e);
      buckets_[nb].push_back(e);
      mark(nb);
    }
    src.clear();
    unmark(b);
    // Keys are unique (sequence numbers), so bucket 0 holds exactly the minimum.
  }

  std::array<std::vector<EventEntry>, kBuckets> buckets_{};
  std::uint64_t nonempty_[3] = {0, 0, 0};  // bitmap over buckets_
  std::size_t size_ = 0;
  EventEntry last_{};
};

}  // namespace aqueduct::sim
