#include "aqueduct/sim/simulator.h"

#include <gtest/gtest.h>

#include <string>

namespace aqueduct::sim {
namespace {

using core::from_seconds;

TEST(Simulator, RunsByTimeThenScheduleOrder) {
  Simulator s;
  std::string log;
  s.schedule_at(from_seconds(2), [&] { log += "c"; });
  s.schedule_at(from_seconds(1), [&] { log += "a"; });
  s.schedule_at(from_seconds(1), [&] { log += "b"; });
  s.schedule_at(from_seconds(1), [&] {
    log += "d";
    s.schedule_after(core::Duration(0),
                     [&] { log += "e"; });  // same instant, runs after queued ones
  });
  EXPECT_EQ(s.run(), 5u);
  EXPECT_EQ(log, "abdec");
  EXPECT_EQ(s.now(), from_seconds(2));
}

TEST(Simulator, CancelledTimersNeverRun) {
  Simulator s;
  int ran = 0;
  auto a = s.schedule_at(from_seconds(1), [&] { ran += 1; });
  auto b = s.schedule_at(from_seconds(2), [&] { ran += 10; });
  EXPECT_TRUE(s.cancel(a));
  EXPECT_FALSE(s.cancel(a));  // twice
  EXPECT_EQ(s.pending(), 1u);
  s.run();
  EXPECT_EQ(ran, 10);
  EXPECT_FALSE(s.cancel(b));  // already fired
  // A reused slot does not make an old id valid again.
  auto c = s.schedule_at(from_seconds(3), [&] { ran += 100; });
  EXPECT_FALSE(s.cancel(a));
  EXPECT_TRUE(s.cancel(c));
}

TEST(Simulator, RunUntilStopsAtHorizonAndSkipsCancelled) {
  Simulator s;
  int ran = 0;
  auto x = s.schedule_at(from_seconds(1), [&] { ran += 1; });
  s.schedule_at(from_seconds(5), [&] { ran += 2; });
  s.schedule_at(from_seconds(10), [&] { ran += 4; });
  s.cancel(x);
  s.run(from_seconds(5));
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(s.next_event_time(), from_seconds(10));
  s.run();
  EXPECT_EQ(ran, 6);
  EXPECT_EQ(s.next_event_time(), core::Time::max());
}

TEST(Simulator, PastTimesAreClampedAndCounted) {
  Simulator s;
  core::Time seen{-1};
  s.schedule_at(from_seconds(5), [&] { s.schedule_at(from_seconds(1), [&] { seen = s.now(); }); });
  s.run();
  EXPECT_EQ(seen, from_seconds(5));
  EXPECT_EQ(s.clamped_to_now(), 1u);
}

TEST(Simulator, ImplementsClockPort) {
  Simulator s;
  core::Clock& clock = s;
  bool fired = false;
  clock.schedule_after(from_seconds(3), [&] { fired = true; });
  s.run();
  EXPECT_TRUE(fired);
  EXPECT_EQ(clock.now(), from_seconds(3));
}

}  // namespace
}  // namespace aqueduct::sim
