#include "aqueduct/k8s/dataload_controller.h"

#include "aqueduct/k8s/controller_support.h"

#include <algorithm>

#include "aqueduct/core/dataops/cron.h"
#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/k8s/leader_election.h"
#include "aqueduct/runtime_adapters/dataload_job.h"

namespace aqueduct::k8s {
namespace {

const ResourceType& dataloads() { return resources::data_loads(); }

std::string str_at(const Json& o, const char* a, const char* b) {
  if (!o.is_object() || !o.contains(a) || !o[a].is_object() || !o[a].contains(b) ||
      !o[a][b].is_string())
    return "";
  return o[a][b].get<std::string>();
}

// Whole seconds as Go prints a time.Duration ("45s", "1m12s", "2h0m5s").
std::string go_duration(core::Duration d) {
  long long s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 0) s = 0;
  const long long h = s / 3600, m = s / 60 % 60, sec = s % 60;
  if (h > 0) return std::to_string(h) + "h" + std::to_string(m) + "m" + std::to_string(sec) + "s";
  if (m > 0) return std::to_string(m) + "m" + std::to_string(sec) + "s";
  return std::to_string(sec) + "s";
}

}  // namespace

DataLoadController::DataLoadController(ApiClient& client, std::vector<std::string> runtime_kinds,
                                       int workers, bool only_own)
    : client_(client),
      only_own_(only_own),
      loop_(
          "dataload", workers, [this](const std::string& key) { return reconcile(key); },
          client.log().with_component("controller")),
      clock_(policy_time_now) {
  dataloads_ = std::make_unique<Informer>(client, dataloads().collection());
  jobs_ = std::make_unique<Informer>(
      client, resources::jobs().collection() + "?labelSelector=fluid.io%2Fdataload");
  datasets_ = std::make_unique<Informer>(client, resources::datasets().collection());
  for (const auto& kind : runtime_kinds) {
    if (auto rt = resources::runtime(kind); rt.ok()) {
      runtimes_.emplace_back(kind, std::make_unique<Informer>(client, rt->collection()));
    }
  }
  dataloads_->add_handler(
      [this](ChangeType, const Json& o, const Json*) { loop_.enqueue(key_of(o)); });
  jobs_->add_handler([this](ChangeType, const Json& o, const Json*) {
    const std::string ns = str_at(o, "metadata", "namespace");
    const Json labels = o["metadata"].value("labels", Json::object());
    if (labels.contains("fluid.io/dataload"))
      loop_.enqueue(ns + "/" + labels.value("fluid.io/dataload", ""));
  });
  // A dataset becoming Bound releases the DataLoads waiting for it.
  datasets_->add_handler([this](ChangeType, const Json& o, const Json*) {
    const std::string ns = str_at(o, "metadata", "namespace");
    for (const auto& [key, dl] : dataloads_->snapshot()) {
      if (key.rfind(ns + "/", 0) == 0) loop_.enqueue(key);
    }
  });
}

DataLoadController::~DataLoadController() {
  stop();
  stop_informers();
}

void DataLoadController::start_informers() {
  dataloads_->start();
  jobs_->start();
  datasets_->start();
  for (auto& [k, i] : runtimes_) i->start();
}

void DataLoadController::stop_informers() {
  dataloads_->stop();
  jobs_->stop();
  datasets_->stop();
  for (auto& [k, i] : runtimes_) i->stop();
}

bool DataLoadController::wait_synced(std::chrono::milliseconds timeout) {
  bool ok = dataloads_->wait_synced(timeout) && jobs_->wait_synced(timeout) &&
            datasets_->wait_synced(timeout);
  for (auto& [k, i] : runtimes_) ok = ok && i->wait_synced(timeout);
  return ok;
}

