// SiloD-style joint cache and GPU allocation (job_policies.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "aqueduct/core/jobs/job_policies.h"
#include "aqueduct/core/policy_args.h"

namespace aqueduct::core {
namespace {

using CachePlan = std::map<std::string, std::int64_t, std::less<>>;

const DatasetCacheObservation* find_dataset(const JobSnapshot& s, std::string_view name) {
  for (const auto& d : s.datasets) {
    if (d.dataset == name) return &d;
  }
  return nullptr;
}

// Share of a dataset's blocks its cache holds under uniform caching.
// The capacity that holds all of a dataset.
std::int64_t full_size(const DatasetCacheObservation& d) {
  return std::max(d.size_bytes, d.full_bytes);
}

double hit_share(const DatasetCacheObservation* d, const CachePlan& cache) {
  if (d == nullptr || full_size(*d) <= 0) return 0;
  auto it = cache.find(d->dataset);
  const double c = static_cast<double>(it == cache.end() ? d->cache_bytes : it->second);
  return std::clamp(c / static_cast<double>(full_size(*d)), 0.0, 1.0);
}

// The jobs that run after a non-preemptive pass over `order`: the running
// and suspending ones, then queued ones while their GPUs fit.
std::vector<int> run_set(const JobSnapshot& s, const std::vector<int>& order) {
  double free = s.free_gpus;
  std::vector<int> out;
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    if (s.jobs[m].status != JobStatus::kQueued) out.push_back(static_cast<int>(m));
  }
  for (int m : order) {
    const JobObservation& j = s.jobs[static_cast<std::size_t>(m)];
    if (j.status != JobStatus::kQueued || j.gpus > free) continue;
    free -= j.gpus;
    out.push_back(m);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<JobPolicy>> SiloDPolicy::create(const JobPolicyArgs& args) {
  AQ_RETURN_IF_ERROR(check_known_args(args, {"base"}));
  auto p = std::make_unique<SiloDPolicy>();
  AQ_ASSIGN_OR_RETURN(int base, choice_arg(args, "base", {"sjf", "fifo"}));
  p->sjf_ = base == 0;
  return std::unique_ptr<JobPolicy>(std::move(p));
}

CachePlan SiloDPolicy::cache_plan(const JobSnapshot& s, const std::vector<int>& running) {
  // I/O demand on each dataset: of the jobs that read now, and of the rest.
  std::map<std::string, double, std::less<>> now, waiting;
  std::vector<bool> runs(s.jobs.size(), false);
  for (int m : running) runs[static_cast<std::size_t>(m)] = true;
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    const JobObservation& j = s.jobs[m];
    if (j.dataset.empty() || find_dataset(s, j.dataset) == nullptr) continue;
    (runs[m] ? now : waiting)[j.dataset] += j.io_demand_bps;
  }
  auto ranked = [&](const std::map<std::string, double, std::less<>>& demand) {
    std::vector<const DatasetCacheObservation*> out;
    for (const auto& d : s.datasets) {
      if (demand.contains(d.dataset) && full_size(d) > 0) out.push_back(&d);
    }
    // Remote bytes/s saved per cached byte, highest first; then by name.
    std::stable_sort(out.begin(), out.end(), [&](const auto* a, const auto* b) {
      const double ea = demand.at(a->dataset) / static_cast<double>(full_size(*a));
      const double eb = demand.at(b->dataset) / static_cast<double>(full_size(*b));
      return ea > eb;
    });
    return out;
  };
  CachePlan plan;
  for (const auto& d : s.datasets) plan[d.dataset] = 0;
  std::int64_t left = s.cache_budget_bytes;
  for (const auto* d : ranked(now)) {
    const std::int64_t give = std::min(left, full_size(*d));
    plan[d->dataset] = give;
    left -= give;
  }
  // Datasets nobody reads now keep what they hold (a warm cache is worth
  // keeping for the jobs that wait for it), most-demanded first.
  auto keep = [&](const DatasetCacheObservation* d) {
    if (plan[d->dataset] > 0) return;
    const std::int64_t give = std::min(left, d->cached_bytes);
    plan[d->dataset] = give;
    left -= give;
  };
  for (const auto* d : ranked(waiting)) keep(d);
  for (const auto& d : s.datasets) keep(&d);
  return plan;
}

std::vector<double> SiloDPolicy::speeds(const JobSnapshot& s, const std::vector<int>& running,
                                        const CachePlan& cache) {
  double remote = 0;  // bytes/s the running jobs would fetch from the store
  for (int m : running) {
    const JobObservation& j = s.jobs[static_cast<std::size_t>(m)];
    if (j.dataset.empty()) continue;
    remote += j.io_demand_bps * (1 - hit_share(find_dataset(s, j.dataset), cache));
  }
  const double slow = s.store_bandwidth_bps > 0 && remote > s.store_bandwidth_bps
                          ? s.store_bandwidth_bps / remote
                          : 1.0;
  std::vector<double> out(s.jobs.size(), 1.0);
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    const JobObservation& j = s.jobs[m];
    if (j.dataset.empty() || j.io_demand_bps <= 0) continue;
    if (hit_share(find_dataset(s, j.dataset), cache) < 1) out[m] = slow;
  }
  return out;
}

std::vector<int> SiloDPolicy::order(const JobSnapshot& s, const std::vector<double>& speed) const {
  std::vector<int> idx(s.jobs.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (!sjf_) return idx;  // arrival order
  constexpr double kUnknown = std::numeric_limits<double>::infinity();
  std::vector<double> left(s.jobs.size());
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    const JobObservation& j = s.jobs[m];
    // GPU-time left, as `sjf` orders, at the estimated speed.
    left[m] = j.duration_s < 0 ? kUnknown
                               : j.gpus * j.duration_s * (1 - std::clamp(j.progress, 0.0, 1.0)) /
                                     std::max(speed[m], 1e-9);
  }
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return left[a] < left[b]; });
  return idx;
}

Result<JobDecision> SiloDPolicy::decide(const JobSnapshot& s) {
  // The joint estimate: each job's speed with the cache sized for every
  // job's demand (the share its dataset earns) and the store shared by the
  // jobs the base order would run. The base order is then redone on those
  // speeds, and the cache sized for the jobs that order runs.
  std::vector<int> everyone(s.jobs.size());
  std::iota(everyone.begin(), everyone.end(), 0);
  const std::vector<int> base = run_set(s, order(s, std::vector<double>(s.jobs.size(), 1.0)));
  const std::vector<int> joint = order(s, speeds(s, base, cache_plan(s, everyone)));
  JobDecision d = decision_from_priority(s, joint, /*preemptive=*/false);
  d.cache_bytes = cache_plan(s, run_set(s, joint));
  return d;
}

}  // namespace aqueduct::core
