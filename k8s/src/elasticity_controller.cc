#include "aqueduct/k8s/elasticity_controller.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "aqueduct/core/quantity.h"
#include "aqueduct/k8s/controller_support.h"
#include "aqueduct/k8s/worker_metrics.h"

namespace aqueduct::k8s {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// "4.00GiB", "512MiB", "4Gi", "1073741824" -> bytes; -1 when unreadable.
std::int64_t bytes_of(const Json& v) {
  if (v.is_number()) return v.get<std::int64_t>();
  if (!v.is_string()) return -1;
  std::string s = trim(v.get<std::string>());
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "iB") == 0) s.pop_back();  // GiB -> Gi
  auto q = core::parse_quantity(s);
  return q.ok() ? q->as_int() : -1;
}

// "85.0%" -> 0.85; -1 when absent or unreadable.
double ratio_of(const Json& v) {
  if (!v.is_string()) return -1;
  std::string s = trim(v.get<std::string>());
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  try {
    std::size_t used = 0;
    double x = std::stod(s, &used);
    if (used != s.size()) return -1;
    return percent ? x / 100 : x;
  } catch (...) {
    return -1;
  }
}

std::int64_t int_at(const Json& o, const char* a, const char* b) {
  if (!o.contains(a) || !o[a].is_object() || !o[a].contains(b) || !o[a][b].is_number_integer())
    return 0;
  return o[a][b].get<std::int64_t>();
}

// Percent-encodes everything but unreserved characters (a query value).
std::string query_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

core::Result<core::AutoscalerArgs> parse_autoscaler_args(const std::string& text) {
  core::AutoscalerArgs out;
  const char sep = text.find(';') != std::string::npos ? ';' : ',';
  std::stringstream ss(text);
  for (std::string piece; std::getline(ss, piece, sep);) {
    piece = trim(piece);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    if (eq == std::string::npos || eq == 0) {
      return core::invalid_argument(std::string(kAutoscalerArgsAnnotation) + ": \"" + piece +
                                    "\": expected key=value");
    }
    out[trim(piece.substr(0, eq))] = trim(piece.substr(eq + 1));
  }
  return out;
}

core::RuntimeMetrics runtime_metrics_from(const Json& rt, core::Time now) {
  core::RuntimeMetrics m;
  m.now = now;
  m.replicas = static_cast<std::int32_t>(int_at(rt, "spec", "replicas"));
  const Json status = rt.value("status", Json::object());
  m.ready_replicas = static_cast<std::int32_t>(int_at(rt, "status", "workerNumberReady"));
  const Json cache = status.value("cacheStates", Json::object());
  if (cache.is_object()) {
    if (auto c = bytes_of(cache.value("cacheCapacity", Json())); c >= 0) m.capacity_bytes = c;
    if (auto u = bytes_of(cache.value("cached", Json())); u >= 0) m.used_bytes = u;
    m.hit_ratio = ratio_of(cache.value("cacheHitRatio", Json()));
  }
  if (m.ready_replicas > 0 && m.capacity_bytes > 0)
    m.worker_capacity_bytes = m.capacity_bytes / m.ready_replicas;
  return m;
}

ElasticityController::ElasticityController(ApiClient& client,
                                           std::vector<std::string> runtime_kinds,
                                           std::chrono::milliseconds period)
    : client_(client),
      sink_(client, runtime_kinds),
      period_(period),
      registry_(core::builtin_autoscalers()) {
  for (const auto& kind : runtime_kinds) {
    if (auto rt = resources::runtime(kind); rt.ok())
      runtimes_.emplace_back(kind, std::make_unique<Informer>(client, rt->collection()));
  }
}

ElasticityController::~ElasticityController() {
  stop();
  stop_informers();
}