void DataLoadController::start() {
  std::vector<std::string> keys;
  for (const auto& [key, obj] : dataloads_->snapshot()) keys.push_back(key);
  loop_.start(keys);
  std::lock_guard lock(tick_mu_);
  if (ticking_) return;
  ticking_ = true;
  // Cron DataLoads are looked at again every tick (their next firing may be due).
  ticker_ = std::thread([this] {
    std::unique_lock lock(tick_mu_);
    while (!tick_cv_.wait_for(lock, cron_tick_, [this] { return !ticking_; })) {
      for (const auto& [key, dl] : dataloads_->snapshot()) {
        if (dl.contains("spec") && dl["spec"].is_object() &&
            dl["spec"].value("policy", "") == "Cron")
          loop_.enqueue(key);
      }
    }
  });
}

void DataLoadController::stop() {
  {
    std::lock_guard lock(tick_mu_);
    ticking_ = false;
    tick_cv_.notify_all();
  }
  if (ticker_.joinable()) ticker_.join();
  loop_.stop();
}

core::Status DataLoadController::reconcile(const std::string& key) {
  auto dl = dataloads_->get(key);
  if (!dl) return core::Status::ok();  // deleted: its Job goes by owner reference
  const std::string ns = str_at(*dl, "metadata", "namespace");
  const std::string name = str_at(*dl, "metadata", "name");
  Json status =
      dl->contains("status") && (*dl)["status"].is_object() ? (*dl)["status"] : Json::object();
  const std::string phase = status.value("phase", "");
  const bool cron = dl->contains("spec") && (*dl)["spec"].is_object() &&
                    (*dl)["spec"].value("policy", "") == "Cron";
  if ((phase == "Complete" || phase == "Failed") && !cron) return core::Status::ok();  // Once: done
  if (only_own_) {
    // Alongside Fluid: only DataLoads of datasets with one of our runtimes.
    const Json spec = dl->value("spec", Json::object());
    const Json ref = spec.is_object() ? spec.value("dataset", Json::object()) : Json::object();
    const std::string ds_ns = ref.is_object() ? ref.value("namespace", ns) : ns;
    const std::string ds_name = ref.is_object() ? ref.value("name", "") : "";
    bool ours = false;
    for (auto& [k, inf] : runtimes_) ours = ours || inf->get(ds_ns + "/" + ds_name).has_value();
    if (!ours) return core::Status::ok();
  }
  const std::string now = time_now();
  auto set_phase = [&](const std::string& p, const std::string& type, const std::string& reason,
                       const std::string& message) -> core::Status {
    if (status.value("phase", "") == p && status.contains("conditions") &&
        !status["conditions"].empty() && status["conditions"][0].value("message", "") == message) {
      return core::Status::ok();
    }
    status["phase"] = p;
    // Fluid's schema requires a duration: "Unfinished" until the load ends.
    if (!status.contains("duration") || !status["duration"].is_string())
      status["duration"] = "Unfinished";
    status["conditions"] = Json::array({{{"type", type},
                                         {"status", "True"},
                                         {"reason", reason},
                                         {"message", message},
                                         {"lastProbeTime", now},
                                         {"lastTransitionTime", now}}});
    auto r = client_.patch(dataloads().object(ns, name, "status"), Json{{"status", status}});
    if (!r.ok()) return r.status();
    record_event(client_, *dl, "DataLoad", p == "Failed" ? "Warning" : "Normal", reason, message);
    return core::Status::ok();
  };
  // Read the DataLoad, its dataset and runtime as the simulator does.
  auto load_obj = load_fluid_objects({{*dl, "DataLoad"}}, "DataLoad " + key);
  if (!load_obj.ok() || load_obj->dataloads.empty()) {
    return set_phase("Failed", "Failed", "InvalidSpec",
                     load_obj.ok() ? "not a readable DataLoad" : load_obj.status().message());
  }
  core::DataLoad load = load_obj->dataloads.front();
  if (load.policy == core::DataLoadPolicy::kOnEvent) {
    return set_phase("Failed", "Failed", "UnsupportedPolicy",
                     "spec.policy OnEvent is not run live (Once and Cron are)");
  }
  std::optional<core::CronSchedule> schedule;
  if (cron) {
    auto parsed = core::parse_cron(load.schedule);
    if (!parsed.ok()) {
      return set_phase("Failed", "Failed", "InvalidSpec",
                       "spec.schedule \"" + load.schedule + "\": " + parsed.status().message());
    }
    schedule = *parsed;
  }
  const std::string ds_ns = load.dataset_namespace.empty() ? ns : load.dataset_namespace;
  auto ds = datasets_->get(ds_ns + "/" + load.dataset_name);
  if (!ds || str_at(*ds, "status", "phase") != "Bound") {
    return set_phase("Pending", "Pending", "DatasetNotBound",
                     "waiting for Dataset " + ds_ns + "/" + load.dataset_name + " to be Bound");
  }
  std::optional<Json> rt;
  std::string kind;
  for (auto& [k, inf] : runtimes_) {
    if (auto r = inf->get(ds_ns + "/" + load.dataset_name)) {
      rt = r;
      kind = k;
    }
  }
  if (!rt) return set_phase("Pending", "Pending", "NoRuntime", "the dataset has no runtime");
  auto loaded = load_fluid_objects({{*ds, "Dataset"}, {*rt, kind}}, key);
  if (!loaded.ok() || loaded->datasets.empty() || loaded->runtimes.empty()) {
    return set_phase("Pending", "Pending", "DatasetNotReadable",
                     "the dataset or its runtime cannot be read");
  }
  const core::FluidObjects& objs = *loaded;
  // The Job: made once; its outcome is the DataLoad's.
  Json job = runtime_adapters::render_dataload_job(
      load, objs.datasets.front(), objs.runtimes.front(), str_at(*dl, "metadata", "uid"));
  if (schedule) return reconcile_cron(*dl, *schedule, std::move(job), status, set_phase);
  const std::string job_name = job["metadata"]["name"];
  auto existing = jobs_->get(ns + "/" + job_name);
  if (!existing) {
    auto got = client_.get(resources::jobs().object(ns, job_name));
    if (got.ok()) {
      existing = *got;
    } else if (got.status().code() == core::StatusCode::kNotFound) {
      auto made = client_.create(resources::jobs().collection(ns), job);
      if (!made.ok() && made.status().code() != core::StatusCode::kAlreadyExists)
        return made.status();
      if (made.ok()) ++jobs_created_;
      return set_phase("Executing", "Executing", "JobCreated", "loading through Job " + job_name);
    } else {
      return got.status();
    }
  }
  const Json js = existing->value("status", Json::object());
  if (js.value("succeeded", 0) >= 1) {
    // As Fluid writes it: the load's run time, "1m12s".
    const auto start = policy_time_from_rfc3339(str_at(*existing, "status", "startTime"));
    const auto end = policy_time_from_rfc3339(str_at(*existing, "status", "completionTime"));
    status["duration"] = start && end ? go_duration(*end - *start) : "Unfinished";
    return set_phase("Complete", "Complete", "JobSucceeded",
                     "Job " + job_name + " loaded the data");
  }
  for (const auto& c : js.value("conditions", Json::array())) {
    if (c.value("type", "") == "Failed" && c.value("status", "") == "True") {
      return set_phase("Failed", "Failed", "JobFailed",
                       "Job " + job_name + " failed: " + c.value("message", ""));
    }
  }
  return set_phase("Executing", "Executing", "JobCreated", "loading through Job " + job_name);
}

