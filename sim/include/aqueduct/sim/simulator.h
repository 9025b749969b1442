// Simulator: the deterministic discrete-event loop. A virtual clock, the
// EventQueue, cancellable timers with payload slots and generations, and the
// run loop. It implements core::Clock, so policies written against the port
// run on virtual time. Never reads the wall clock. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "aqueduct/core/ports.h"
#include "aqueduct/sim/event_queue.h"

namespace aqueduct::sim {

class Simulator final : public core::Clock {
 public:
  Simulator() = default;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Time now() const override { return now_; }
  // REQUIRES: at >= now(). A time in the past is clamped to now() and counted.
  core::TimerId schedule_at(core::Time at, std::function<void()> fn) override;
  bool cancel(core::TimerId id) override;

  // Runs events until the queue is empty, `until` is passed (events at exactly
  // `until` still run) or stop() is called. Returns the number of events run.
  std::uint64_t run(core::Time until = core::Time::max());
  // Runs the next event, if any; returns whether one ran.
  bool step();
  void stop() { stopped_ = true; }
  // Time of the next live event; Time::max() when none is pending.
  core::Time next_event_time();

  std::size_t pending() const { return live_; }
  std::uint64_t events_processed() const { return processed_; }
  std::uint64_t clamped_to_now() const { return clamped_; }

 private:
  // A pending payload. `seq` is the sequence of the event that owns it: a
  // queue entry whose sequence differs is stale (its timer was cancelled).
  struct Slot {
    std::function<void()> fn;
    std::uint64_t seq = 0;
    bool live = false;
  };
  std::uint32_t alloc_slot();
  bool is_live(const EventEntry& e) const {
    const Slot& s = slots_[e.slot()];
    return s.live && s.seq == e.seq();
  }

  core::Time now_{0};
  EventQueue queue_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t processed_ = 0;
  std::uint64_t clamped_ = 0;
  std::size_t live_ = 0;
  bool stopped_ = false;
};

}  // namespace aqueduct::sim
