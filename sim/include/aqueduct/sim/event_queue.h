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

struct EventEntry {
  std::int64_t time = 0;   // nanoseconds
  std::uint64_t seq = 0;   // global, strictly increasing: the tie break
  std::uint32_t slot = 0;  // payload handle
  std::uint32_t gen = 0;   // payload generation (lazy cancellation)
};

inline bool event_before(const EventEntry& a, const EventEntry& b) {
  return a.time != b.time ? a.time < b.time : a.seq < b.seq;
}

class EventQueue {
 public:
  EventQueue() = default;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push(const EventEntry& e) {
    AQ_DCHECK(!event_before(e, last_));
    buckets_[bucket_of(e)].push_back(e);
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
    --size_;
    return e;
  }

  void clear() {
    for (auto& b : buckets_) b.clear();
    size_ = 0;
    last_ = EventEntry{};
  }

 private:
  static constexpr int kBuckets = 130;  // 0 = equal to last, 1..64 seq bits, 65..129 time bits

  // Bucket of an entry relative to last_: 0 when the keys are equal, else
  // 1 + the index of the highest differing bit of the 128-bit key.
  int bucket_of(const EventEntry& e) const {
    std::uint64_t dt = static_cast<std::uint64_t>(e.time) ^ static_cast<std::uint64_t>(last_.time);
    if (dt != 0) return 65 + (63 - std::countl_zero(dt));
    std::uint64_t ds = e.seq ^ last_.seq;
    if (ds != 0) return 1 + (63 - std::countl_zero(ds));
    return 0;
  }

  // Moves the smallest entries into bucket 0.
  void refill() {
    int b = 1;
    while (buckets_[b].empty()) ++b;
    std::vector<EventEntry>& src = buckets_[b];
    // New reference key: the minimum of this bucket.
    std::size_t mi = 0;
    for (std::size_t i = 1; i < src.size(); ++i) {
      if (event_before(src[i], src[mi])) mi = i;
    }
    last_ = src[mi];
    // Every entry moves to a lower bucket (bucket_of < b by the radix property).
    for (const EventEntry& e : src) buckets_[bucket_of(e)].push_back(e);
    src.clear();
    // Keys are unique (sequence numbers), so bucket 0 holds exactly the minimum.
  }

  std::array<std::vector<EventEntry>, kBuckets> buckets_{};
  std::size_t size_ = 0;
  EventEntry last_{};
};

}  // namespace aqueduct::sim