core::Status DataLoadController::reconcile_cron(const Json& dl, const core::CronSchedule& schedule,
                                                Json job, Json& status, const SetPhase& set_phase) {
  const std::string ns = str_at(dl, "metadata", "namespace");
  const std::string name = str_at(dl, "metadata", "name");
  const std::string base = job["metadata"]["name"];
  auto job_name = [&](core::Time fire) {
    return base + "-" +
           std::to_string(std::chrono::duration_cast<std::chrono::minutes>(fire).count() +
                          1704067200 / 60);  // unix minutes
  };
  const core::Time now = clock_();
  const std::string last_text = status.value("lastScheduleTime", "");
  auto last = policy_time_from_rfc3339(last_text);
  // 1. The run of the last firing, while it runs and once it ended.
  if (last) {
    const std::string run = job_name(*last);
    auto existing = jobs_->get(ns + "/" + run);
    if (!existing) {
      auto got = client_.get(resources::jobs().object(ns, run));
      if (got.ok())
        existing = *got;
      else if (got.status().code() != core::StatusCode::kNotFound)
        return got.status();
    }
    if (existing) {
      const Json js = existing->value("status", Json::object());
      bool failed = false;
      std::string why;
      for (const auto& c : js.value("conditions", Json::array())) {
        if (c.value("type", "") == "Failed" && c.value("status", "") == "True") {
          failed = true;
          why = c.value("message", "");
        }
      }
      if (js.value("succeeded", 0) >= 1) {
        status["lastSuccessfulTime"] = str_at(*existing, "status", "completionTime");
        AQ_RETURN_IF_ERROR(
            set_phase("Complete", "Complete", "JobSucceeded", "Job " + run + " loaded the data"));
      } else if (failed) {
        AQ_RETURN_IF_ERROR(
            set_phase("Failed", "Failed", "JobFailed", "Job " + run + " failed: " + why));
      } else {
        return set_phase("Executing", "Executing", "JobCreated", "loading through Job " + run);
      }
    }
  }
  // 2. A firing due since: run the latest one (missed ones are not caught up).
  core::Time from = last.value_or(
      policy_time_from_rfc3339(str_at(dl, "metadata", "creationTimestamp")).value_or(now));
  core::Time fire = schedule.next_after(from);
  if (fire > now || fire == core::Time::max()) {
    if (status.value("phase", "").empty()) {
      return set_phase("Pending", "Pending", "WaitingForSchedule",
                       "next run at " + rfc3339_from_policy_time(fire));
    }
    return core::Status::ok();
  }
  for (int i = 0; i < 1000000; ++i) {
    core::Time next = schedule.next_after(fire);
    if (next > now || next == core::Time::max()) break;
    fire = next;
  }
  const std::string run = job_name(fire);
  job["metadata"]["name"] = run;
  job["metadata"]["annotations"] = {
      {"fluid.io/dataload-schedule-time", rfc3339_from_policy_time(fire)}};
  auto made = client_.create(resources::jobs().collection(ns), job);
  if (!made.ok() && made.status().code() != core::StatusCode::kAlreadyExists) return made.status();
  if (made.ok()) ++jobs_created_;
  status["lastScheduleTime"] = rfc3339_from_policy_time(fire);
  AQ_RETURN_IF_ERROR(
      set_phase("Executing", "Executing", "JobCreated",
                "loading through Job " + run + " (run of " + rfc3339_from_policy_time(fire) + ")"));
  // Keep the last 3 runs' Jobs (their pods go with them).
  std::vector<std::string> runs;
  for (const auto& [key, j] : jobs_->snapshot()) {
    const Json labels = j["metadata"].value("labels", Json::object());
    if (str_at(j, "metadata", "namespace") == ns && labels.value("fluid.io/dataload", "") == name &&
        str_at(j, "metadata", "name").rfind(base + "-", 0) == 0)
      runs.push_back(str_at(j, "metadata", "name"));
  }
  runs.push_back(run);
  std::sort(runs.begin(), runs.end());
  runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
  for (std::size_t i = 0; i + 3 < runs.size(); ++i) {
    auto st =
        client_.remove(resources::jobs().object(ns, runs[i]) + "?propagationPolicy=Background");
    if (!st.is_ok()) return st;
  }
  return core::Status::ok();
}

}  // namespace aqueduct::k8s
