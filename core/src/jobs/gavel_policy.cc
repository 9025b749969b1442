// Gavel's heterogeneity-aware max-min fairness with its round mechanism
// (job_policies.h).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "aqueduct/core/jobs/job_policies.h"
#include "aqueduct/core/jobs/max_min_lp.h"
#include "aqueduct/core/policy_args.h"

namespace aqueduct::core {
namespace {

// splitmix64: a small, fully specified generator, so the shuffled type order
// is the same on every platform.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Result<std::unique_ptr<JobPolicy>> GavelPolicy::create(const JobPolicyArgs& args) {
  AQ_RETURN_IF_ERROR(check_known_args(args, {"aware", "fill", "seed"}));
  auto p = std::make_unique<GavelPolicy>();
  AQ_ASSIGN_OR_RETURN(int aware, choice_arg(args, "aware", {"true", "false"}));
  AQ_ASSIGN_OR_RETURN(int fill, choice_arg(args, "fill", {"true", "false"}));
  AQ_ASSIGN_OR_RETURN(double seed, number_arg(args, "seed", 0, 0, 4294967295.0));
  if (seed != std::floor(seed)) return invalid_argument("job policy arg seed: expected an integer");
  p->aware_ = aware == 0;
  p->fill_ = fill == 0;
  p->rng_state_ = static_cast<std::uint64_t>(seed);
  return std::unique_ptr<JobPolicy>(std::move(p));
}

std::vector<GavelPolicy::TypeView> GavelPolicy::types_of(const JobSnapshot& s) {
  std::vector<TypeView> out;
  for (const auto& t : s.gpu_types) out.push_back({t.name, t.total, t.free});
  if (out.empty()) out.push_back({"", s.total_gpus, s.free_gpus});
  return out;
}

double GavelPolicy::speed(const JobObservation& j, const std::string& type) {
  if (type.empty()) return 1.0;
  auto it = j.speed_by_type.find(type);
  return it == j.speed_by_type.end() ? 1.0 : it->second;
}

Result<std::vector<std::vector<double>>> GavelPolicy::allocation(const JobSnapshot& s, bool aware) {
  const std::vector<TypeView> types = types_of(s);
  MaxMinProblem p;
  p.jobs = static_cast<int>(s.jobs.size());
  p.types = static_cast<int>(types.size());
  double all = 0;
  for (const auto& t : types) {
    p.capacity.push_back(t.total);
    all += t.total;
  }
  for (const auto& j : s.jobs) {
    p.gpus.push_back(std::max(j.gpus, 1e-3));
    // Throughput on each type it fits on (agnostic: 1 everywhere), then
    // Gavel's normalization by its throughput on an equal share of every type.
    std::vector<double> rate(types.size(), 0.0);
    double equal_share = 0;
    for (std::size_t t = 0; t < types.size(); ++t) {
      if (j.gpus > types[t].total) continue;
      rate[t] = aware ? std::max(0.0, speed(j, types[t].name)) : 1.0;
      equal_share += all > 0 ? rate[t] * types[t].total / all : 0;
    }
    for (std::size_t t = 0; t < types.size(); ++t) {
      p.value.push_back(equal_share > 0 ? rate[t] / equal_share * p.gpus.back() : 0);
    }
  }
  AQ_ASSIGN_OR_RETURN(MaxMinAllocation a, solve_max_min(p));
  std::vector<std::vector<double>> out(s.jobs.size());
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    out[m].assign(a.x.begin() + static_cast<std::ptrdiff_t>(m * types.size()),
                  a.x.begin() + static_cast<std::ptrdiff_t>((m + 1) * types.size()));
  }
  return out;
}

// Adds the time each running job spent on its type since the last call.
void GavelPolicy::account(const JobSnapshot& s, const std::vector<TypeView>& types) {
  std::map<std::string, double, std::less<>> seen;
  for (const auto& j : s.jobs) {
    auto last = last_executed_.find(j.id);
    const double before = last == last_executed_.end() ? j.executed_s : last->second;
    seen[j.id] = j.executed_s;
    const double dt = j.executed_s - before;
    if (dt <= 0 || j.status == JobStatus::kQueued) continue;
    for (std::size_t t = 0; t < types.size(); ++t) {
      if (types.size() == 1 || types[t].name == j.gpu_type) {
        auto& v = time_on_[j.id];
        v.resize(types.size(), 0.0);
        v[t] += dt;
      }
    }
  }
  last_executed_ = std::move(seen);
}

std::vector<int> GavelPolicy::type_order(const JobSnapshot& s, const std::vector<TypeView>& types) {
  std::vector<int> order(types.size());
  std::iota(order.begin(), order.end(), 0);
  if (!aware_) {  // Gavel shuffles the types for heterogeneity-agnostic policies
    for (std::size_t i = order.size(); i > 1; --i) {
      std::swap(order[i - 1], order[next_random(rng_state_) % i]);
    }
    return order;
  }
  // Fastest first (Gavel's fixed v100, p100, k80), by the jobs' mean speed.
  std::vector<double> mean(types.size(), 0.0);
  for (const auto& j : s.jobs) {
    for (std::size_t t = 0; t < types.size(); ++t) mean[t] += speed(j, types[t].name);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (mean[a] != mean[b]) return mean[a] > mean[b];
    return types[a].name < types[b].name;
  });
  return order;
}

