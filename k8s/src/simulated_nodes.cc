#include "aqueduct/k8s/simulated_nodes.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "aqueduct/core/injection/injection_labels.h"
#include "aqueduct/k8s/leader_election.h"

namespace aqueduct::k8s {
namespace {

using Clock = std::chrono::steady_clock;

std::string str(const Json& o, const char* a, const char* b) {
  if (!o.is_object() || !o.contains(a) || !o[a].is_object() || !o[a].contains(b) ||
      !o[a][b].is_string())
    return "";
  return o[a][b].get<std::string>();
}

bool is_sidecar(const std::string& name) {
  return name.rfind(core::labels::kFuseContainerName, 0) == 0 &&
         name != core::labels::kInitFuseContainerName;
}

std::string node_ip(std::size_t i) {
  return "172.31." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
}

std::string pod_ip(std::size_t node, int n) {
  return "10." + std::to_string(64 + node / 256) + "." + std::to_string(node % 256) + "." +
         std::to_string(n % 254 + 1);
}

Json node_conditions(const std::string& now) {
  Json out = Json::array();
  auto add = [&](const char* type, const char* status, const char* reason, const char* msg) {
    out.push_back({{"type", type},
                   {"status", status},
                   {"lastHeartbeatTime", now},
                   {"lastTransitionTime", now},
                   {"reason", reason},
                   {"message", msg}});
  };
  add("MemoryPressure", "False", "KubeletHasSufficientMemory", "simulated");
  add("DiskPressure", "False", "KubeletHasNoDiskPressure", "simulated");
  add("PIDPressure", "False", "KubeletHasSufficientPID", "simulated");
  add("Ready", "True", "KubeletReady", "simulated node (aqueduct sim nodes)");
  return out;
}

}  // namespace

// One pod as this kubelet runs it.
struct SimulatedNodes::PodState {
  enum class Stage { kStarting, kRunning, kAppDone, kDone };
  std::string ns, name, uid, node;
  std::size_t node_index = 0;
  Json pod;  // the latest object seen
  std::vector<std::string> init, apps, sidecars;
  bool batch = false, on_failure = false;
  PodRunPlan plan;
  Stage stage = Stage::kStarting;
  Clock::time_point due{};
  std::string ip, start_time, running_since, app_finished, sidecar_finished;
  int restarts = 0;
  bool sidecar_exit = false;
  bool dirty = true;  // status to write
};

SimulatedNodes::SimulatedNodes(ApiClient& client, std::vector<core::Node> nodes, PodRunModel model,
                               SimulatedNodesConfig config)
    : client_(client), nodes_(std::move(nodes)), model_(std::move(model)), config_(config) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) node_index_[nodes_[i].meta.name] = i;
  pods_ = std::make_unique<Informer>(client_, resources::pods().collection());
  node_informer_ = std::make_unique<Informer>(client_, resources::nodes().collection());
  pods_->add_handler([this](ChangeType type, const Json& o, const Json*) {
    const std::string node = o.contains("spec") ? o["spec"].value("nodeName", "") : "";
    if (!node_index_.count(node)) return;
    std::lock_guard lock(mu_);
    inbox_[key_of(o)] = type == ChangeType::kDeleted ? std::nullopt : std::optional<Json>(o);
    cv_.notify_all();
  });
}

SimulatedNodes::~SimulatedNodes() { stop(); }

