// FIFO, SJF/SRTF and Tiresias' LAS (job_policies.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "aqueduct/core/jobs/job_policies.h"
#include "aqueduct/core/policy_args.h"

namespace aqueduct::core {

namespace {

// Indexes of the snapshot's jobs sorted by `key` (lower first), ties by
// arrival and then by position (the snapshot is in arrival order).
template <typename Key>
std::vector<int> sorted_by(const JobSnapshot& s, Key key) {
  std::vector<int> order(s.jobs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    auto ka = key(s.jobs[a]), kb = key(s.jobs[b]);
    if (ka != kb) return ka < kb;
    return s.jobs[a].arrival < s.jobs[b].arrival;
  });
  return order;
}

}  // namespace

Result<std::unique_ptr<JobPolicy>> FifoJobPolicy::create(const JobPolicyArgs& args) {
  AQ_RETURN_IF_ERROR(check_known_args(args, {"backfill"}));
  auto p = std::make_unique<FifoJobPolicy>();
  AQ_ASSIGN_OR_RETURN(int backfill, choice_arg(args, "backfill", {"true", "false"}));
  p->backfill_ = backfill == 0;
  return std::unique_ptr<JobPolicy>(std::move(p));
}

Result<JobDecision> FifoJobPolicy::decide(const JobSnapshot& s) {
  JobDecision d =
      decision_from_priority(s, sorted_by(s, [](const JobObservation&) { return 0; }), false);
  d.in_order = !backfill_;
  return d;
}

Result<std::unique_ptr<JobPolicy>> ShortestJobPolicy::create(const JobPolicyArgs& args,
                                                             bool preemptive) {
  AQ_RETURN_IF_ERROR(check_known_args(args, {"by"}));
  AQ_ASSIGN_OR_RETURN(int by, choice_arg(args, "by", {"gpu-time", "time"}));
  auto p = std::make_unique<ShortestJobPolicy>();
  p->preemptive_ = preemptive;
  p->gpu_time_ = by == 0;
  return std::unique_ptr<JobPolicy>(std::move(p));
}

Result<JobDecision> ShortestJobPolicy::decide(const JobSnapshot& s) {
  constexpr double kUnknown = std::numeric_limits<double>::infinity();
  auto key = [this](const JobObservation& j) {
    if (j.duration_s < 0) return kUnknown;
    double t = preemptive_ ? j.duration_s * (1 - std::clamp(j.progress, 0.0, 1.0)) : j.duration_s;
    return gpu_time_ ? t * j.gpus : t;
  };
  return decision_from_priority(s, sorted_by(s, key), preemptive_);
}

Result<std::unique_ptr<JobPolicy>> TiresiasLasPolicy::create(const JobPolicyArgs& args) {
  AQ_RETURN_IF_ERROR(check_known_args(args, {"thresholds", "promote", "by"}));
  auto p = std::make_unique<TiresiasLasPolicy>();
  AQ_ASSIGN_OR_RETURN(p->thresholds_, ascending_list_arg(args, "thresholds", {3600}));
  AQ_ASSIGN_OR_RETURN(p->promote_, number_arg(args, "promote", 0, 0, 1e6));
  AQ_ASSIGN_OR_RETURN(int by, choice_arg(args, "by", {"gpu-time", "time"}));
  p->gpu_time_ = by == 0;
  return std::unique_ptr<JobPolicy>(std::move(p));
}

double TiresiasLasPolicy::service(const JobObservation& j) const {
  double s = gpu_time_ ? j.attained_gpu_s : j.executed_s;
  auto it = promoted_at_.find(j.id);
  return it == promoted_at_.end() ? s : s - it->second;
}

int TiresiasLasPolicy::queue_of(const JobObservation& j) const {
  const double s = service(j);
  return static_cast<int>(std::upper_bound(thresholds_.begin(), thresholds_.end(), s) -
                          thresholds_.begin());
}

