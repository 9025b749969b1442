// Job-level policies in the simulated cluster: the snapshot a core::JobPolicy
// sees, its decisions applied (preemption with checkpoint and restart costs,
// then gang placement in the policy's order), rounds and wake-ups.
// docs/job-policies.md.
#include <cstdio>
#include <unordered_map>

#include "cluster_run_impl.h"

namespace aqueduct::sim::detail {

core::JobSnapshot ClusterRun::job_snapshot() const {
  core::JobSnapshot s;
  s.now = sim_.now();
  s.trigger = trigger_;
  s.total_gpus = static_cast<double>(total_gpu_milli_) / 1000.0;
  s.free_gpus = s.total_gpus;
  s.jobs.reserve(active_.size());
  for (int j : active_) {
    const JobState& st = jobs_[j];
    const JobSpec& js = workload_.jobs[j];
    core::JobObservation o;
    o.id = js.id;
    o.status = st.phase == Phase::kPending      ? core::JobStatus::kQueued
               : st.phase == Phase::kSuspending ? core::JobStatus::kSuspending
                                                : core::JobStatus::kRunning;
    o.arrival = js.arrival;
    o.gpus = js.gpus;
    o.pods = js.pods;
    if (js.dataset >= 0) o.dataset = core::object_key(spec_.fluid.datasets[js.dataset].meta);
    const double held = st.held_since.count() >= 0 ? core::to_seconds(s.now - st.held_since) : 0;
    o.attained_gpu_s = st.attained_gpu_s + held * js.gpus;
    o.executed_s = st.executed_s + held;
    if (o.status != core::JobStatus::kQueued) s.free_gpus -= js.gpus;
    if (js.dataset < 0) {
      const double total = core::to_seconds(js.compute_duration);
      o.duration_s = total;
      double left = st.work_left_ref_s < 0 ? total : st.work_left_ref_s;
      if (st.finish_timer) left -= core::to_seconds(s.now - st.work_since) * st.speed;
      o.progress = total > 0 ? std::clamp(1 - left / total, 0.0, 1.0) : 0;
    } else {
      const double bytes =
          static_cast<double>(dataset_sizes_[static_cast<std::size_t>(js.dataset)]) *
          static_cast<double>(js.epochs);
      if (js.compute_rate > 0) o.duration_s = bytes / js.compute_rate;
      o.io_demand_bps = js.compute_rate;
      if (st.reader >= 0 && bytes > 0) {
        o.progress = std::min(1.0, static_cast<double>(readers_[st.reader].consumed) / bytes);
      }
    }
    o.queued_since_s = core::to_seconds(st.queued_since);
    o.preemptions = st.preemptions;
    s.jobs.push_back(std::move(o));
  }
  return s;
}

void ClusterRun::fail_run(core::Status st) {
  if (!failure_.is_ok()) return;
  failure_ = std::move(st);
  finished_ = true;
  sim_.stop();
}

void ClusterRun::job_policy_pass() {
  if (!failure_.is_ok()) return;
  const core::Time now = sim_.now();
  const std::string at = "at t=" + core::format_duration(now);
  core::JobSnapshot snap = job_snapshot();
  auto decided = job_policy_->decide(snap);
  if (!decided.ok()) {
    fail_run(decided.status().with_context("job policy \"" + std::string(job_policy_->name()) +
                                           "\" " + at));
    return;
  }
  core::Status valid = core::validate_job_decision(job_policy_->name(), snap, *decided);
  if (!valid.is_ok()) {
    fail_run(valid.with_context(at));
    return;
  }
  std::unordered_map<std::string_view, int> index;
  for (int j : active_) {
    index.emplace(workload_.jobs[j].id, j);
    const JobSpec& js = workload_.jobs[j];
    if (jobs_[j].phase == Phase::kPending && js.gpus > snap.total_gpus) {
      char text[96];
      std::snprintf(text, sizeof text, "asks for %g GPUs; the cluster has %g", js.gpus,
                    snap.total_gpus);
      jobs_[j].reason = text;
    }
  }
  for (const auto& id : decided->preempt) {
    preempt_job(index.at(id));
    if (!failure_.is_ok()) return;
  }
  std::int64_t free_milli = 0;
  for (const auto& info : infos_) free_milli += info.free().gpu_milli;
  for (const auto& id : decided->run_order) {
    const int j = index.at(id);
    if (jobs_[j].phase != Phase::kPending) continue;
    const JobSpec& js = workload_.jobs[j];
    const auto want = static_cast<std::int64_t>(std::llround(js.gpus * 1000));
    if (want > free_milli) {  // fits nowhere now
      if (decided->in_order) break;
      continue;
    }
    if (!place_and_start(j)) {
      if (decided->in_order) break;
      continue;
    }
    free_milli -= want;
  }
  if (job_wake_) sim_.cancel(job_wake_);
  job_wake_ = core::TimerId{};
  if (decided->wake_at && *decided->wake_at > now) {
    job_wake_ = sim_.schedule_at(*decided->wake_at, [this] {
      job_wake_ = core::TimerId{};
      trigger_ = core::JobSnapshot::Trigger::kWake;
      request_scheduling();
    });
  }
}

void ClusterRun::preempt_job(int j) {
  JobState& st = jobs_[j];
  const JobSpec& js = workload_.jobs[j];
  if (js.dataset >= 0 && spec_.cache.fidelity == "analytical") {
    fail_run(core::failed_precondition(
        "job policy \"" + std::string(job_policy_->name()) + "\" preempted job \"" + js.id +
        "\", but cache.fidelity analytical runs whole epochs and cannot pause one: use "
        "cache.fidelity block with a preemptive job policy"));
    return;
  }
  st.phase = Phase::kSuspending;
  ++st.preemptions;
  ++preemptions_;
  if (st.begin_timer) {  // still starting: no work to stop
    sim_.cancel(st.begin_timer);
    st.begin_timer = core::TimerId{};
  }
  if (st.finish_timer) {
    sim_.cancel(st.finish_timer);
    st.finish_timer = core::TimerId{};
    st.work_left_ref_s =
        std::max(0.0, st.work_left_ref_s - core::to_seconds(sim_.now() - st.work_since) * st.speed);
  }
  if (st.reader >= 0) readers_[st.reader].paused = true;
  const core::Duration checkpoint = spec_.policies.jobs.checkpoint;
  st.overhead_s += core::to_seconds(checkpoint);
  if (checkpoint.count() > 0) {
    sim_.schedule_after(checkpoint, [this, j] { end_checkpoint(j); });
  } else {
    end_checkpoint(j);
  }
}

void ClusterRun::end_checkpoint(int j) {
  JobState& st = jobs_[j];
  const double held_s = core::to_seconds(sim_.now() - st.held_since);
  st.attained_gpu_s += held_s * workload_.jobs[j].gpus;
  st.executed_s += held_s;
  st.held_since = core::Time{-1};
  release_pods(j);
  for (auto& p : st.pods) p.node_name.clear();
  st.nodes.clear();
  st.phase = Phase::kPending;
  st.queued_since = sim_.now();
  pending_.insert(std::lower_bound(pending_.begin(), pending_.end(), j), j);
  trigger_ = core::JobSnapshot::Trigger::kCompletion;
  request_scheduling();
}

void ClusterRun::schedule_round() {
  const core::Duration round = spec_.policies.jobs.round;
  if (!job_policy_ || round.count() <= 0) return;
  round_timer_ = sim_.schedule_after(round, [this] {
    round_timer_ = core::TimerId{};
    if (finished_ || done_jobs_ >= static_cast<std::int64_t>(jobs_.size())) return;
    if (!active_.empty()) {
      trigger_ = core::JobSnapshot::Trigger::kRound;
      request_scheduling();
    }
    schedule_round();
  });
}

}  // namespace aqueduct::sim::detail