std::chrono::steady_clock::duration SimulatedNodes::wall(core::Duration v) const {
  const double s = core::to_seconds(v) / std::max(config_.time_scale, 1e-9);
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

Json SimulatedNodes::node_object(const core::Node& node, std::size_t index) {
  Json labels = Json::object();
  for (const auto& [k, v] : node.meta.labels) labels[k] = v;
  labels["kubernetes.io/hostname"] = node.meta.name;
  labels["kubernetes.io/arch"] = core::arch_name(node.arch);
  labels["kubernetes.io/os"] = "linux";
  labels[kSimulatedNodeLabel] = "true";
  Json taints = Json::array();
  std::set<std::pair<std::string, std::string>> seen;  // the apiserver wants (key, effect) unique
  for (const auto& t : node.taints) {
    if (!seen.insert({t.key, core::taint_effect_name(t.effect)}).second) continue;
    Json tj = {{"key", t.key}, {"effect", core::taint_effect_name(t.effect)}};
    if (!t.value.empty()) tj["value"] = t.value;
    taints.push_back(tj);
  }
  const core::Resources& r = node.allocatable;
  Json alloc = {{"cpu", std::to_string(r.cpu_milli) + "m"},
                {"memory", std::to_string(r.memory_bytes)},
                {"pods", std::to_string(r.pods > 0 ? r.pods : 110)},
                {"ephemeral-storage", "100Gi"}};
  if (r.gpu_milli > 0) alloc["nvidia.com/gpu"] = std::to_string((r.gpu_milli + 999) / 1000);
  const std::string now = time_now();
  Json spec = Json::object();
  if (!taints.empty()) spec["taints"] = taints;
  return Json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata",
               {{"name", node.meta.name},
                {"labels", labels},
                {"annotations", {{"node.alpha.kubernetes.io/ttl", "0"}}}}},
              {"spec", spec},
              {"status",
               {{"capacity", alloc},
                {"allocatable", alloc},
                {"conditions", node_conditions(now)},
                {"addresses", Json::array({{{"type", "InternalIP"}, {"address", node_ip(index)}},
                                           {{"type", "Hostname"}, {"address", node.meta.name}}})},
                {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
                {"nodeInfo",
                 {{"machineID", node.meta.name},
                  {"systemUUID", node.meta.name},
                  {"bootID", node.meta.name},
                  {"kernelVersion", "simulated"},
                  {"osImage", "aqueduct simulated node"},
                  {"containerRuntimeVersion", "aqueduct-sim://1"},
                  {"kubeletVersion", "v1.20.2"},
                  {"kubeProxyVersion", "v1.20.2"},
                  {"operatingSystem", "linux"},
                  {"architecture", core::arch_name(node.arch)}}}}}};
}

core::Status SimulatedNodes::register_nodes() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const core::Node& n = nodes_[i];
    Json obj = node_object(n, i);
    const std::string path = resources::nodes().object("", n.meta.name);
    auto existing = client_.get(path);
    if (existing.ok()) {
      const Json labels = (*existing)["metadata"].value("labels", Json::object());
      if (labels.value(kSimulatedNodeLabel, "") != "true") {
        return core::failed_precondition("node " + n.meta.name +
                                         " exists and is not a simulated node (no " +
                                         std::string(kSimulatedNodeLabel) + "=true label)");
      }
      auto updated = client_.update(path, [&](Json& cur) {
        cur["metadata"]["labels"] = obj["metadata"]["labels"];
        cur["spec"] = obj["spec"];
        return core::Status::ok();
      });
      if (!updated.ok()) return updated.status();
    } else if (existing.status().code() == core::StatusCode::kNotFound) {
      Json create = obj;
      create.erase("status");
      auto made = client_.create(resources::nodes().collection(), create);
      if (!made.ok()) return made.status();
    } else {
      return existing.status();
    }
    auto st = client_.patch(resources::nodes().object("", n.meta.name, "status"),
                            Json{{"status", obj["status"]}});
    if (!st.ok()) return st.status();
    // The apiserver taints new nodes not-ready; a Ready simulated node drops it.
    auto cleared = client_.update(path, [&](Json& cur) {
      if (!cur.contains("spec") || !cur["spec"].contains("taints")) return core::Status::ok();
      Json kept = Json::array();
      for (const auto& t : cur["spec"]["taints"]) {
        const std::string key = t.value("key", "");
        if (key != "node.kubernetes.io/not-ready" && key != "node.kubernetes.io/unreachable")
          kept.push_back(t);
      }
      cur["spec"]["taints"] = kept;
      return core::Status::ok();
    });
    if (!cleared.ok()) return cleared.status();
  }
  return core::Status::ok();
}

void SimulatedNodes::start() {
  {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
  }
  node_informer_->start();
  pods_->start();
  thread_ = std::thread([this] { loop(); });
}

void SimulatedNodes::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  pods_->stop();
  node_informer_->stop();
}