void ElasticityController::start_informers() {
  for (auto& [k, i] : runtimes_) i->start();
}
void ElasticityController::stop_informers() {
  for (auto& [k, i] : runtimes_) i->stop();
}
bool ElasticityController::wait_synced(std::chrono::milliseconds timeout) {
  bool ok = true;
  for (auto& [k, i] : runtimes_) ok = ok && i->wait_synced(timeout);
  return ok;
}

void ElasticityController::start() {
  std::lock_guard lock(run_mu_);
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] {
    std::unique_lock lock(run_mu_);
    while (running_) {
      lock.unlock();
      tick(policy_time_now());
      lock.lock();
      cv_.wait_for(lock, period_, [this] { return !running_; });
    }
  });
}

void ElasticityController::stop() {
  {
    std::lock_guard lock(run_mu_);
    running_ = false;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void ElasticityController::refresh_cache_states(Json& rt) {
  const Json status = rt.value("status", Json::object());
  const std::string selector = status.is_object() ? status.value("selector", "") : "";
  if (selector.empty()) return;  // the runtime controller has not rendered it yet
  const std::string ns = rt["metadata"].value("namespace", "");
  auto pods =
      client_.get(resources::pods().collection(ns) + "?labelSelector=" + query_escape(selector));
  if (!pods.ok()) return;
  std::vector<Json> items;
  for (const auto& p : pods->value("items", Json::array())) items.push_back(p);
  Json states = cache_states_from_workers(items, scrape_timeout_);
  if (status.value("cacheStates", Json()) == states) return;
  auto r = client_.patch(
      resources::runtime("AqueductRuntime")->object(ns, rt["metadata"].value("name", ""), "status"),
      Json{{"status", {{"cacheStates", states}}}});
  if (r.ok()) rt["status"]["cacheStates"] = states;
}

void ElasticityController::tick(core::Time now) {
  std::lock_guard lock(mu_);
  std::map<std::string, Policy> kept;
  for (auto& [kind, informer] : runtimes_) {
    for (auto [key, rt] : informer->snapshot()) {
      if (kind == "AqueductRuntime") refresh_cache_states(rt);
      const Json ann = rt["metadata"].value("annotations", Json::object());
      if (!ann.is_object() || !ann.contains(kAutoscalerAnnotation)) continue;
      const std::string name = ann.value(kAutoscalerAnnotation, "");
      const std::string args_text = ann.value(kAutoscalerArgsAnnotation, "");
      const std::string id = kind + "/" + key;
      const std::string spec = name + "\n" + args_text;
      Policy policy;
      if (auto it = policies_.find(id); it != policies_.end() && it->second.spec == spec) {
        policy = std::move(it->second);  // keeps its history (stabilization windows)
      } else {
        policy.spec = spec;
        auto args = parse_autoscaler_args(args_text);
        auto made = args.ok() ? registry_.create(name, *args)
                              : core::Result<std::unique_ptr<core::Autoscaler>>(args.status());
        if (made.ok()) {
          policy.autoscaler = std::move(*made);
        } else {
          record_event(
              client_, rt, kind, "Warning", "InvalidAutoscaler",
              std::string(kAutoscalerAnnotation) + "=" + name + ": " + made.status().message());
        }
      }
      if (policy.autoscaler) {
        const core::RuntimeMetrics m = runtime_metrics_from(rt, now);
        const core::ScaleDecision d = policy.autoscaler->decide(m);
        if (d.replicas != m.replicas) {
          core::Status st = sink_.scale_runtime(key, d.replicas);
          if (st.is_ok()) {
            ++scalings_;
            record_event(client_, rt, kind, "Normal", "Scaled",
                         std::string(policy.autoscaler->name()) + ": " +
                             std::to_string(m.replicas) + " -> " + std::to_string(d.replicas) +
                             " workers (" + d.reason + ")");
          } else {
            record_event(client_, rt, kind, "Warning", "ScaleFailed", st.message());
          }
        }
      }
      kept[id] = std::move(policy);
    }
  }
  policies_ = std::move(kept);  // runtimes gone or opted out drop their policy
}

}  // namespace aqueduct::k8s
