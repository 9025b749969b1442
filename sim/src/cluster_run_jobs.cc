// Job-level policies in the simulated cluster: the snapshot a core::JobPolicy
// sees, its decisions applied (preemption with checkpoint and restart costs,
// then gang placement in the policy's order), rounds and wake-ups.
// docs/job-policies.md.
#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "cluster_run_impl.h"

namespace aqueduct::sim::detail {

double ClusterRun::job_speed_on(int j, std::size_t n) const {
  const auto& by_type = workload_.jobs[j].speed_by_type;
  if (!by_type.empty()) {
    auto label = nodes_[n].meta.labels.find(core::kGpuTypeLabel);
    if (label != nodes_[n].meta.labels.end()) {
      auto it = by_type.find(label->second);
      if (it != by_type.end()) return it->second;
    }
  }
  return nodes_[n].speed_factor;
}

std::string ClusterRun::job_gpu_type(int j) const {
  std::string type;
  for (std::size_t k = 0; k < jobs_[j].nodes.size(); ++k) {
    const auto& labels = nodes_[jobs_[j].nodes[k]].meta.labels;
    auto it = labels.find(core::kGpuTypeLabel);
    const std::string here = it == labels.end() ? "" : it->second;
    if (here.empty() || (k > 0 && here != type)) return "";
    type = here;
  }
  return type;
}

core::JobSnapshot ClusterRun::job_snapshot() const {
  core::JobSnapshot s;
  s.now = sim_.now();
  s.trigger = trigger_;
  s.total_gpus = static_cast<double>(total_gpu_milli_) / 1000.0;
  s.free_gpus = s.total_gpus;
  // GPU types: capacity and free GPUs from the typed nodes; each type's
  // speed factor for jobs without per-type speeds (the fastest pool's).
  std::map<std::string, std::pair<core::GpuTypeCapacity, double>> types;
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    auto it = nodes_[n].meta.labels.find(core::kGpuTypeLabel);
    if (it == nodes_[n].meta.labels.end()) continue;
    auto& [cap, speed] = types[it->second];
    cap.name = it->second;
    cap.total += static_cast<double>(nodes_[n].allocatable.gpu_milli) / 1000.0;
    cap.free += static_cast<double>(infos_[n].free().gpu_milli) / 1000.0;
    speed = std::max(speed, nodes_[n].speed_factor);
  }
  for (const auto& [name, t] : types) s.gpu_types.push_back(t.first);
  // Caches: each dataset's capacity and holdings; the budget is what the
  // runtimes hold as configured, for the workers they have now.
  for (const auto& c : caches_) {
    core::DatasetCacheObservation d;
    d.dataset = core::object_key(spec_.fluid.datasets[c.dataset_id].meta);
    d.size_bytes = dataset_sizes_[c.dataset_id];
    std::int64_t live = 0;
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      ++live;
      d.cache_bytes += w.store.capacity_bytes();
      d.cached_bytes += w.store.dataset_bytes(c.dataset_id);
    }
    s.cache_budget_bytes += c.runtime->worker_quota_bytes() * live;
    if (live > 0 && !c.ring.empty()) {
      // The fullest worker's share of the blocks, under the lowest high
      // watermark, plus a block per level; every worker gets as much.
      std::vector<std::int64_t> owned(c.workers.size(), 0);
      const std::int64_t blocks = block_count(static_cast<int>(c.dataset_id));
      for (std::int64_t b = 0; b < blocks; ++b) {
        const std::int64_t bytes = std::min(c.block_size, d.size_bytes - b * c.block_size);
        owned[c.ring.owner(core::BlockKey{c.dataset_id, static_cast<std::uint64_t>(b)})] += bytes;
      }
      double high = 1.0;
      for (const auto& t : c.runtime->tiers) high = std::min(high, t.high);
      const double most = static_cast<double>(*std::max_element(owned.begin(), owned.end()));
      d.full_bytes = live * (static_cast<std::int64_t>(std::ceil(most / std::max(high, 0.05))) +
                             c.block_size * static_cast<std::int64_t>(c.runtime->tiers.size()));
    }
    s.datasets.push_back(std::move(d));
  }
  std::sort(s.datasets.begin(), s.datasets.end(),
            [](const auto& a, const auto& b) { return a.dataset < b.dataset; });
  s.store_bandwidth_bps = spec_.object_store.aggregate_bandwidth;
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
    if (o.status != core::JobStatus::kQueued) o.gpu_type = job_gpu_type(j);
    for (const auto& [name, t] : types) {
      auto it = js.speed_by_type.find(name);
      o.speed_by_type[name] = it != js.speed_by_type.end() ? it->second : t.second;
    }
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
  if (!decided->cache_bytes.empty()) {
    if (spec_.cache.fidelity == "analytical") {
      fail_run(core::failed_precondition(
          "job policy \"" + std::string(job_policy_->name()) + "\" " + at +
          " sized dataset caches, but cache.fidelity analytical does not model cache "
          "capacity block by block: use cache.fidelity block"));
      return;
    }
    for (auto& c : caches_) {
      auto it =
          decided->cache_bytes.find(core::object_key(spec_.fluid.datasets[c.dataset_id].meta));
      if (it != decided->cache_bytes.end()) set_cache_capacity(c, it->second);
    }
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
    auto pin = decided->gpu_type.find(id);
    if (pin != decided->gpu_type.end()) set_type_pin(j, pin->second);
    if (!place_and_start(j)) {
      if (pin != decided->gpu_type.end()) set_type_pin(j, "");
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
  set_type_pin(j, "");
  for (auto& p : st.pods) p.node_name.clear();
  st.nodes.clear();
  st.phase = Phase::kPending;
  st.queued_since = sim_.now();
  pending_.insert(std::lower_bound(pending_.begin(), pending_.end(), j), j);
  trigger_ = core::JobSnapshot::Trigger::kCompletion;
  request_scheduling();
}

void ClusterRun::set_type_pin(int j, const std::string& type) {
  JobState& st = jobs_[j];
  if (type.empty() && !st.type_pinned) return;
  for (auto& pod : st.pods) {
    if (type.empty()) {
      pod.node_selector.erase(core::kGpuTypeLabel);
    } else {
      pod.node_selector[core::kGpuTypeLabel] = type;
    }
  }
  st.type_pinned = !type.empty();
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
