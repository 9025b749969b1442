#include "aqueduct/k8s/dataset_controller.h"

#include "aqueduct/k8s/controller_support.h"

#include <iostream>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/leader_election.h"
#include "aqueduct/runtime_adapters/dataset_volume.h"

namespace aqueduct::k8s {
namespace {

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  return {key.substr(0, slash), slash == std::string::npos ? "" : key.substr(slash + 1)};
}

}  // namespace

DatasetController::DatasetController(ApiClient& client, std::vector<std::string> runtime_kinds,
                                     int workers, bool only_own)
    : client_(client),
      only_own_(only_own),
      loop_(
          "dataset", workers, [this](const std::string& key) { return reconcile(key); },
          client.log().with_component("controller")) {
  datasets_ = std::make_unique<Informer>(client, resources::datasets().collection());
  for (const auto& kind : runtime_kinds) {
    auto rt = resources::runtime(kind);
    if (!rt.ok()) continue;
    runtimes_.push_back({kind, std::make_unique<Informer>(client, rt->collection())});
  }
  auto enqueue = [this](ChangeType, const Json& obj, const Json*) { loop_.enqueue(key_of(obj)); };
  datasets_->add_handler(enqueue);
  for (auto& r : runtimes_) r.informer->add_handler(enqueue);  // a runtime binds its dataset
}

DatasetController::~DatasetController() {
  stop();
  stop_informers();
}

void DatasetController::start_informers() {
  datasets_->start();
  for (auto& r : runtimes_) r.informer->start();
}

void DatasetController::stop_informers() {
  datasets_->stop();
  for (auto& r : runtimes_) r.informer->stop();
}

bool DatasetController::wait_synced(std::chrono::milliseconds timeout) {
  bool ok = datasets_->wait_synced(timeout);
  for (auto& r : runtimes_) ok = ok && r.informer->wait_synced(timeout);
  return ok;
}

void DatasetController::start() {
  // A fresh start (or a new leader) looks at everything once.
  std::vector<std::string> keys;
  for (const auto& [key, obj] : datasets_->snapshot()) keys.push_back(key);
  loop_.start(keys);
}

void DatasetController::stop() { loop_.stop(); }

std::optional<Json> DatasetController::runtime_for(const std::string& key,
                                                   std::string* kind) const {
  for (const auto& r : runtimes_) {
    if (auto obj = r.informer->get(key)) {
      if (kind) *kind = r.kind;
      return obj;
    }
  }
  return std::nullopt;
}

void DatasetController::event(const Json& dataset, const std::string& type,
                              const std::string& reason, const std::string& message) {
  record_event(client_, dataset, "Dataset", type, reason, message);
}

core::Status DatasetController::write_status(const Json& dataset, Json status) {
  const Json old = dataset.contains("status") ? dataset["status"] : Json::object();
  if (same_status(old, status)) return core::Status::ok();
  const auto [ns, name] = split_key(key_of(dataset));
  auto r =
      client_.patch(resources::datasets().object(ns, name, "status"), Json{{"status", status}});
  if (!r.ok()) return r.status();
  ++status_writes_;
  return core::Status::ok();
}