SimulatedNodesStats SimulatedNodes::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::vector<std::string> SimulatedNodes::take_log() {
  std::lock_guard lock(mu_);
  return std::exchange(log_, {});
}

void SimulatedNodes::log(std::string line) {
  std::lock_guard lock(mu_);
  log_.push_back(std::move(line));
}

void SimulatedNodes::heartbeat() {
  const std::string now = time_now();
  for (const auto& n : nodes_) {
    auto r = client_.patch(resources::nodes().object("", n.meta.name, "status"),
                           Json{{"status", {{"conditions", node_conditions(now)}}}},
                           PatchType::kStrategicMerge);
    if (!r.ok()) log("heartbeat of node " + n.meta.name + ": " + r.status().message());
  }
  std::lock_guard lock(mu_);
  ++stats_.heartbeats;
}

void SimulatedNodes::loop() {
  auto next_beat = Clock::now() + config_.heartbeat;
  while (true) {
    std::map<std::string, std::optional<Json>> inbox;
    {
      std::unique_lock lock(mu_);
      auto wake = next_beat;
      for (const auto& [k, p] : pods_state_) {
        if (p->stage != PodState::Stage::kDone &&
            !(p->plan.runs_forever && p->stage == PodState::Stage::kRunning))
          wake = std::min(wake, p->due);
        if (p->dirty) wake = std::min(wake, Clock::now() + std::chrono::milliseconds(200));
      }
      cv_.wait_until(lock, wake, [&] { return stopping_ || !inbox_.empty(); });
      if (stopping_) return;
      inbox.swap(inbox_);
    }
    for (auto& [key, pod] : inbox) on_pod(key, pod ? &*pod : nullptr);
    const auto now = Clock::now();
    std::vector<PodState*> dirty;
    for (auto& [key, p] : pods_state_) {
      advance(*p, now);
      if (p->dirty) dirty.push_back(p.get());
    }
    // Status writes of different pods go out in parallel (one write per pod
    // per round keeps each pod's writes in order).
    const std::size_t lanes = std::min<std::size_t>(8, dirty.size());
    if (lanes <= 1) {
      for (PodState* p : dirty) write_status(*p);
    } else {
      std::vector<std::thread> writers;
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        writers.emplace_back([&, lane] {
          for (std::size_t i = lane; i < dirty.size(); i += lanes) write_status(*dirty[i]);
        });
      }
      for (auto& w : writers) w.join();
    }
    std::erase_if(pods_state_, [](const auto& kv) {
      return kv.second->stage == PodState::Stage::kDone && !kv.second->dirty;
    });
    if (now >= next_beat) {
      heartbeat();
      next_beat = now + config_.heartbeat;
    }
  }
}

