#include "aqueduct/sim/simulator.h"

namespace aqueduct::sim {

std::uint32_t Simulator::alloc_slot() {
  if (!free_.empty()) {
    std::uint32_t s = free_.back();
    free_.pop_back();
    return s;
  }
  AQ_CHECK(slots_.size() < EventEntry::kMaxSlots);  // 16.7M timers pending at once
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

core::TimerId Simulator::schedule_at(core::Time at, std::function<void()> fn) {
  if (at < now_) {
    at = now_;
    ++clamped_;
  }
  AQ_CHECK(next_seq_ <= EventEntry::kMaxSeq);
  std::uint32_t s = alloc_slot();
  Slot& slot = slots_[s];
  slot.fn = std::move(fn);
  slot.live = true;
  slot.seq = next_seq_++;
  ++live_;
  EventEntry e = EventEntry::make(at.count(), slot.seq, s);
  queue_.push(e);
  return core::TimerId{e.key};
}

bool Simulator::cancel(core::TimerId id) {
  if (!id) return false;
  EventEntry e{0, id.value};
  if (e.slot() >= slots_.size()) return false;
  Slot& slot = slots_[e.slot()];
  if (!slot.live || slot.seq != e.seq()) return false;
  slot.fn = nullptr;
  slot.live = false;  // the queued entry is now stale and is skipped when popped
  --live_;
  free_.push_back(e.slot());
  return true;
}

bool Simulator::step() {
  while (!queue_.empty()) {
    EventEntry e = queue_.pop();
    if (!is_live(e)) continue;  // cancelled
    Slot& slot = slots_[e.slot()];
    now_ = core::Time(e.time);
    std::function<void()> fn = std::move(slot.fn);
    slot.fn = nullptr;
    slot.live = false;
    --live_;
    free_.push_back(e.slot());
    ++processed_;
    fn();
    return true;
  }
  return false;
}

core::Time Simulator::next_event_time() {
  while (!queue_.empty()) {
    const EventEntry& top = queue_.top();
    if (is_live(top)) return core::Time(top.time);
    queue_.pop();
  }
  return core::Time::max();
}

std::uint64_t Simulator::run(core::Time until) {
  stopped_ = false;
  std::uint64_t start = processed_;
  while (!stopped_ && !queue_.empty()) {
    const EventEntry& top = queue_.top();
    if (!is_live(top)) {
      queue_.pop();  // a cancelled timer: drop it before looking at its time
      continue;
    }
    if (top.time > until.count()) break;
    step();
  }
  return processed_ - start;
}

}  // namespace aqueduct::sim
