#include "aqueduct/k8s/worker_metrics.h"

#include <httplib.h>

#include <cstdio>
#include <sstream>

#include "aqueduct/core/quantity.h"

namespace aqueduct::k8s {
namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// "2.00GiB" as Fluid writes sizes.
std::string fluid_bytes(std::int64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%s", v, units[u]);
  return buf;
}

std::string percent(double ratio) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", ratio * 100);
  return buf;
}

bool ready(const Json& pod) {
  for (const auto& c : pod.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.is_object() && c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

int metrics_port(const Json& pod) {
  for (const auto& c : pod.value("spec", Json::object()).value("containers", Json::array())) {
    if (!c.is_object()) continue;
    for (const auto& p : c.value("ports", Json::array())) {
      if (p.is_object() && p.value("name", "") == "metrics") return p.value("containerPort", 0);
    }
  }
  return 0;
}

}  // namespace

core::Result<WorkerMetrics> parse_worker_metrics(const std::string& text) {
  WorkerMetrics m;
  std::istringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string name = line.substr(0, space), value = line.substr(space + 1);
    double v = 0;
    try {
      std::size_t used = 0;
      v = std::stod(value, &used);
      if (used != value.size()) throw std::invalid_argument(value);
    } catch (...) {
      return core::invalid_argument("worker metrics line " + std::to_string(line_no) + ": \"" +
                                    line + "\": expected NAME VALUE");
    }
    if (starts_with(name, "aqueduct_worker_tier_used_bytes")) {
      m.used_bytes += static_cast<std::int64_t>(v);
    } else if (starts_with(name, "aqueduct_worker_tier_capacity_bytes")) {
      m.capacity_bytes += static_cast<std::int64_t>(v);
    } else if (name == "aqueduct_worker_hits_total") {
      m.hits = static_cast<std::uint64_t>(v);
    } else if (name == "aqueduct_worker_misses_total") {
      m.misses = static_cast<std::uint64_t>(v);
    }
  }
  return m;
}

core::Result<WorkerMetrics> scrape_worker(const std::string& host, int port,
                                          std::chrono::milliseconds timeout) {
  httplib::Client cli(host, port);
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout - s);
  cli.set_connection_timeout(s.count(), us.count());
  cli.set_read_timeout(s.count(), us.count());
  auto res = cli.Get("/metrics");
  const std::string where = "worker metrics http://" + host + ":" + std::to_string(port);
  if (!res)
    return core::Status(core::StatusCode::kUnavailable,
                        where + ": " + httplib::to_string(res.error()));
  if (res->status != 200)
    return core::Status(core::StatusCode::kUnavailable,
                        where + ": HTTP " + std::to_string(res->status));
  return parse_worker_metrics(res->body);
}

Json cache_states_from_workers(const std::vector<Json>& worker_pods,
                               std::chrono::milliseconds timeout) {
  WorkerMetrics sum;
  int asked = 0, answered = 0;
  for (const auto& pod : worker_pods) {
    const std::string ip = pod.value("status", Json::object()).value("podIP", "");
    const int port = metrics_port(pod);
    if (!ready(pod) || ip.empty() || port <= 0) continue;
    ++asked;
    auto m = scrape_worker(ip, port, timeout);
    if (!m.ok()) continue;
    ++answered;
    sum.used_bytes += m->used_bytes;
    sum.capacity_bytes += m->capacity_bytes;
    sum.hits += m->hits;
    sum.misses += m->misses;
  }
  Json out = {{"cacheCapacity", fluid_bytes(sum.capacity_bytes)},
              {"cached", fluid_bytes(sum.used_bytes)},
              {"cachedPercentage",
               percent(sum.capacity_bytes > 0 ? static_cast<double>(sum.used_bytes) /
                                                    static_cast<double>(sum.capacity_bytes)
                                              : 0)},
              {"workersReporting", std::to_string(answered) + "/" + std::to_string(asked)}};
  if (sum.hits + sum.misses > 0)
    out["cacheHitRatio"] =
        percent(static_cast<double>(sum.hits) / static_cast<double>(sum.hits + sum.misses));
  return out;
}

}  // namespace aqueduct::k8s
