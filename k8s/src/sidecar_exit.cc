#include "aqueduct/k8s/sidecar_exit.h"

#include "aqueduct/core/injection/injection_labels.h"
#include "aqueduct/k8s/controller_support.h"
#include "aqueduct/k8s/leader_election.h"

namespace aqueduct::k8s {
namespace {

bool is_sidecar(const std::string& name) {
  return name.rfind(core::labels::kFuseContainerName, 0) == 0 &&
         name != core::labels::kInitFuseContainerName;
}

}  // namespace

bool sidecar_exit_due(const Json& pod, std::string* why) {
  if (!pod.is_object() || !pod.contains("spec") || !pod.contains("metadata")) return false;
  const Json& spec = pod["spec"];
  const std::string restart = spec.value("restartPolicy", "Always");
  if (restart != "Never" && restart != "OnFailure") return false;
  const Json ann = pod["metadata"].value("annotations", Json::object());
  if (ann.contains(core::labels::kSidecarExit)) return false;  // asked already
  if (pod["metadata"].contains("deletionTimestamp")) return false;
  bool has_sidecar = false, has_app = false;
  if (!spec.contains("containers") || !spec["containers"].is_array()) return false;
  for (const auto& c : spec["containers"]) {
    if (!c.is_object()) return false;
    (is_sidecar(c.value("name", "")) ? has_sidecar : has_app) = true;
  }
  if (!has_sidecar || !has_app) return false;
  const Json status = pod.value("status", Json::object());
  std::map<std::string, Json> states;
  for (const auto& cs : status.value("containerStatuses", Json::array())) {
    if (!cs.is_object()) continue;
    states[cs.value("name", "")] = cs.value("state", Json::object());
  }
  bool sidecar_running = false;
  std::string ended;
  for (const auto& c : spec["containers"]) {
    const std::string name = c.value("name", "");
    auto it = states.find(name);
    if (is_sidecar(name)) {
      sidecar_running = sidecar_running || (it != states.end() && it->second.contains("running"));
      continue;
    }
    if (it == states.end() || !it->second.contains("terminated")) return false;
    const int code = it->second["terminated"].value("exitCode", 0);
    if (restart == "OnFailure" && code != 0) return false;  // the kubelet restarts it
    ended += (ended.empty() ? "" : ", ") + name + " exited " + std::to_string(code);
  }
  if (!sidecar_running) return false;
  if (why) *why = ended;
  return true;
}

SidecarExitController::SidecarExitController(ApiClient& client, int workers)
    : client_(client),
      loop_(
          "sidecar-exit", workers, [this](const std::string& key) { return reconcile(key); },
          client.log().with_component("controller")) {
  pods_ = std::make_unique<Informer>(
      client,
      resources::pods().collection() + "?labelSelector=done.sidecar.fluid.io%2Finject%3Dtrue");
  pods_->add_handler([this](ChangeType type, const Json& o, const Json*) {
    if (type != ChangeType::kDeleted && sidecar_exit_due(o)) loop_.enqueue(key_of(o));
  });
}

SidecarExitController::~SidecarExitController() {
  stop();
  stop_informers();
}

void SidecarExitController::start_informers() { pods_->start(); }
void SidecarExitController::stop_informers() { pods_->stop(); }
bool SidecarExitController::wait_synced(std::chrono::milliseconds timeout) {
  return pods_->wait_synced(timeout);
}

void SidecarExitController::start() {
  std::vector<std::string> keys;
  for (const auto& [key, pod] : pods_->snapshot()) {
    if (sidecar_exit_due(pod)) keys.push_back(key);
  }
  loop_.start(keys);
}

void SidecarExitController::stop() { loop_.stop(); }

core::Status SidecarExitController::reconcile(const std::string& key) {
  auto pod = pods_->get(key);
  std::string why;
  if (!pod || !sidecar_exit_due(*pod, &why)) return core::Status::ok();
  const Json& meta = (*pod)["metadata"];
  // Guarded by the uid, so a pod replaced under the same name is not touched.
  Json patch = {{"metadata",
                 {{"uid", meta.value("uid", "")},
                  {"annotations", {{core::labels::kSidecarExit, time_now()}}}}}};
  auto r = client_.patch(
      resources::pods().object(meta.value("namespace", ""), meta.value("name", "")), patch);
  if (!r.ok()) {
    if (r.status().code() == core::StatusCode::kNotFound) return core::Status::ok();
    return r.status();
  }
  ++exits_;
  record_event(client_, *pod, "Pod", "Normal", "SidecarExit",
               "app containers ended (" + why + "); asking the FUSE sidecars to exit");
  return core::Status::ok();
}

}  // namespace aqueduct::k8s