Result<JobDecision> TiresiasLasPolicy::decide(const JobSnapshot& s) {
  const double now = to_seconds(s.now);
  queues_.resize(thresholds_.size() + 1);
  std::unordered_map<std::string_view, int> at;  // id -> index in the snapshot
  for (std::size_t i = 0; i < s.jobs.size(); ++i) at.emplace(s.jobs[i].id, static_cast<int>(i));
  // Forget finished jobs.
  std::erase_if(promoted_at_, [&](const auto& e) { return !at.count(e.first); });
  std::erase_if(where_, [&](const auto& e) { return !at.count(e.first); });
  for (auto& q : queues_) std::erase_if(q, [&](const std::string& id) { return !at.count(id); });
  auto move_to = [&](const std::string& id, int q) {
    auto it = where_.find(id);
    if (it != where_.end()) {
      if (it->second == q) return;
      std::erase(queues_[it->second], id);
    }
    queues_[q].push_back(id);
    where_[id] = q;
  };
  for (const auto& j : s.jobs) {
    // New jobs enter the first queue; a starved one returns there (service
    // counted from now); the others move down as their service grows.
    if (!where_.count(j.id)) move_to(j.id, 0);
    if (promote_ > 0 && j.status == JobStatus::kQueued && j.executed_s > 0 && queue_of(j) > 0 &&
        now - j.queued_since_s >= promote_ * j.executed_s) {
      promoted_at_[j.id] = gpu_time_ ? j.attained_gpu_s : j.executed_s;
    }
    move_to(j.id, queue_of(j));
  }
  // The running set: queue by queue, in each queue's order, while GPUs last.
  JobDecision d;
  double room = s.total_gpus;
  for (const auto& j : s.jobs) {
    if (j.status == JobStatus::kSuspending) room -= j.gpus;
  }
  std::vector<bool> keep(s.jobs.size(), false);
  for (const auto& q : queues_) {
    for (const auto& id : q) {
      const int i = at.at(id);
      const auto& j = s.jobs[i];
      if (j.status == JobStatus::kSuspending) continue;
      if (j.gpus <= room) {
        room -= j.gpus;
        keep[i] = true;
        d.run_order.push_back(j.id);
      } else if (j.status == JobStatus::kRunning) {
        d.preempt.push_back(j.id);
      }
    }
  }
  // Jobs that run after this decision go ahead of those that wait.
  for (auto& q : queues_) {
    std::stable_partition(q.begin(), q.end(),
                          [&](const std::string& id) { return keep[at.at(id)]; });
  }
  // Be called back when a running job reaches its next threshold, or a
  // queued one its promotion.
  double wake = std::numeric_limits<double>::infinity();
  for (const auto& j : s.jobs) {
    if (j.status == JobStatus::kRunning) {
      const int q = queue_of(j);
      const double rate = gpu_time_ ? j.gpus : 1.0;
      if (q < static_cast<int>(thresholds_.size()) && rate > 0) {
        wake = std::min(wake, now + (thresholds_[q] - service(j)) / rate);
      }
    } else if (j.status == JobStatus::kQueued && promote_ > 0 && j.executed_s > 0 &&
               queue_of(j) > 0) {
      wake = std::min(wake, j.queued_since_s + promote_ * j.executed_s);
    }
  }
  if (wake < std::numeric_limits<double>::infinity()) {
    // Rounded up (and a microsecond past): at exactly the computed instant
    // the job's service may still be a rounding error short of the threshold.
    d.wake_at = std::max(s.now + std::chrono::microseconds(1),
                         from_seconds(std::ceil(wake * 1e6) / 1e6 + 1e-6));
  }
  return d;
}

Result<std::unique_ptr<JobPolicy>> ThemisPolicy::create(const JobPolicyArgs& args) {
  AQ_RETURN_IF_ERROR(check_known_args(args, {"f"}));
  auto p = std::make_unique<ThemisPolicy>();
  AQ_ASSIGN_OR_RETURN(p->f_, number_arg(args, "f", 0.8, 0, 1));
  return std::unique_ptr<JobPolicy>(std::move(p));
}

double ThemisPolicy::rho(const JobObservation& j, double now_s, std::size_t n, double total_gpus) {
  double ideal = j.duration_s;
  if (ideal < 0 && j.progress > 0) ideal = j.executed_s / j.progress;  // estimated
  if (ideal <= 0) return 1;
  const double left = ideal * (1 - std::clamp(j.progress, 0.0, 1.0));
  const double shared = now_s - to_seconds(j.arrival) + left;
  const double share = total_gpus / static_cast<double>(std::max<std::size_t>(n, 1));
  const double isolated = ideal * std::max(1.0, j.gpus / std::max(share, 1e-9));
  return shared / isolated;
}

Result<JobDecision> ThemisPolicy::decide(const JobSnapshot& s) {
  const double now = to_seconds(s.now);
  std::vector<double> r(s.jobs.size());
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    r[i] = rho(s.jobs[i], now, s.jobs.size(), s.total_gpus);
  }
  // Worst fairness first; the 1 - f share of them is offered the cluster first.
  std::vector<int> order = sorted_by(s, [](const JobObservation&) { return 0; });
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return r[a] > r[b]; });
  const auto offered = std::min(
      order.size(),
      std::max<std::size_t>(
          1, static_cast<std::size_t>(std::ceil((1 - f_) * static_cast<double>(s.jobs.size())))));
  // Within the offer, the auction's efficiency: the GPUs go to as many of the
  // worst-off jobs as they can serve (fewest GPUs first, then worst rho).
  std::vector<int> first(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(offered));
  std::stable_sort(first.begin(), first.end(),
                   [&](int a, int b) { return s.jobs[a].gpus < s.jobs[b].gpus; });
  first.insert(first.end(), order.begin() + static_cast<std::ptrdiff_t>(offered), order.end());
  // Leases end at rounds: only then may running jobs lose their GPUs.
  return decision_from_priority(s, first, s.trigger == JobSnapshot::Trigger::kRound);
}

}  // namespace aqueduct::core