core::Status DatasetController::reconcile(const std::string& key) {
  ++reconciles_;
  const auto [ns, name] = split_key(key);
  const std::string volume = ns + "-" + name;
  auto ds_json = datasets_->get(key);
  if (!ds_json) {
    // Gone: its claim (owned by it) and its volume go too; alongside Fluid,
    // only those this controller made.
    if (!only_own_) {
      AQ_RETURN_IF_ERROR(client_.remove(resources::persistent_volume_claims().object(ns, name)));
    }
    auto pv = client_.get(resources::persistent_volumes().object("", volume));
    const bool ours = pv.ok() && (*pv)["metadata"]
                                         .value("annotations", Json::object())
                                         .value(runtime_adapters::kManagedByAnnotation, "") ==
                                     runtime_adapters::kManagedBy;
    if (pv.ok() &&
        (*pv)["metadata"].value("labels", Json::object()).value("fluid.io/dataset-id", "") ==
            volume &&
        (ours || !only_own_)) {
      AQ_RETURN_IF_ERROR(client_.remove(resources::persistent_volumes().object("", volume)));
      ++deleted_;
    }
    return core::Status::ok();
  }
  const std::string now = time_now();
  auto condition = [&](const std::string& type, const std::string& st, const std::string& reason,
                       const std::string& message) {
    return Json{{"type", type},       {"status", st},          {"reason", reason},
                {"message", message}, {"lastUpdateTime", now}, {"lastTransitionTime", now}};
  };
  // Read it as the simulator does; a malformed dataset is reported, not retried.
  std::string kind;
  auto rt_json = runtime_for(key, &kind);
  if (!rt_json && only_own_) return core::Status::ok();  // Fluid's dataset: not ours to touch
  std::vector<std::pair<Json, std::string>> docs = {{*ds_json, "Dataset"}};
  if (rt_json) docs.emplace_back(*rt_json, kind);
  auto loaded = load_fluid_objects(docs, "Dataset " + key);
  if (!loaded.ok() || loaded->datasets.empty()) {
    const std::string why = loaded.ok() ? "not a readable Dataset" : loaded.status().message();
    Json status = ds_json->contains("status") ? (*ds_json)["status"] : Json::object();
    const bool changed = status.value("phase", "") != "Failed";
    status["phase"] = "Failed";
    status["conditions"] = Json::array({condition("Ready", "False", "InvalidSpec", why)});
    if (changed) event(*ds_json, "Warning", "InvalidSpec", why);
    return write_status(*ds_json, status);
  }
  const core::FluidObjects& objs = *loaded;
  const core::Dataset& ds = objs.datasets.front();
  Json status = ds_json->contains("status") && (*ds_json)["status"].is_object()
                    ? (*ds_json)["status"]
                    : Json::object();
  if (!rt_json || objs.runtimes.empty()) {
    status["phase"] = "NotBound";
    status.erase("runtimes");
    status["conditions"] = Json::array({condition(
        "Ready", "False", "NoRuntime", "no runtime named " + name + " in namespace " + ns)});
    return write_status(*ds_json, status);
  }
  const core::Runtime& rt = objs.runtimes.front();
  // The volume and the claim; existing ones are kept as they are.
  auto created = [&](const core::Result<Json>& r, const std::string& what) -> core::Status {
    if (r.ok()) {
      ++created_;
      event(*ds_json, "Normal", "Created", "created " + what);
      return core::Status::ok();
    }
    if (r.status().code() == core::StatusCode::kAlreadyExists) return core::Status::ok();
    return r.status();
  };
  const std::string uid = (*ds_json)["metadata"].value("uid", "");
  // The claim first, then the volume pre-bound to it with the claim's UID:
  // the PV controller then binds the pair as soon as the volume appears
  // (runtime_adapters/dataset_volume.h says why).
  auto claim = client_.get(resources::persistent_volume_claims().object(ns, name));
  if (claim.status().code() == core::StatusCode::kNotFound) {
    claim = client_.create(resources::persistent_volume_claims().collection(ns),
                           runtime_adapters::render_dataset_pvc(ds, rt, uid));
    AQ_RETURN_IF_ERROR(created(claim, "PersistentVolumeClaim " + name));
  }
  if (!claim.ok() && claim.status().code() != core::StatusCode::kAlreadyExists)
    return claim.status();
  std::string claim_uid;
  if (claim.ok() && (*claim).contains("metadata") && (*claim)["metadata"].is_object())
    claim_uid = (*claim)["metadata"].value("uid", "");
  if (client_.get(resources::persistent_volumes().object("", volume)).status().code() ==
      core::StatusCode::kNotFound) {
    AQ_RETURN_IF_ERROR(
        created(client_.create(resources::persistent_volumes().collection(),
                               runtime_adapters::render_dataset_pv(ds, rt, claim_uid)),
                "PersistentVolume " + volume));
  }
  status["phase"] = "Bound";
  status["runtimes"] = Json::array({{{"name", name},
                                     {"namespace", ns},
                                     {"category", "Accelerate"},
                                     {"type", core::runtime_engine_name(rt.engine)},
                                     {"masterReplicas", 1}}});
  status["conditions"] = Json::array({condition(
      "Ready", "True", "DatasetReady", "bound to " + kind + " " + name + "; claim " + name)});
  // The cache as its runtime reports it (Fluid shows it on the Dataset too).
  const Json rt_status = rt_json->value("status", Json::object());
  if (rt_status.is_object() && rt_status.contains("cacheStates"))
    status["cacheStates"] = rt_status["cacheStates"];
  return write_status(*ds_json, status);
}

DatasetControllerStats DatasetController::stats() const {
  DatasetControllerStats s;
  s.reconciles = reconciles_;
  s.created = created_;
  s.deleted = deleted_;
  s.status_writes = status_writes_;
  s.errors = loop_.errors();
  return s;
}

}  // namespace aqueduct::k8s
