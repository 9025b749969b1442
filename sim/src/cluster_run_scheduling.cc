#include "cluster_run_impl.h"

namespace aqueduct::sim::detail {

void ClusterRun::arrive(int j) {
  jobs_[j].phase = Phase::kPending;
  jobs_[j].queued_since = sim_.now();
  pending_.push_back(j);
  active_.push_back(j);
  if (spec_.policies.injection == "fluid") inject_fluid(j);
  if (!job_policy_) queue_.add(j, j);
  trigger_ = core::JobSnapshot::Trigger::kArrival;
  request_scheduling();
}

core::Status ClusterRun::prepare_injection() {
  const auto& datasets = spec_.fluid.datasets;
  fuse_templates_.assign(datasets.size(), std::nullopt);
  fuse_template_errors_.assign(datasets.size(), "");
  if (spec_.policies.injection != "fluid") return core::Status::ok();
  for (std::size_t d = 0; d < datasets.size(); ++d) {
    CacheRuntimeSim* c = cache_for(static_cast<int>(d));
    if (!c) continue;
    auto t = runtime_adapters::render_fuse_template(datasets[d], *c->runtime);
    if (t) {
      fuse_templates_[d] = std::move(*t);
    } else {
      fuse_template_errors_[d] = t.status().message();
    }
  }
  // A serverless job needs its dataset's sidecar: say so before the run.
  for (const auto& js : workload_.jobs) {
    if (!js.serverless || js.dataset < 0 || !cache_for(js.dataset)) continue;
    if (!fuse_templates_[js.dataset]) {
      return core::failed_precondition(
          "policies.injection is fluid and job " + js.id + " is serverless, but dataset " +
          core::object_key(datasets[js.dataset].meta) +
          " has no FUSE sidecar: " + fuse_template_errors_[js.dataset]);
    }
  }
  return core::Status::ok();
}

core::DatasetResolver ClusterRun::injection_resolver() {
  std::vector<std::string> keys;
  for (const auto& [name, w] : spec_.policies.tiered_locality.preferred) keys.push_back(name);
  for (const auto& name : spec_.policies.tiered_locality.required) keys.push_back(name);
  return [this, keys](std::string_view ns,
                      std::string_view claim) -> std::optional<core::DatasetBinding> {
    const auto& datasets = spec_.fluid.datasets;
    for (std::size_t d = 0; d < datasets.size(); ++d) {
      const auto& ds = datasets[d];
      if (ds.meta.name != claim || ds.meta.namespace_ != ns) continue;
      core::DatasetBinding b;
      b.mounted.ns = ds.meta.namespace_;
      b.mounted.name = ds.meta.name;
      CacheRuntimeSim* c = cache_for(static_cast<int>(d));
      b.mounted.has_runtime = c != nullptr;
      if (c) {
        std::vector<const core::Node*> worker_nodes;
        for (const auto& w : c->workers) worker_nodes.push_back(&nodes_[w.node]);
        b.mounted.cache_affinity = core::cache_affinity_from_nodes(worker_nodes, keys);
        b.mounted.fuse_node_selector = c->runtime->fuse.node_selector;
        b.fuse = fuse_templates_[d];
        b.fuse_error = fuse_template_errors_[d];
      }
      return b;
    }
    return std::nullopt;
  };
}

void ClusterRun::inject_fluid(int j) {
  // The webhook's own code: the model pod as Kubernetes JSON through
  // core::inject_pod, and the result back into the model.
  core::InjectionOptions opts;
  opts.tiered_locality = spec_.policies.tiered_locality;
  opts.sidecar_mode = spec_.serverless.sidecar_exit == "native" ? core::SidecarMode::kNativeSidecar
                                                                : core::SidecarMode::kContainer;
  auto resolve = injection_resolver();
  for (auto& pod : jobs_[j].pods) {
    auto r = core::inject_pod(core::pod_to_json(pod), resolve, opts, "pod " + pod.meta.name);
    AQ_CHECK(r.ok());  // prepare_injection() rejected the inputs that could fail
    if (r->applied.empty()) continue;
    auto parsed = core::pod_model_from_json(r->pod, "pod " + pod.meta.name);
    AQ_CHECK(parsed.ok());
    core::Pod mutated = std::move(*parsed);
    mutated.owner_kind = pod.owner_kind;
    mutated.owner_name = pod.owner_name;
    mutated.image_arches = pod.image_arches;
    for (auto& c : mutated.containers) {
      for (const auto& old : pod.containers) {
        if (old.name == c.name) c.requests = old.requests, c.limits = old.limits;
      }
    }
    // The sidecar's image must run on the node too.
    for (const auto& name : r->datasets) {
      for (std::size_t d = 0; d < spec_.fluid.datasets.size(); ++d) {
        if (core::object_key(spec_.fluid.datasets[d].meta) != name || !fuse_templates_[d]) continue;
        if (std::find(r->applied.begin(), r->applied.end(), "FuseSidecar") == r->applied.end()) {
          continue;
        }
        const auto& ok = fuse_templates_[d]->arches;
        if (mutated.image_arches.empty()) {
          mutated.image_arches = ok;
        } else {
          std::erase_if(mutated.image_arches, [&](core::Arch a) {
            return std::find(ok.begin(), ok.end(), a) == ok.end();
          });
        }
      }
    }
    AQ_CHECK(patch_pod(core::object_key(pod.meta), mutated).is_ok());
  }
}

void ClusterRun::request_scheduling() {
  if (scheduling_requested_) return;
  scheduling_requested_ = true;
  // One pass after every event at this instant: arrivals at the same second
  // are considered together, in arrival order.
  sim_.schedule_at(sim_.now(), [this] {
    scheduling_requested_ = false;
    schedule_pass();
  });
}

std::vector<std::int64_t> ClusterRun::joint_pass(std::vector<std::int64_t> ready) {
  // Single-pod jobs go to the joint placer; gangs stay with the framework.
  // Keep queue order: the batch is the longest prefix of ready single-pod
  // jobs whose total GPU and CPU requests fit in what is free; the flow then
  // chooses where, not who (min-cost max-flow would otherwise trade old jobs
  // for many small ones).
  std::vector<std::int64_t> rest, batch;
  core::Resources free_total;
  for (const auto& info : infos_) free_total += info.free();
  core::Resources want;
  bool prefix_open = true;
  for (std::int64_t id : ready) {
    if (jobs_[id].pods.size() != 1 || !prefix_open) {
      rest.push_back(id);
      continue;
    }
    core::Resources r = jobs_[id].pods[0].requests();
    if (!free_total.fits(want + r)) {
      prefix_open = false;
      rest.push_back(id);
      continue;
    }
    want += r;
    batch.push_back(id);
  }
  if (batch.empty()) return rest;
  std::vector<const core::Pod*> pods;
  for (std::int64_t id : batch) pods.push_back(&jobs_[id].pods[0]);
  std::vector<scheduler::DatasetSites> sites;
  for (auto& c : caches_) {
    scheduler::DatasetSites ds;
    ds.dataset = c.dataset_id;
    bool has_data = false, busy = false;
    for (const auto& w : c.workers) {
      if (!w.live) continue;
      ds.workers.push_back(w.node);
      has_data = has_data || w.store.used_bytes() > 0;
      busy = busy || w.active_reads > 0;
    }
    ds.movable = !has_data && !busy;
    if (ds.movable) {
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const core::Node& n = nodes_[i];
        if (n.kind != core::NodeKind::kEcs) continue;
        if (!runtime_adapters::engine_supports(c.runtime->engine, n.arch)) continue;
        bool fits = true;
        for (const auto& t : c.runtime->tiers) {
          if (n.cache_capacity_bytes[static_cast<int>(t.medium)] < t.quota_bytes) fits = false;
        }
        bool mine = std::find(ds.workers.begin(), ds.workers.end(), i) != ds.workers.end();
        if (fits &&
            (mine ||
             core::worker_placement_conflict(n, spec_.fluid.datasets[c.dataset_id]).empty())) {
          ds.eligible.push_back(i);
        }
      }
    }
    sites.push_back(std::move(ds));
  }
  scheduler::JointPlacer placer(*scheduler_);
  scheduler::JointResult r = placer.place(*this, pods, sites);
  // Move cold workers first (through the sink), then bind the pods.
  for (std::size_t k = 0; k < r.sites.size(); ++k) {
    CacheRuntimeSim* c = cache_for(static_cast<int>(r.sites[k].dataset));
    std::vector<std::size_t> before = sites[k].workers, after = r.sites[k].workers;
    std::sort(before.begin(), before.end());
    if (before == after) continue;
    std::string key = core::object_key(c->runtime->meta);
    for (std::size_t old : before) {
      if (!std::binary_search(after.begin(), after.end(), old)) {
        AQ_CHECK(remove_cache_worker(key, nodes_[old].meta.name).is_ok());
      }
    }
    for (std::size_t nw : after) {
      if (!std::binary_search(before.begin(), before.end(), nw)) {
        core::Status st = place_cache_worker(key, nodes_[nw].meta.name);
        AQ_CHECK(st.is_ok());
      }
    }
    ++worker_moves_;
  }
  for (std::size_t k = 0; k < batch.size(); ++k) {
    int j = static_cast<int>(batch[k]);
    if (r.pod_nodes[k] == core::kNoNode) {
      rest.push_back(batch[k]);  // the framework gives the reason
      continue;
    }
    AQ_CHECK(
        bind(core::object_key(jobs_[j].pods[0].meta), nodes_[r.pod_nodes[k]].meta.name).is_ok());
    queue_.done(batch[k]);
    std::erase(pending_, j);
    start_job(j);
  }
  std::sort(rest.begin(), rest.end());
  return rest;
}

