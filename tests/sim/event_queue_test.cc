#include "aqueduct/sim/event_queue.h"

#include <gtest/gtest.h>

#include <queue>

#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {
namespace {

struct Later {
  bool operator()(const EventEntry& a, const EventEntry& b) const { return event_before(b, a); }
};

// Drives the radix heap and a std::priority_queue with the same DES-like
// operation stream (pushes never before the last pop) and checks every pop.
TEST(EventQueue, MatchesReferenceOrderingIncludingTies) {
  for (std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
    Rng rng(seed);
    EventQueue q;
    std::priority_queue<EventEntry, std::vector<EventEntry>, Later> ref;
    std::int64_t now = 0;
    std::uint64_t seq = 1;
    for (int op = 0; op < 200000; ++op) {
      bool push = ref.empty() || rng.uniform01() < 0.55;
      if (push) {
        // Many exact ties (same time), some far-future, some "now".
        std::int64_t dt =
            rng.bernoulli(0.3)
                ? 0
                : static_cast<std::int64_t>(rng.below(rng.bernoulli(0.1) ? 1ULL << 40 : 1000));
        EventEntry e = EventEntry::make(now + dt, seq++, static_cast<std::uint32_t>(op) & 0xffff);
        q.push(e);
        ref.push(e);
      } else {
        EventEntry a = q.pop();
        EventEntry b = ref.top();
        ref.pop();
        ASSERT_EQ(a.time, b.time) << "seed " << seed << " op " << op;
        ASSERT_EQ(a.seq(), b.seq()) << "seed " << seed << " op " << op;
        now = a.time;
      }
      ASSERT_EQ(q.size(), ref.size());
    }
    while (!ref.empty()) {
      ASSERT_EQ(q.pop().seq(), ref.top().seq());
      ref.pop();
    }
    EXPECT_TRUE(q.empty());
  }
}

TEST(EventQueue, HoldsMillionsPending) {
  EventQueue q;
  Rng rng(7);
  const int n = 2'000'000;
  for (int i = 0; i < n; ++i) {
    q.push(EventEntry::make(static_cast<std::int64_t>(rng.below(1'000'000'000)),
                            static_cast<std::uint64_t>(i + 1), 0));
  }
  EXPECT_EQ(q.size(), static_cast<std::size_t>(n));
  EventEntry prev = q.pop();
  for (int i = 1; i < n; ++i) {
    EventEntry e = q.pop();
    ASSERT_FALSE(event_before(e, prev));
    prev = e;
  }
}

}  // namespace
}  // namespace aqueduct::sim
