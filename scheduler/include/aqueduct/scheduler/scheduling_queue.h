// The pending-pod queue of kube-scheduler, reduced to what a driver needs:
//  - activeQ: ready to try, in order of first submission;
//  - unschedulable: tried and failed; they wait for a cluster change (a pod
//    ended, a node or cache worker came) or, at the latest, for
//    `max_unschedulable` (kube: 5 minutes) before being retried;
//  - backoffQ: after a cluster change, a pod whose backoff has not expired
//    waits for it. Backoff doubles per failed attempt from `initial_backoff`
//    up to `max_backoff` (kube: 1 s and 10 s).
// Items are opaque integer ids (e.g. job indexes). Time comes from the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "aqueduct/core/time.h"

namespace aqueduct::scheduler {

struct QueueConfig {
  core::Duration initial_backoff = core::from_seconds(1);
  core::Duration max_backoff = core::from_seconds(10);
  core::Duration max_unschedulable = core::from_seconds(300);
};

class SchedulingQueue {
 public:
  explicit SchedulingQueue(QueueConfig cfg = {}) : cfg_(cfg) {}

  // A new item, ready now. `order` ranks items (lower first), e.g. arrival index.
  void add(std::int64_t id, std::int64_t order);
  // The item failed to schedule at `now`: it waits for a cluster change.
  void mark_unschedulable(std::int64_t id, core::Time now);
  // Something changed that may let unschedulable items fit.
  void on_cluster_change(core::Time now);
  // Removes an item wherever it is (e.g. a job cancelled).
  void remove(std::int64_t id);

  // Items ready at `now`, in order. They are in flight until the caller says
  // `done` (scheduled: the item leaves) or `mark_unschedulable`.
  std::vector<std::int64_t> pop_ready(core::Time now);
  void done(std::int64_t id) { remove(id); }
  // When the next waiting item becomes ready without a cluster change.
  std::optional<core::Time> next_wakeup() const;

  std::size_t size() const { return items_.size(); }
  std::size_t active_size() const { return active_.size(); }
  int attempts(std::int64_t id) const;

 private:
  enum class Where { kActive, kBackoff, kUnschedulable, kInFlight };
  struct Item {
    std::int64_t order = 0;
    int attempts = 0;
    Where where = Where::kActive;
    core::Time backoff_until{0};
    core::Time unschedulable_since{0};
  };
  core::Duration backoff_for(int attempts) const;

  QueueConfig cfg_;
  std::unordered_map<std::int64_t, Item> items_;
  std::set<std::pair<std::int64_t, std::int64_t>> active_;  // (order, id)
};

}  // namespace aqueduct::scheduler