void ClusterRun::schedule_pass() {
  core::Time now = sim_.now();
  refresh_io();
  if (job_policy_) {
    job_policy_pass();
    return;
  }
  std::vector<std::int64_t> ready = queue_.pop_ready(now);
  if (spec_.policies.placement == "joint") ready = joint_pass(std::move(ready));
  // Jobs identical in shape to one that just failed would fail too: skip them
  // (only when pods carry no per-job affinity that could make them differ).
  std::vector<std::pair<core::Resources, std::int32_t>> failed_shapes;
  const bool shapes_comparable = spec_.policies.injection == "none";
  for (std::int64_t id : ready) {
    int j = static_cast<int>(id);
    const JobSpec& js = workload_.jobs[j];
    bool skip = false;
    for (const auto& [res, pods] : failed_shapes) {
      if (shapes_comparable && pods <= js.pods && js.per_pod.cpu_milli >= res.cpu_milli &&
          js.per_pod.memory_bytes >= res.memory_bytes && js.per_pod.gpu_milli >= res.gpu_milli) {
        skip = true;
      }
    }
    if (skip) {
      queue_.mark_unschedulable(id, now);
      continue;
    }
    if (!place_and_start(j)) {
      failed_shapes.push_back({js.per_pod, js.pods});
      queue_.mark_unschedulable(id, now);
      continue;
    }
    queue_.done(id);
  }
  // Wake up for backoff expiries and the unschedulable flush.
  if (wakeup_) sim_.cancel(wakeup_);
  wakeup_ = core::TimerId{};
  if (auto t = queue_.next_wakeup()) {
    wakeup_ = sim_.schedule_at(*t, [this] {
      wakeup_ = core::TimerId{};
      request_scheduling();
    });
  }
}

