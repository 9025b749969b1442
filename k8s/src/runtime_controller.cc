#include "aqueduct/k8s/runtime_controller.h"

#include <algorithm>

#include "aqueduct/k8s/controller_support.h"

#include <openssl/rand.h>

#include <iostream>
#include <set>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/hash.h"
#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/certificates.h"
#include "aqueduct/k8s/leader_election.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct/runtime_adapters/runtime_workloads.h"

namespace aqueduct::k8s {
namespace {

constexpr const char* kRenderHashAnnotation = "aqueduct.io/render-hash";

struct RuntimeKey {
  std::string kind, ns, name;
};

RuntimeKey parse_key(const std::string& key) {
  RuntimeKey k;
  auto a = key.find('/');
  auto b = key.find('/', a + 1);
  k.kind = key.substr(0, a);
  k.ns = key.substr(a + 1, b - a - 1);
  k.name = key.substr(b + 1);
  return k;
}

std::int64_t int_at(const Json& o, const char* a, const char* b) {
  if (!o.is_object() || !o.contains(a) || !o[a].is_object() || !o[a].contains(b) ||
      !o[a][b].is_number())
    return 0;
  return o[a][b].get<std::int64_t>();
}

// Whether a Secret holds `key` (in data as the API server keeps it, or in
// stringData as it was written).
bool has_key(const Json& secret, const std::string& key) {
  for (const char* field : {"data", "stringData"}) {
    auto f = secret.find(field);
    if (f != secret.end() && f->is_object() && f->contains(key)) return true;
  }
  return false;
}

// The workers' mutual-TLS files for the Secret's stringData: a CA made for
// this runtime alone and one certificate for the workers' names.
core::Result<Json> worker_tls_data(const std::vector<std::string>& names) {
  AQ_ASSIGN_OR_RETURN(IssuedTls tls, issue_mutual_tls(names, {}));
  return Json{{"ca.crt", tls.ca_cert_pem}, {"tls.crt", tls.cert_pem}, {"tls.key", tls.key_pem}};
}

// 32 random bytes from the system's CSPRNG, as hex (the workers' token).
core::Result<std::string> random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return core::internal_error("cannot draw a random worker token (OpenSSL RAND_bytes failed)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

RuntimeController::RuntimeController(ApiClient& client, std::vector<std::string> kinds, int workers)
    : client_(client),
      loop_(
          "runtime", workers, [this](const std::string& key) { return reconcile(key); },
          client.log().with_component("controller")) {
  datasets_ = std::make_unique<Informer>(client, resources::datasets().collection());
  // Worker pods of every runtime carry fluid.io/dataset-id.
  workers_pods_ = std::make_unique<Informer>(
      client, resources::pods().collection() + "?labelSelector=fluid.io%2Fdataset-id");
  for (const auto& kind : kinds) {
    auto rt = resources::runtime(kind);
    if (!rt.ok()) continue;
    auto k = std::make_unique<Kind>();
    k->kind = kind;
    k->informer = std::make_unique<Informer>(client, rt->collection());
    Kind* kp = k.get();
    k->informer->add_handler([this, kp](ChangeType, const Json& obj, const Json*) {
      maybe_enable(*kp);
      loop_.enqueue(kp->kind + "/" + key_of(obj));
    });
    kinds_.push_back(std::move(k));
  }
  // A dataset appearing or a worker pod landing on a node touches its runtime.
  auto touch = [this](const std::string& ns, const std::string& name) {
    for (auto& k : kinds_) {
      if (k->enabled && k->informer->get(ns + "/" + name))
        loop_.enqueue(k->kind + "/" + ns + "/" + name);
    }
  };
  if (std::find(kinds.begin(), kinds.end(), "ThinRuntime") != kinds.end()) {
    profiles_ = std::make_unique<Informer>(client, resources::thin_runtime_profiles().collection());
    profiles_->add_handler([this](ChangeType, const Json& obj, const Json*) {
      const std::string name = obj["metadata"].value("name", "");
      for (auto& k : kinds_) {
        if (k->kind != "ThinRuntime" || !k->enabled) continue;
        for (const auto& [key, rt] : k->informer->snapshot()) {
          const Json spec = rt.value("spec", Json::object());
          if (spec.is_object() && spec.value("profileName", "") == name)
            loop_.enqueue(k->kind + "/" + key);
        }
      }
    });
  }
  datasets_->add_handler([touch](ChangeType, const Json& obj, const Json*) {
    const Json& m = obj["metadata"];
    touch(m.value("namespace", ""), m.value("name", ""));
  });
  workers_pods_->add_handler([touch](ChangeType type, const Json& obj, const Json* old) {
    // Only where a worker runs matters (node labels); status churn does not.
    auto node = [](const Json& p) {
      return p.contains("spec") && p["spec"].is_object() ? p["spec"].value("nodeName", "")
                                                         : std::string();
    };
    if (type == ChangeType::kUpdated && old && node(*old) == node(obj)) return;
    const Json& m = obj["metadata"];
    const Json labels = m.value("labels", Json::object());
    if (labels.contains("release")) touch(m.value("namespace", ""), labels.value("release", ""));
  });
}

RuntimeController::~RuntimeController() {
  stop();
  stop_informers();
}

void RuntimeController::maybe_enable(Kind& k) {
  if (!k.enabled.exchange(true)) {
    client_.log().info("the first " + k.kind + " appeared; its controller is on");
  }
}

void RuntimeController::start_informers() {
  datasets_->start();
  workers_pods_->start();
  if (profiles_) profiles_->start();
  for (auto& k : kinds_) k->informer->start();
}

void RuntimeController::stop_informers() {
  datasets_->stop();
  workers_pods_->stop();
  if (profiles_) profiles_->stop();
  for (auto& k : kinds_) k->informer->stop();
}

bool RuntimeController::wait_synced(std::chrono::milliseconds timeout) {
  bool ok = datasets_->wait_synced(timeout) && workers_pods_->wait_synced(timeout);
  if (profiles_) ok = ok && profiles_->wait_synced(timeout);
  for (auto& k : kinds_) ok = ok && k->informer->wait_synced(timeout);
  return ok;
}

void RuntimeController::start() {
  std::vector<std::string> keys;
  for (auto& k : kinds_) {
    auto snap = k->informer->snapshot();
    if (!snap.empty()) maybe_enable(*k);
    for (const auto& [key, obj] : snap) keys.push_back(k->kind + "/" + key);
  }
  loop_.start(keys);
}

void RuntimeController::stop() { loop_.stop(); }

core::Status RuntimeController::label_nodes(const core::Dataset& ds, const core::Runtime& rt) {
  const std::string& ns = ds.meta.namespace_;
  const std::string engine = core::runtime_engine_name(rt.engine);
  const std::string id = ns + "-" + ds.meta.name;
  std::set<std::string> hosts;
  for (const auto& [key, pod] : workers_pods_->snapshot()) {
    const Json& m = pod["metadata"];
    const Json labels = m.value("labels", Json::object());
    if (m.value("namespace", "") != ns || labels.value("fluid.io/dataset-id", "") != id ||
        labels.value("role", "") != engine + "-worker") {
      continue;
    }
    const std::string node = pod.value("spec", Json::object()).value("nodeName", "");
    if (!node.empty()) hosts.insert(node);
  }
  // What one worker caches, per medium, as the capacity labels say it.
  std::int64_t mem = 0, disk = 0;
  for (const auto& t : rt.tiers) (t.medium == core::MediumType::kMem ? mem : disk) += t.quota_bytes;
  const std::string common = core::dataset_label(ns, ds.meta.name);
  auto nodes = client_.get(resources::nodes().collection());
  if (!nodes.ok()) return nodes.status();
  for (const auto& n : (*nodes)["items"]) {
    const Json meta = n.value("metadata", Json::object());
    core::Node before;
    before.meta.name = meta.value("name", "");
    if (auto labels = meta.find("labels"); labels != meta.end() && labels->is_object()) {
      for (auto it = labels->begin(); it != labels->end(); ++it) {
        if (it->is_string()) before.meta.labels[it.key()] = it->get<std::string>();
      }
    }
    const bool want = hosts.count(before.meta.name) > 0;
    if (!want && !before.meta.labels.count(common)) continue;
    core::Node after = before;
    if (want) {
      core::label_node_for_worker(after, ds, rt, mem, disk);
    } else {
      core::unlabel_node_for_worker(after, ds, rt);
    }
    Json changed = Json::object();
    for (const auto& [k, v] : after.meta.labels) {
      auto it = before.meta.labels.find(k);
      if (it == before.meta.labels.end() || it->second != v) changed[k] = v;
    }
    for (const auto& [k, v] : before.meta.labels) {
      if (!after.meta.labels.count(k)) changed[k] = nullptr;
    }
    if (changed.empty()) continue;
    auto r = client_.patch(resources::nodes().object("", before.meta.name),
                           Json{{"metadata", {{"labels", changed}}}});
    if (!r.ok()) return r.status();
    ++node_labels_;
  }
  return core::Status::ok();
}

core::Status RuntimeController::reconcile(const std::string& key) {
  ++reconciles_;
  const RuntimeKey k = parse_key(key);
  Kind* kind = nullptr;
  for (auto& kk : kinds_) {
    if (kk->kind == k.kind) kind = kk.get();
  }
  if (!kind) return core::invalid_argument("no controller for kind " + k.kind);
  auto rt_json = kind->informer->get(k.ns + "/" + k.name);
  if (!rt_json) return core::Status::ok();  // deleted: owner references take its workloads
  auto rt_type = resources::runtime(k.kind);
  const std::string status_path = rt_type->object(k.ns, k.name, "status");
  const std::string now = time_now();
  auto write_status = [&](Json status) -> core::Status {
    // Fluid's runtime status requires these: a status written before the
    // workloads exist (no dataset yet, an unreadable spec) says none are there.
    for (const char* count :
         {"desiredMasterNumberScheduled", "currentMasterNumberScheduled", "masterNumberReady",
          "desiredWorkerNumberScheduled", "currentWorkerNumberScheduled", "workerNumberReady",
          "desiredFuseNumberScheduled", "currentFuseNumberScheduled", "fuseNumberReady"}) {
      if (!status.contains(count)) status[count] = 0;
    }
    for (const char* phase : {"masterPhase", "workerPhase", "fusePhase"}) {
      if (!status.contains(phase)) status[phase] = "NotReady";
    }
    const Json old = rt_json->contains("status") ? (*rt_json)["status"] : Json::object();
    if (same_status(old, status)) return core::Status::ok();
    // cacheStates belong to the elasticity loop (Aqueduct's workers) or the
    // engine; a merge patch without them leaves them as they are.
    status.erase("cacheStates");
    auto r = client_.patch(status_path, Json{{"status", status}});
    if (!r.ok()) return r.status();
    ++status_writes_;
    return core::Status::ok();
  };
  auto condition = [&](const std::string& type, const std::string& st, const std::string& reason,
                       const std::string& msg) {
    return Json{{"type", type},   {"status", st},          {"reason", reason},
                {"message", msg}, {"lastUpdateTime", now}, {"lastTransitionTime", now}};
  };
  Json status = rt_json->contains("status") && (*rt_json)["status"].is_object()
                    ? (*rt_json)["status"]
                    : Json::object();
  auto ds_json = datasets_->get(k.ns + "/" + k.name);
  if (!ds_json) {
    status["conditions"] =
        Json::array({condition("Ready", "False", "DatasetNotFound",
                               "no Dataset named " + k.name + " in namespace " + k.ns)});
    return write_status(status);
  }
  std::vector<std::pair<Json, std::string>> docs = {{*ds_json, "Dataset"}, {*rt_json, k.kind}};
  const Json rt_spec = rt_json->value("spec", Json::object());
  const std::string profile =
      rt_spec.is_object() && rt_spec.contains("profileName") && rt_spec["profileName"].is_string()
          ? rt_spec["profileName"].get<std::string>()
          : "";
  if (k.kind == "ThinRuntime" && !profile.empty()) {
    auto p = profiles_ ? profiles_->get(profile) : std::nullopt;
    if (!p) {
      status["conditions"] =
          Json::array({condition("Ready", "False", "ProfileNotFound",
                                 "spec.profileName: no ThinRuntimeProfile named " + profile)});
      return write_status(status);  // retried when the profile appears
    }
    docs.emplace_back(*p, "ThinRuntimeProfile");
  }
  auto loaded = load_fluid_objects(docs, key);
  if (!loaded.ok() || loaded->datasets.empty() || loaded->runtimes.empty()) {
    const std::string why = loaded.ok() ? "not readable" : loaded.status().message();
    status["conditions"] = Json::array({condition("Ready", "False", "InvalidSpec", why)});
    return write_status(status);  // reported; retried when the objects change
  }
  const core::FluidObjects& objs = *loaded;
  const core::Runtime& rt = objs.runtimes.front();
  const std::string uid = (*rt_json)["metadata"].value("uid", "");
  auto w = runtime_adapters::render_runtime_workloads(objs.datasets.front(), rt, k.kind, uid);
  if (!w.ok()) {
    status["conditions"] =
        Json::array({condition("Ready", "False", "InvalidSpec", w.status().message())});
    return write_status(status);
  }
  // Create what is missing; keep the worker count on spec.replicas; write
  // the rendered spec over one rendered from an older runtime spec (the
  // render's hash, without replicas, is kept in an annotation).
  auto ensure = [&](const ResourceType& type, Json obj,
                    bool follow_replicas) -> core::Result<Json> {
    const std::string name = obj["metadata"]["name"];
    Json hashed = obj["spec"];
    hashed.erase("replicas");
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx",
                  static_cast<unsigned long long>(core::fnv1a64(hashed.dump())));
    obj["metadata"]["annotations"][kRenderHashAnnotation] = hash;
    auto got = client_.get(type.object(k.ns, name));
    if (got.ok()) {
      const Json ann = (*got)["metadata"].value("annotations", Json::object());
      if (ann.value(kRenderHashAnnotation, "") != hash) {
        auto updated = client_.update(type.object(k.ns, name), [&](Json& cur) {
          Json spec = obj["spec"];
          if (cur.contains("spec") && cur["spec"].contains("replicas"))
            spec["replicas"] = cur["spec"]["replicas"];  // the scale path below owns it
          cur["spec"] = spec;
          cur["metadata"]["annotations"][kRenderHashAnnotation] = hash;
          return core::Status::ok();
        });
        if (!updated.ok()) return updated.status();
        ++updated_;
        got = *updated;
      }
      if (follow_replicas &&
          int_at(*got, "spec", "replicas") != obj["spec"]["replicas"].get<std::int64_t>()) {
        auto scaled = client_.patch(type.object(k.ns, name, "scale"),
                                    Json{{"spec", {{"replicas", obj["spec"]["replicas"]}}}});
        if (!scaled.ok()) return scaled.status();
        ++scaled_;
        return client_.get(type.object(k.ns, name));
      }
      return got;
    }
    if (got.status().code() != core::StatusCode::kNotFound) return got.status();
    auto made = client_.create(type.collection(k.ns), obj);
    if (made.ok()) ++created_;
    if (!made.ok() && made.status().code() == core::StatusCode::kAlreadyExists)
      return client_.get(type.object(k.ns, name));
    return made;
  };
  std::int64_t masters_desired = 0, masters_current = 0, masters_ready = 0;
  if (w->master) {
    auto m = ensure(resources::stateful_sets(), *w->master, false);
    if (!m.ok()) return m.status();
    masters_desired = (*w->master)["spec"].value("replicas", 1);
    masters_current = int_at(*m, "status", "replicas");
    masters_ready = int_at(*m, "status", "readyReplicas");
  }
  if (w->worker_token_secret) {
    // Created once with a random token, then left alone: rewriting it would
    // lock out the workers and clients already running with the old one.
    Json secret = *w->worker_token_secret;
    const std::string name = secret["metadata"]["name"];
    auto got = client_.get(resources::secrets().object(k.ns, name));
    if (!got.ok() && got.status().code() == core::StatusCode::kNotFound) {
      AQ_ASSIGN_OR_RETURN(std::string token, random_token());
      AQ_ASSIGN_OR_RETURN(Json tls, worker_tls_data(w->worker_tls_names));
      secret["stringData"] = tls;
      secret["stringData"]["token"] = token;
      auto made = client_.create(resources::secrets().collection(k.ns), secret);
      if (made.ok()) ++created_;
      if (!made.ok() && made.status().code() != core::StatusCode::kAlreadyExists) {
        return made.status();
      }
    } else if (!got.ok()) {
      return got.status();
    } else if (!has_key(*got, "tls.crt")) {
      // A Secret made before the workers used mutual TLS: add the files and
      // keep its token.
      AQ_ASSIGN_OR_RETURN(Json tls, worker_tls_data(w->worker_tls_names));
      auto patched =
          client_.patch(resources::secrets().object(k.ns, name), Json{{"stringData", tls}});
      if (!patched.ok()) return patched.status();
      ++updated_;
    }
  }
  for (const auto& master_service : w->master_services) {
    auto svc = ensure(resources::services(), master_service, false);
    if (!svc.ok()) return svc.status();
  }
  if (w->worker_service) {
    auto svc = ensure(resources::services(), *w->worker_service, false);
    if (!svc.ok()) return svc.status();
  }
  std::int64_t scheduled = 0, ready = 0;
  if (w->worker) {
    auto sts = ensure(resources::stateful_sets(), *w->worker, true);
    if (!sts.ok()) return sts.status();
    scheduled = int_at(*sts, "status", "replicas");
    ready = int_at(*sts, "status", "readyReplicas");
  }
  auto fuse = ensure(resources::daemon_sets(), w->fuse, false);
  if (!fuse.ok()) return fuse.status();
  const std::int64_t fuse_desired = int_at(*fuse, "status", "desiredNumberScheduled");
  const std::int64_t fuse_current = int_at(*fuse, "status", "currentNumberScheduled");
  const std::int64_t fuse_ready = int_at(*fuse, "status", "numberReady");
  // The script the injected FUSE sidecar's post-start hook runs
  // ("<fs_type>-check-mount"): one per namespace and engine, shared by the
  // runtimes of that engine, so it has no owner. Without it a pod with the
  // sidecar would wait in ContainerCreating.
  if (auto tmpl = runtime_adapters::render_fuse_template(objs.datasets.front(), rt); tmpl.ok()) {
    AQ_RETURN_IF_ERROR(ensure_config_map(k.ns, core::check_mount_config_map(k.ns, tmpl->fs_type)));
  }
  // The engine's own ConfigMaps (JuiceFS: the format-and-mount scripts).
  for (const auto& cm : w->config_maps) AQ_RETURN_IF_ERROR(ensure_config_map(k.ns, cm));
  AQ_RETURN_IF_ERROR(label_nodes(objs.datasets.front(), rt));

  const std::int64_t desired = w->worker ? rt.replicas : 0;
  auto phase = [](std::int64_t ready, std::int64_t want) {
    return want == 0 || ready >= want ? "Ready" : ready > 0 ? "PartialReady" : "NotReady";
  };
  // Every field Fluid's runtime status requires, so its CRD takes the status.
  status["desiredMasterNumberScheduled"] = masters_desired;
  status["currentMasterNumberScheduled"] = masters_current;
  status["masterNumberReady"] = masters_ready;
  status["masterPhase"] = phase(masters_ready, masters_desired);
  status["desiredFuseNumberScheduled"] = fuse_desired;
  status["currentFuseNumberScheduled"] = fuse_current;
  status["fuseNumberReady"] = fuse_ready;
  status["selector"] = w->worker_selector;
  status["desiredWorkerNumberScheduled"] = desired;
  status["currentWorkerNumberScheduled"] = scheduled;
  status["workerNumberReady"] = ready;
  status["workerPhase"] = desired == 0       ? "Ready"
                          : ready >= desired ? "Ready"
                          : ready > 0        ? "PartialReady"
                                             : "NotReady";
  status["fusePhase"] = "Ready";  // lazy: it runs where pods need it
  status["conditions"] = Json::array({condition(
      "Ready", ready >= desired ? "True" : "False",
      ready >= desired ? "WorkersReady" : "WorkersStarting",
      std::to_string(ready) + " of " + std::to_string(desired) + " cache workers ready")});
  return write_status(status);
}

core::Status RuntimeController::ensure_config_map(const std::string& ns, const Json& cm) {
  const std::string name = cm["metadata"]["name"];
  auto got = client_.get(resources::config_maps().object(ns, name));
  if (!got.ok() && got.status().code() == core::StatusCode::kNotFound) {
    auto made = client_.create(resources::config_maps().collection(ns), cm);
    if (made.ok()) ++created_;
    if (!made.ok() && made.status().code() != core::StatusCode::kAlreadyExists)
      return made.status();
    return core::Status::ok();
  }
  if (!got.ok()) return got.status();
  if (got->contains("data") && (*got)["data"] == cm["data"]) return core::Status::ok();
  auto put = client_.update(resources::config_maps().object(ns, name), [&](Json& cur) {
    cur["data"] = cm["data"];
    return core::Status::ok();
  });
  if (!put.ok()) return put.status();
  ++updated_;
  return core::Status::ok();
}

RuntimeControllerStats RuntimeController::stats() const {
  RuntimeControllerStats s;
  s.reconciles = reconciles_;
  s.created = created_;
  s.scaled = scaled_;
  s.updated = updated_;
  s.status_writes = status_writes_;
  s.node_labels = node_labels_;
  s.errors = loop_.errors();
  for (const auto& k : kinds_) {
    if (k->enabled) s.enabled_kinds.push_back(k->kind);
  }
  return s;
}

}  // namespace aqueduct::k8s
