#include "aqueduct/sim/pod_run_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "aqueduct/core/quantity.h"
#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {
namespace {

using Annotations = std::map<std::string, std::string>;

const std::string* find(const Annotations& a, const char* key) {
  auto it = a.find(std::string(kPodRunAnnotationPrefix) + key);
  return it == a.end() ? nullptr : &it->second;
}

core::Status bad(const char* key, const std::string& value, const std::string& expected) {
  return core::invalid_argument("annotation " + std::string(kPodRunAnnotationPrefix) + key + " \"" +
                                value + "\": expected " + expected);
}

core::Result<double> number(const Annotations& a, const char* key, double fallback, double min,
                            const std::string& expected) {
  const std::string* v = find(a, key);
  if (!v) return fallback;
  auto q = core::parse_quantity(*v, min < 0);
  if (!q.ok() || q->value < min) return bad(key, *v, expected);
  return q->value;
}

}  // namespace

core::Result<PodRun> model_pod_run(const Annotations& annotations, const core::Node& node,
                                   const PodCacheFacts& cache, const std::string& pod_id,
                                   const PodRunModelSpec& spec) {
  PodRun out;
  for (const auto& [k, v] : annotations) {
    if (k.rfind(kPodRunAnnotationPrefix, 0) == 0) out.described = true;
  }
  const double speed = node.speed_factor > 0 ? node.speed_factor : 1.0;
  double seconds = 0;
  if (const std::string* d = find(annotations, "duration")) {
    auto dur = core::parse_duration(*d);
    if (!dur.ok() || dur->count() < 0) return bad("duration", *d, "a duration like 90s");
    seconds += core::to_seconds(*dur) / speed;
  } else if (!find(annotations, "read")) {
    seconds += core::to_seconds(spec.default_run) / speed;
  }
  AQ_ASSIGN_OR_RETURN(double read, number(annotations, "read", 0, 0, "bytes like 8Gi"));
  AQ_ASSIGN_OR_RETURN(double epochs_d, number(annotations, "epochs", 1, 1, "a whole number >= 1"));
  AQ_ASSIGN_OR_RETURN(double streams_d,
                      number(annotations, "streams", 1, 1, "a whole number >= 1"));
  double rate = 0;
  if (const std::string* r = find(annotations, "compute-rate")) {
    auto bw = core::parse_bandwidth(*r);
    if (!bw.ok()) {
      auto q = core::parse_quantity(*r);  // a bare quantity: bytes per second
      if (!q.ok()) return bad("compute-rate", *r, "bytes per second like 200Mi/s");
      rate = q->value;
    } else {
      rate = *bw;
    }
  }
  if (const std::string* e = find(annotations, "exit-code")) {
    auto q = core::parse_quantity(*e);
    if (!q.ok() || q->value != std::floor(q->value) || q->value > 255)
      return bad("exit-code", *e, "a whole number 0..255");
    out.exit_code = static_cast<int>(q->value);
  }
  if (read > 0 && !cache.has_dataset) {
    return core::invalid_argument("annotation " + std::string(kPodRunAnnotationPrefix) +
                                  "read: the pod mounts no dataset's claim to read from");
  }
  if (read > 0) {
    const double inf = std::numeric_limits<double>::infinity();
    const double nic = node.nic_bandwidth > 0 ? node.nic_bandwidth : inf;
    const double source = std::min(
        {spec.store.per_connection_bandwidth * streams_d, spec.store.aggregate_bandwidth, nic});
    const double local = spec.cache.medium_bandwidth[0];
    const double remote = std::min(local, nic);
    const double compute = rate > 0 ? rate * speed : inf;
    const auto epochs = static_cast<std::int64_t>(epochs_d);
    for (std::int64_t e = 0; e < epochs; ++e) {
      double io = source;
      if (cache.cached_here) {
        io = local;
      } else if (cache.cached_elsewhere || (e > 0 && cache.has_runtime)) {
        io = remote;  // a worker holds it, or kept what the first epoch read
      }
      seconds += read / std::min(io, compute);
    }
  }
  out.run = core::from_seconds(seconds);
  if (node.pod_start_median.count() > 0) {
    double median = core::to_seconds(node.pod_start_median);
    double delay = median;
    if (node.pod_start_sigma > 0) {
      Rng rng = Rng::stream(spec.seed, "sim-nodes/" + pod_id);
      delay = rng.lognormal(std::log(median), node.pod_start_sigma);
    }
    out.start_delay = core::from_seconds(delay);
  }
  return out;
}

}  // namespace aqueduct::sim
