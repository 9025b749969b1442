#include "aqueduct/scheduler/scheduling_queue.h"

#include <gtest/gtest.h>

namespace aqueduct::scheduler {
namespace {

using core::from_seconds;

TEST(SchedulingQueue, OrderBackoffAndClusterChanges) {
  SchedulingQueue q;
  q.add(7, 2);
  q.add(3, 1);
  EXPECT_EQ(q.pop_ready(from_seconds(0)), (std::vector<std::int64_t>{3, 7}));
  q.done(3);
  q.mark_unschedulable(7, from_seconds(0));
  EXPECT_TRUE(q.pop_ready(from_seconds(100)).empty()) << "waits for a cluster change";
  q.on_cluster_change(from_seconds(0.5));  // backoff (1 s) not over: goes to backoff
  EXPECT_TRUE(q.pop_ready(from_seconds(0.9)).empty());
  EXPECT_EQ(q.next_wakeup(), from_seconds(1));
  EXPECT_EQ(q.pop_ready(from_seconds(1)), (std::vector<std::int64_t>{7}));
  // Backoff doubles: 2 s after the second failure, capped at 10 s.
  q.mark_unschedulable(7, from_seconds(10));
  EXPECT_EQ(q.attempts(7), 2);
  q.on_cluster_change(from_seconds(11));
  EXPECT_TRUE(q.pop_ready(from_seconds(11.5)).empty());
  EXPECT_EQ(q.pop_ready(from_seconds(12)), (std::vector<std::int64_t>{7}));
  for (int i = 0; i < 10; ++i) {
    q.mark_unschedulable(7, from_seconds(100));
    q.on_cluster_change(from_seconds(100));
    q.pop_ready(from_seconds(200));
  }
  q.mark_unschedulable(7, from_seconds(1000));
  q.on_cluster_change(from_seconds(1000));
  EXPECT_EQ(q.next_wakeup(), from_seconds(1010)) << "max backoff 10 s";
}

TEST(SchedulingQueue, UnschedulableFlushAfterFiveMinutes) {
  SchedulingQueue q;
  q.add(1, 1);
  q.pop_ready(from_seconds(0));
  q.mark_unschedulable(1, from_seconds(0));
  EXPECT_EQ(q.next_wakeup(), from_seconds(300));
  EXPECT_TRUE(q.pop_ready(from_seconds(299)).empty());
  EXPECT_EQ(q.pop_ready(from_seconds(300)), (std::vector<std::int64_t>{1}));
  q.remove(1);
  EXPECT_EQ(q.size(), 0u);
}

}  // namespace
}  // namespace aqueduct::scheduler