Result<JobDecision> GavelPolicy::decide(const JobSnapshot& s) {
  const std::vector<TypeView> types = types_of(s);
  std::vector<std::string> names;
  for (const auto& t : types) names.push_back(t.name);
  const bool round = s.trigger == JobSnapshot::Trigger::kRound;
  account(s, types);
  std::set<std::string, std::less<>> ids;
  for (const auto& j : s.jobs) ids.insert(j.id);
  if (ids.size() != alloc_.size() ||
      !std::equal(ids.begin(), ids.end(), alloc_.begin(),
                  [](const std::string& id, const auto& kv) { return id == kv.first; })) {
    stale_ = true;
  }
  if (names != type_names_ || (stale_ && (round || alloc_.empty()))) {
    AQ_ASSIGN_OR_RETURN(auto x, allocation(s, aware_));
    alloc_.clear();
    for (std::size_t m = 0; m < s.jobs.size(); ++m) alloc_[s.jobs[m].id] = std::move(x[m]);
    type_names_ = names;
    time_on_.clear();
    reset_at_ = to_seconds(s.now);
    stale_ = false;
  }
  const double elapsed = to_seconds(s.now) - reset_at_;
  // Each job's share and time per type, looked up once per call (the sorts
  // below compare them many times).
  const std::vector<double> none;
  std::vector<const std::vector<double>*> shares(s.jobs.size(), &none);
  std::vector<const std::vector<double>*> times(s.jobs.size(), &none);
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    if (auto it = alloc_.find(s.jobs[m].id); it != alloc_.end()) shares[m] = &it->second;
    if (auto it = time_on_.find(s.jobs[m].id); it != time_on_.end()) times[m] = &it->second;
  }
  auto share = [&](std::size_t m, std::size_t t) {
    return t < shares[m]->size() ? (*shares[m])[t] : 0.0;
  };
  auto priority = [&](std::size_t m, std::size_t t) {
    const double x = share(m, t);
    if (x <= 0) return 0.0;
    const double got = t < times[m]->size() ? (*times[m])[t] : 0.0;
    const double fraction = elapsed > 0 ? got / elapsed : 0.0;
    return fraction > 0 ? x / fraction : x * 1e9;
  };

  // GPUs each type can give: a round reassigns all but suspending jobs';
  // between rounds only free ones.
  std::vector<double> left(types.size());
  for (std::size_t t = 0; t < types.size(); ++t) left[t] = round ? types[t].total : types[t].free;
  if (round) {
    for (const auto& j : s.jobs) {
      if (j.status != JobStatus::kSuspending) continue;
      for (std::size_t t = 0; t < types.size(); ++t) {
        if (types.size() == 1 || types[t].name == j.gpu_type) left[t] -= j.gpus;
      }
    }
  }
  std::vector<int> placed(s.jobs.size(), -1);  // job position -> type index
  std::vector<std::string> order;
  auto take = [&](std::size_t m, std::size_t t) {
    left[t] -= s.jobs[m].gpus;
    placed[m] = static_cast<int>(t);
    order.push_back(s.jobs[m].id);
  };
  auto can_take = [&](std::size_t m, std::size_t t) {
    const JobObservation& j = s.jobs[m];
    if (placed[m] >= 0 || j.status == JobStatus::kSuspending) return false;
    if (!round && j.status != JobStatus::kQueued) return false;
    return j.gpus <= left[t] && speed(j, types[t].name) > 0;
  };
  if (!round) {  // the round's plan first: jobs that waited for a checkpoint to end
    for (std::size_t m = 0; m < s.jobs.size(); ++m) {
      auto p = plan_.find(s.jobs[m].id);
      if (p == plan_.end() || s.jobs[m].status != JobStatus::kQueued) continue;
      auto t = static_cast<std::size_t>(std::find(names.begin(), names.end(), p->second) -
                                        names.begin());
      if (t < types.size() && can_take(m, t)) take(m, t);
    }
  }
  if (round || fill_) {
    for (int t : type_order(s, types)) {
      const auto tt = static_cast<std::size_t>(t);
      std::vector<int> idx;
      std::vector<double> prio(s.jobs.size()), x(s.jobs.size());
      for (std::size_t m = 0; m < s.jobs.size(); ++m) {
        if (placed[m] >= 0) continue;
        idx.push_back(static_cast<int>(m));
        prio[m] = priority(m, tt);
        x[m] = share(m, tt);
      }
      std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) {
        if (prio[a] != prio[b]) return prio[a] > prio[b];
        return x[a] > x[b];
      });
      for (int m : idx) {
        if (can_take(static_cast<std::size_t>(m), tt)) take(static_cast<std::size_t>(m), tt);
      }
    }
  }

  JobDecision d;
  d.run_order = order;
  if (round) plan_.clear();
  for (std::size_t m = 0; m < s.jobs.size(); ++m) {
    const JobObservation& j = s.jobs[m];
    const std::string* type =
        placed[m] >= 0 ? &types[static_cast<std::size_t>(placed[m])].name : nullptr;
    if (j.status == JobStatus::kRunning && round &&
        (type == nullptr || (types.size() > 1 && *type != j.gpu_type))) {
      d.preempt.push_back(j.id);
    }
    if (type == nullptr) continue;
    if (round) plan_[j.id] = *type;
    if (!type->empty() && (j.status != JobStatus::kRunning || round)) d.gpu_type[j.id] = *type;
  }
  for (auto it = plan_.begin(); it != plan_.end();) {  // started or gone
    it = ids.contains(it->first) ? std::next(it) : plan_.erase(it);
  }
  return d;
}

}  // namespace aqueduct::core
