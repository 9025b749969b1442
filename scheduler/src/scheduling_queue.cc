#include "aqueduct/scheduler/scheduling_queue.h"

#include <algorithm>

namespace aqueduct::scheduler {

void SchedulingQueue::add(std::int64_t id, std::int64_t order) {
  Item& it = items_[id];
  it = Item{order, 0, Where::kActive, core::Time(0), core::Time(0)};
  active_.insert({order, id});
}

core::Duration SchedulingQueue::backoff_for(int attempts) const {
  core::Duration d = cfg_.initial_backoff;
  for (int i = 1; i < attempts && d < cfg_.max_backoff; ++i) d *= 2;
  return std::min(d, cfg_.max_backoff);
}

void SchedulingQueue::mark_unschedulable(std::int64_t id, core::Time now) {
  auto f = items_.find(id);
  if (f == items_.end()) return;
  Item& it = f->second;
  if (it.where == Where::kActive) active_.erase({it.order, id});
  ++it.attempts;
  it.where = Where::kUnschedulable;
  it.backoff_until = now + backoff_for(it.attempts);
  it.unschedulable_since = now;
}

void SchedulingQueue::on_cluster_change(core::Time now) {
  for (auto& [id, it] : items_) {
    if (it.where != Where::kUnschedulable) continue;
    if (now >= it.backoff_until) {
      it.where = Where::kActive;
      active_.insert({it.order, id});
    } else {
      it.where = Where::kBackoff;
    }
  }
}

void SchedulingQueue::remove(std::int64_t id) {
  auto f = items_.find(id);
  if (f == items_.end()) return;
  if (f->second.where == Where::kActive) active_.erase({f->second.order, id});
  items_.erase(f);
}

std::vector<std::int64_t> SchedulingQueue::pop_ready(core::Time now) {
  for (auto& [id, it] : items_) {
    bool backoff_done = it.where == Where::kBackoff && now >= it.backoff_until;
    bool flushed =
        it.where == Where::kUnschedulable && now - it.unschedulable_since >= cfg_.max_unschedulable;
    if (backoff_done || flushed) {
      it.where = Where::kActive;
      active_.insert({it.order, id});
    }
  }
  std::vector<std::int64_t> out;
  out.reserve(active_.size());
  for (const auto& [order, id] : active_) {
    out.push_back(id);
    items_[id].where = Where::kInFlight;
  }
  active_.clear();
  return out;
}

std::optional<core::Time> SchedulingQueue::next_wakeup() const {
  std::optional<core::Time> t;
  for (const auto& [id, it] : items_) {
    core::Time w;
    if (it.where == Where::kBackoff) {
      w = it.backoff_until;
    } else if (it.where == Where::kUnschedulable) {
      w = it.unschedulable_since + cfg_.max_unschedulable;
    } else {
      continue;
    }
    if (!t || w < *t) t = w;
  }
  return t;
}

int SchedulingQueue::attempts(std::int64_t id) const {
  auto f = items_.find(id);
  return f == items_.end() ? 0 : f->second.attempts;
}

}  // namespace aqueduct::scheduler
