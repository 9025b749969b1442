#include "aqueduct/core/jobs/job_policy.h"

#include <unordered_map>
#include <unordered_set>

#include "aqueduct/core/jobs/job_policies.h"

namespace aqueduct::core {

std::string_view job_status_name(JobStatus s) {
  switch (s) {
    case JobStatus::kQueued:
      return "queued";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kSuspending:
      return "suspending";
  }
  return "?";
}

Status validate_job_decision(std::string_view policy, const JobSnapshot& snapshot,
                             const JobDecision& decision) {
  std::unordered_map<std::string_view, const JobObservation*> by_id;
  for (const auto& j : snapshot.jobs) by_id.emplace(j.id, &j);
  auto fail = [&](const std::string& job, const std::string& what) {
    return failed_precondition("job policy \"" + std::string(policy) + "\": job \"" + job + "\" " +
                               what);
  };
  std::unordered_set<std::string_view> seen;
  for (const auto& id : decision.run_order) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return fail(id, "in run_order is not a waiting or running job");
    if (!seen.insert(id).second) return fail(id, "appears twice in run_order");
    if (it->second->gpus > snapshot.total_gpus) {
      return fail(id, "in run_order asks for " + std::to_string(it->second->gpus) +
                          " GPUs; the cluster has " + std::to_string(snapshot.total_gpus));
    }
  }
  seen.clear();
  for (const auto& id : decision.preempt) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return fail(id, "in preempt is not a waiting or running job");
    if (!seen.insert(id).second) return fail(id, "appears twice in preempt");
    if (it->second->status != JobStatus::kRunning) {
      return fail(id, "in preempt is " + std::string(job_status_name(it->second->status)) +
                          ", not running");
    }
  }
  std::unordered_set<std::string_view> preempted(decision.preempt.begin(), decision.preempt.end());
  for (const auto& [id, type] : decision.gpu_type) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return fail(id, "in gpu_type is not a waiting or running job");
    const JobObservation& j = *it->second;
    const GpuTypeCapacity* cap = nullptr;
    for (const auto& t : snapshot.gpu_types) {
      if (t.name == type) cap = &t;
    }
    if (cap == nullptr) {
      std::string have;
      for (const auto& t : snapshot.gpu_types) have += (have.empty() ? "" : ", ") + t.name;
      return fail(id, "is given GPU type \"" + type + "\", which no node has (the cluster has: " +
                          (have.empty() ? "no typed nodes" : have) + ")");
    }
    if (j.gpus > cap->total) {
      return fail(id, "asks for " + std::to_string(j.gpus) + " GPUs; GPU type \"" + type +
                          "\" has " + std::to_string(cap->total));
    }
    if (j.status == JobStatus::kRunning && !preempted.contains(j.id) && j.gpu_type != type) {
      return fail(id, "runs on GPU type \"" + j.gpu_type + "\" and is given \"" + type +
                          "\": preempt it to move it");
    }
  }
  if (!decision.cache_bytes.empty()) {
    auto fail_ds = [&](const std::string& ds, const std::string& what) {
      return failed_precondition("job policy \"" + std::string(policy) + "\": dataset \"" + ds +
                                 "\" " + what);
    };
    std::int64_t total = 0;
    for (const auto& d : snapshot.datasets) {
      auto it = decision.cache_bytes.find(d.dataset);
      total += it == decision.cache_bytes.end() ? d.cache_bytes : it->second;
    }
    for (const auto& [ds, bytes] : decision.cache_bytes) {
      bool known = false;
      for (const auto& d : snapshot.datasets) known = known || d.dataset == ds;
      if (!known) {
        std::string have;
        for (const auto& d : snapshot.datasets) have += (have.empty() ? "" : ", ") + d.dataset;
        return fail_ds(ds, "in cache_bytes has no cache (datasets with one: " +
                               (have.empty() ? "none" : have) + ")");
      }
      if (bytes < 0)
        return fail_ds(ds, "in cache_bytes is given " + std::to_string(bytes) + " bytes");
    }
    if (total > snapshot.cache_budget_bytes) {
      return failed_precondition("job policy \"" + std::string(policy) +
                                 "\": cache_bytes give the datasets " + std::to_string(total) +
                                 " bytes in all; the cluster's cache budget is " +
                                 std::to_string(snapshot.cache_budget_bytes));
    }
  }
  if (decision.wake_at && *decision.wake_at < snapshot.now) {
    return failed_precondition("job policy \"" + std::string(policy) +
                               "\": wake_at is in the past");
  }
  return Status::ok();
}

JobDecision decision_from_priority(const JobSnapshot& snapshot, const std::vector<int>& order,
                                   bool preemptive) {
  JobDecision d;
  if (!preemptive) {
    for (int i : order) {
      // A job larger than the cluster can never run: it stays queued.
      if (snapshot.jobs[i].gpus <= snapshot.total_gpus) d.run_order.push_back(snapshot.jobs[i].id);
    }
    return d;
  }
  double room = snapshot.total_gpus;
  for (const auto& j : snapshot.jobs) {
    if (j.status == JobStatus::kSuspending) room -= j.gpus;
  }
  std::vector<bool> keep(snapshot.jobs.size(), false);
  for (int i : order) {
    const auto& j = snapshot.jobs[i];
    if (j.status == JobStatus::kSuspending || j.gpus > room) continue;
    room -= j.gpus;
    keep[i] = true;
    d.run_order.push_back(j.id);
  }
  for (std::size_t i = 0; i < snapshot.jobs.size(); ++i) {
    if (snapshot.jobs[i].status == JobStatus::kRunning && !keep[i]) {
      d.preempt.push_back(snapshot.jobs[i].id);
    }
  }
  return d;
}

JobPolicyRegistry builtin_job_policies() {
  JobPolicyRegistry r("job policy");
  r.add("fifo", "first in, first out; no preemption (the YARN-CS baseline)",
        [](const JobPolicyArgs& a) { return FifoJobPolicy::create(a); });
  r.add("sjf", "shortest job first by GPU-time, known durations; no preemption",
        [](const JobPolicyArgs& a) { return ShortestJobPolicy::create(a, false); });
  r.add("srtf", "shortest remaining GPU-time first, known durations; preemptive",
        [](const JobPolicyArgs& a) { return ShortestJobPolicy::create(a, true); });
  r.add("las", "Tiresias' discretized 2D least-attained-service; preemptive, no durations",
        [](const JobPolicyArgs& a) { return TiresiasLasPolicy::create(a); });
  r.add("themis", "Themis-style finish-time fairness; preempts at rounds (leases)",
        [](const JobPolicyArgs& a) { return ThemisPolicy::create(a); });
  r.add("gavel", "Gavel's heterogeneity-aware max-min fairness (an LP) with rounds",
        [](const JobPolicyArgs& a) { return GavelPolicy::create(a); });
  r.add("silod", "SiloD-style joint cache and GPU allocation from jobs' I/O demand",
        [](const JobPolicyArgs& a) { return SiloDPolicy::create(a); });
  return r;
}

}  // namespace aqueduct::core