void SimulatedNodes::on_pod(const std::string& key, const Json* pod) {
  if (!pod) {
    pods_state_.erase(key);
    return;
  }
  const Json& meta = (*pod)["metadata"];
  const std::string uid = meta.value("uid", "");
  // Deleted gracefully: a kubelet stops the containers, then removes the pod.
  if (meta.contains("deletionTimestamp")) {
    auto st = client_.remove(
        resources::pods().object(meta.value("namespace", ""), meta.value("name", "")) +
        "?gracePeriodSeconds=0");
    if (!st.is_ok()) log("deleting pod " + key + ": " + st.message());
    pods_state_.erase(key);
    std::lock_guard lock(mu_);
    ++stats_.pods_deleted;
    return;
  }
  auto it = pods_state_.find(key);
  if (it != pods_state_.end() && it->second->uid == uid) {
    PodState& p = *it->second;
    p.pod = *pod;
    const Json ann = meta.value("annotations", Json::object());
    if (!p.sidecar_exit && ann.contains(core::labels::kSidecarExit)) p.sidecar_exit = true;
    return;
  }
  const std::string phase = str(*pod, "status", "phase");
  if (phase == "Succeeded" || phase == "Failed") return;  // finished before we started
  auto p = std::make_unique<PodState>();
  p->ns = meta.value("namespace", "");
  p->name = meta.value("name", "");
  p->uid = uid;
  p->node = (*pod)["spec"].value("nodeName", "");
  p->node_index = node_index_.at(p->node);
  p->pod = *pod;
  const Json& spec = (*pod)["spec"];
  const std::string restart = spec.value("restartPolicy", "Always");
  p->batch = restart == "Never" || restart == "OnFailure";
  p->on_failure = restart == "OnFailure";
  for (const auto& c : spec.value("initContainers", Json::array()))
    if (c.is_object()) p->init.push_back(c.value("name", ""));
  for (const auto& c : spec.value("containers", Json::array())) {
    if (!c.is_object()) continue;
    const std::string name = c.value("name", "");
    (is_sidecar(name) ? p->sidecars : p->apps).push_back(name);
  }
  const Json ann = meta.value("annotations", Json::object());
  p->sidecar_exit = ann.contains(core::labels::kSidecarExit);
  // What the model needs: the annotations and where the pod's dataset is cached.
  PodRunRequest req;
  req.pod = pod;
  req.node = &nodes_[p->node_index];
  for (auto a = ann.begin(); a != ann.end(); ++a) {
    if (a.value().is_string()) req.annotations[a.key()] = a.value().get<std::string>();
  }
  std::set<std::string> claims;
  for (const auto& v : spec.value("volumes", Json::array())) {
    if (v.is_object() && v.contains("persistentVolumeClaim") &&
        v["persistentVolumeClaim"].is_object())
      claims.insert(v["persistentVolumeClaim"].value("claimName", ""));
  }
  // Injected pods mount the dataset through their sidecar; injection names it.
  std::stringstream in_use(ann.value(core::labels::kDatasetsInUse, ""));
  for (std::string ds; std::getline(in_use, ds, ',');) {
    if (!ds.empty()) claims.insert(ds);
  }
  req.has_dataset = !claims.empty();
  req.has_runtime = !p->sidecars.empty();
  for (const auto& [nk, node] : node_informer_->snapshot()) {
    const Json labels = node["metadata"].value("labels", Json::object());
    for (const auto& c : claims) {
      if (labels.value("fluid.io/s-" + p->ns + "-" + c, "") != "true") continue;
      req.has_runtime = true;
      (nk == p->node ? req.cached_here : req.cached_elsewhere) = true;
    }
  }
  auto plan = model_(req);
  if (!plan.ok()) {
    // The pod cannot be run as described: it fails, saying why (a kubelet
    // would report a bad container the same way), and the replay goes on.
    log("pod " + key + ": " + plan.status().message());
    p->plan.exit_code = 1;
    p->plan.run = core::Duration(0);
    p->batch = true;
    p->on_failure = false;
    std::lock_guard lock(mu_);
    ++stats_.model_errors;
  } else {
    p->plan = *plan;
    if (!p->batch) p->plan.runs_forever = true;
  }
  p->ip = pod_ip(p->node_index, next_ip_[p->node]++);
  p->start_time = time_now();
  p->due = Clock::now() + wall(p->plan.start_delay);
  p->stage = PodState::Stage::kStarting;
  p->dirty = true;
  pods_state_[key] = std::move(p);
}

void SimulatedNodes::advance(PodState& p, Clock::time_point now) {
  using S = PodState::Stage;
  if (p.stage == S::kStarting && now >= p.due) {
    p.stage = S::kRunning;
    p.running_since = time_now();
    p.due = now + wall(p.plan.run);
    p.dirty = true;
    std::lock_guard lock(mu_);
    ++stats_.pods_started;
  }
  if (p.stage == S::kRunning && !p.plan.runs_forever && now >= p.due) {
    if (p.on_failure && p.plan.exit_code != 0) {
      // OnFailure: the kubelet restarts the failed app container.
      ++p.restarts;
      p.running_since = time_now();
      p.due = now + wall(p.plan.run);
      p.dirty = true;
      std::lock_guard lock(mu_);
      ++stats_.container_restarts;
      return;
    }
    p.stage = S::kAppDone;
    p.app_finished = time_now();
    p.dirty = true;
  }
  if (p.stage == S::kAppDone && (p.sidecars.empty() || p.sidecar_exit)) {
    p.stage = S::kDone;
    if (!p.sidecars.empty()) p.sidecar_finished = time_now();
    p.dirty = true;
    std::lock_guard lock(mu_);
    if (!p.sidecars.empty()) ++stats_.sidecars_ended;
    ++(p.plan.exit_code == 0 ? stats_.pods_succeeded : stats_.pods_failed);
  }
}

