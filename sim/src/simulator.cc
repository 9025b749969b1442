#include "aqueduct/sim/simulator.h"

namespace aqueduct::sim {

std::uint32_t Simulator::alloc_slot() {
  if (!free_.empty()) {
    std::uint32_t s = free_.back();
    free_.pop_back();
    return s;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

core::TimerId Simulator::schedule_at(core::Time at, std::function<void()> fn) {
  if (at < now_) {
    at = now_;
    ++clamped_;
  }
  std::uint32_t s = alloc_slot();
  Slot& slot = slots_[s];
  slot.fn = std::move(fn);
  slot.live = true;
  ++live_;
  queue_.push(EventEntry{at.count(), next_seq_++, s, slot.gen});
  return make_id(s, slot.gen);
}

bool Simulator::cancel(core::TimerId id) {
  if (!id) return false;
  std::uint64_t low = id.value & 0xffffffffULL;
  if (low == 0 || low > slots_.size()) return false;
  auto s = static_cast<std::uint32_t>(low - 1);
  auto gen = static_cast<std::uint32_t>(id.value >> 32);
  Slot& slot = slots_[s];
  if (!slot.live || slot.gen != gen) return false;
  slot.fn = nullptr;
  slot.live = false;
  ++slot.gen;  // the queued entry is now stale and is skipped when popped
  --live_;
  free_.push_back(s);
  return true;
}

bool Simulator::step() {
  while (!queue_.empty()) {
    EventEntry e = queue_.pop();
    Slot& slot = slots_[e.slot];
    if (slot.gen != e.gen || !slot.live) continue;  // cancelled
    now_ = core::Time(e.time);
    std::function<void()> fn = std::move(slot.fn);
    slot.fn = nullptr;
    slot.live = false;
    ++slot.gen;
    --live_;
    free_.push_back(e.slot);
    ++processed_;
    fn();
    return true;
  }
  return false;
}

core::Time Simulator::next_event_time() {
  while (!queue_.empty()) {
    const EventEntry& top = queue_.top();
    const Slot& slot = slots_[top.slot];
    if (slot.gen == top.gen && slot.live) return core::Time(top.time);
    queue_.pop();
  }
  return core::Time::max();
}

std::uint64_t Simulator::run(core::Time until) {
  stopped_ = false;
  std::uint64_t start = processed_;
  while (!stopped_ && !queue_.empty()) {
    const EventEntry& top = queue_.top();
    const Slot& slot = slots_[top.slot];
    if (slot.gen != top.gen || !slot.live) {
      queue_.pop();  // a cancelled timer: drop it before looking at its time
      continue;
    }
    if (top.time > until.count()) break;
    step();
  }
  return processed_ - start;
}

}  // namespace aqueduct::sim