bool ClusterRun::place_and_start(int j) {
  std::vector<const core::Pod*> pods;
  for (const auto& p : jobs_[j].pods) pods.push_back(&p);
  scheduler::GangDecision d = scheduler_->place(*this, pods);
  if (!d.placed) {
    jobs_[j].reason = d.reason;
    return false;
  }
  AQ_CHECK(scheduler_->bind(*this, *this, pods, d).is_ok());
  std::erase(pending_, j);
  start_job(j);
  return true;
}

int ClusterRun::find_pod(std::string_view key, int* pod_index) const {
  auto it = pod_index_.find(std::string(key));
  if (it == pod_index_.end()) return -1;
  if (jobs_[it->second.first].phase != Phase::kPending) return -1;
  *pod_index = it->second.second;
  return it->second.first;
}

core::Status ClusterRun::bind(std::string_view pod_key, std::string_view node_name) {
  int p = 0;
  int j = find_pod(pod_key, &p);
  if (j < 0) return core::not_found("no pending pod " + std::string(pod_key));
  core::Pod& pod = jobs_[j].pods[p];
  if (!pod.node_name.empty())
    return core::failed_precondition(std::string(pod_key) + " is already bound");
  auto it =
      std::lower_bound(nodes_.begin(), nodes_.end(), node_name,
                       [](const core::Node& n, std::string_view v) { return n.meta.name < v; });
  if (it == nodes_.end() || it->meta.name != node_name) {
    return core::not_found("no node " + std::string(node_name));
  }
  auto i = static_cast<std::size_t>(it - nodes_.begin());
  core::Resources req = pod.requests();
  if (!infos_[i].free().fits(req)) {
    return core::resource_exhausted(std::string(pod_key) + " does not fit on " +
                                    std::string(node_name));
  }
  infos_[i].requested += req;
  ++infos_[i].pod_count;
  infos_[i].pods.push_back(&pod);
  if (!pod.pod_affinity.empty() || !pod.pod_anti_affinity.empty()) ++pods_with_affinity_;
  refresh_page_cache(i);
  pod.node_name = std::string(node_name);
  if (jobs_[j].nodes.size() < jobs_[j].pods.size()) jobs_[j].nodes.resize(jobs_[j].pods.size());
  jobs_[j].nodes[p] = i;
  return core::Status::ok();
}

core::Status ClusterRun::patch_pod(std::string_view pod_key, const core::Pod& mutated) {
  int p = 0;
  int j = find_pod(pod_key, &p);
  if (j < 0) return core::not_found("no pending pod " + std::string(pod_key));
  if (!jobs_[j].pods[p].node_name.empty()) {
    return core::failed_precondition(std::string(pod_key) +
                                     " is bound; only pending pods can be patched");
  }
  core::ObjectMeta meta = jobs_[j].pods[p].meta;
  jobs_[j].pods[p] = mutated;
  jobs_[j].pods[p].meta.name = meta.name;
  jobs_[j].pods[p].meta.namespace_ = meta.namespace_;
  return core::Status::ok();
}

}  // namespace aqueduct::sim::detail