void SimulatedNodes::write_status(PodState& p) {
  using S = PodState::Stage;
  const bool started = p.stage != S::kStarting;
  auto terminated = [](int code, const std::string& from, const std::string& to) {
    return Json{{"terminated",
                 {{"exitCode", code},
                  {"reason", code == 0 ? "Completed" : "Error"},
                  {"startedAt", from},
                  {"finishedAt", to}}}};
  };
  auto status_of = [&](const std::string& name, const Json& state, bool ready, int restarts) {
    std::string image;
    for (const auto& c : p.pod["spec"].value("containers", Json::array()))
      if (c.is_object() && c.value("name", "") == name) image = c.value("image", "");
    return Json{{"name", name},
                {"state", state},
                {"ready", ready},
                {"restartCount", restarts},
                {"image", image},
                {"imageID", ""},
                {"containerID", "aqueduct-sim://" + p.uid + "/" + name},
                {"started", state.contains("running")}};
  };
  Json init = Json::array();
  for (const auto& n : p.init) {
    init.push_back(status_of(n,
                             started ? terminated(0, p.start_time, p.running_since)
                                     : Json{{"waiting", {{"reason", "PodInitializing"}}}},
                             started, 0));
  }
  Json containers = Json::array();
  bool all_ready = started;
  for (const auto& n : p.apps) {
    Json state;
    if (!started) {
      state = {{"waiting", {{"reason", "ContainerCreating"}}}};
    } else if (p.stage == S::kRunning) {
      state = {{"running", {{"startedAt", p.running_since}}}};
    } else {
      state = terminated(p.plan.exit_code, p.running_since, p.app_finished);
    }
    const bool ready = state.contains("running");
    all_ready = all_ready && ready;
    containers.push_back(status_of(n, state, ready, p.restarts));
  }
  for (const auto& n : p.sidecars) {
    Json state;
    if (!started) {
      state = {{"waiting", {{"reason", "ContainerCreating"}}}};
    } else if (p.stage == S::kDone) {
      state = terminated(0, p.start_time, p.sidecar_finished);
    } else {
      state = {{"running", {{"startedAt", p.start_time}}}};
    }
    const bool ready = state.contains("running");
    all_ready = all_ready && ready;
    containers.push_back(status_of(n, state, ready, 0));
  }
  std::string phase = "Pending";
  if (p.stage == S::kDone) {
    phase = p.plan.exit_code == 0 ? "Succeeded" : "Failed";
  } else if (started) {
    phase = "Running";
  }
  const std::string now = time_now();
  auto cond = [&](const char* type, bool ok, const char* reason = "") {
    Json c = {{"type", type},
              {"status", ok ? "True" : "False"},
              {"lastProbeTime", nullptr},
              {"lastTransitionTime", now}};
    if (!ok && *reason) c["reason"] = reason;
    return c;
  };
  const char* not_ready = p.stage == S::kDone ? "PodCompleted" : "ContainersNotReady";
  Json status = {{"phase", phase},
                 {"conditions", Json::array({cond("Initialized", started || p.init.empty()),
                                             cond("Ready", all_ready, not_ready),
                                             cond("ContainersReady", all_ready, not_ready),
                                             cond("PodScheduled", true)})},
                 {"hostIP", node_ip(p.node_index)},
                 {"startTime", p.start_time},
                 {"containerStatuses", containers}};
  if (started) {
    status["podIP"] = p.ip;
    status["podIPs"] = Json::array({{{"ip", p.ip}}});
  }
  if (!init.empty()) status["initContainerStatuses"] = init;
  auto r =
      client_.patch(resources::pods().object(p.ns, p.name, "status"), Json{{"status", status}});
  if (r.ok() || r.status().code() == core::StatusCode::kNotFound) {
    p.dirty = false;
    if (!r.ok()) p.stage = S::kDone;  // gone meanwhile
  } else {
    log("status of pod " + p.ns + "/" + p.name + ": " + r.status().message());
  }
}

}  // namespace aqueduct::k8s
