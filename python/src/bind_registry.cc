// Policies written in Python: adapters that implement the C++ policy
// interfaces by calling Python objects (taking the GIL for each call), the
// read-only views those calls receive, and the Registry class.
#include <pybind11/stl.h>
#include <cmath>

#include <unordered_map>

#include "aqueduct/core/model/node.h"
#include "py_registry.h"

namespace aqueduct::python {
namespace {

// What a score plugin sees of the pod and the node. Valid during the call only.
struct PodView {
  const scheduler::PodInfo* info;
  const core::ClusterView* view;
};
struct NodeView {
  const core::NodeInfo* info;
};

py::object args_call(const py::object& cls, const std::map<std::string, std::string>& args) {
  if (args.empty()) return cls();
  py::dict d;
  for (const auto& [k, v] : args) d[py::str(k)] = v;
  return cls(d);
}

// Runs `fn` with the GIL; Python errors go to the slot and `fallback` is returned.
template <typename T, typename Fn>
T guarded(ErrorSlot& errors, const std::string& what, T fallback, Fn fn) {
  if (errors.failed) return fallback;
  py::gil_scoped_acquire gil;
  try {
    return fn();
  } catch (py::error_already_set& e) {
    errors.store(e);
  } catch (const py::cast_error&) {
    errors.store_new(PyExc_TypeError, what);
  } catch (const std::exception& e) {
    errors.store_new(PyExc_RuntimeError, what + ": " + e.what());
  }
  return fallback;
}

class PyScorePlugin final : public scheduler::Plugin {
 public:
  PyScorePlugin(std::string name, py::object inst, std::shared_ptr<ErrorSlot> errors)
      : name_(std::move(name)), errors_(std::move(errors)) {
    score_ = std::make_shared<PyHandle>(inst.attr("score"));
    if (py::hasattr(inst, "normalize")) {
      normalize_ = std::make_shared<PyHandle>(inst.attr("normalize"));
    }
    inst_ = std::make_shared<PyHandle>(std::move(inst));
  }
  std::string_view name() const override { return name_; }
  std::uint32_t points() const override { return scheduler::kScore; }
  std::int64_t score(const scheduler::CycleContext& ctx, const scheduler::PodInfo& pod,
                     std::size_t node) override {
    return guarded<std::int64_t>(
        *errors_, "score() of plugin " + name_ + " must return an int", 0, [&] {
          py::object r = score_->obj(PodView{&pod, ctx.view}, NodeView{&ctx.node(node)});
          return r.cast<std::int64_t>();
        });
  }
  void normalize(std::span<std::int64_t> scores) override {
    if (!normalize_) return Plugin::normalize(scores);
    guarded<int>(*errors_,
                 "normalize() of plugin " + name_ + " must return a list of ints, one per node", 0,
                 [&] {
                   py::list in(scores.size());
                   for (std::size_t i = 0; i < scores.size(); ++i) in[i] = scores[i];
                   auto out = normalize_->obj(in).cast<std::vector<std::int64_t>>();
                   if (out.size() != scores.size()) throw py::cast_error("size");
                   std::copy(out.begin(), out.end(), scores.begin());
                   return 0;
                 });
  }

 private:
  std::string name_;
  std::shared_ptr<ErrorSlot> errors_;
  std::shared_ptr<PyHandle> inst_, score_, normalize_;
};

class PyEvictionPolicy final : public core::EvictionPolicy {
 public:
  PyEvictionPolicy(std::string name, py::object inst, std::shared_ptr<ErrorSlot> errors)
      : name_(std::move(name)), errors_(std::move(errors)) {
    on_insert_ = std::make_shared<PyHandle>(inst.attr("on_insert"));
    on_access_ = std::make_shared<PyHandle>(inst.attr("on_access"));
    on_remove_ = std::make_shared<PyHandle>(inst.attr("on_remove"));
    victim_ = std::make_shared<PyHandle>(inst.attr("victim"));
    if (py::hasattr(inst, "set_capacity")) {
      set_capacity_ = std::make_shared<PyHandle>(inst.attr("set_capacity"));
    }
    inst_ = std::make_shared<PyHandle>(std::move(inst));
  }
  std::string_view name() const override { return name_; }
  void set_capacity(std::int64_t bytes) override {
    if (!set_capacity_) return;
    guarded<int>(*errors_, "set_capacity() of " + name_, 0, [&] {
      set_capacity_->obj(bytes);
      return 0;
    });
  }
  void on_insert(const core::BlockKey& key, std::int64_t bytes) override {
    bytes_[key] = bytes;
    guarded<int>(*errors_, "on_insert() of " + name_, 0, [&] {
      on_insert_->obj(py::make_tuple(key.dataset, key.index), bytes);
      return 0;
    });
  }
  std::int64_t on_access(const core::BlockKey& key, std::int64_t new_bytes) override {
    auto it = bytes_.find(key);
    if (it == bytes_.end()) return -1;
    std::int64_t old = it->second;
    if (new_bytes >= 0) it->second = new_bytes;
    guarded<int>(*errors_, "on_access() of " + name_, 0, [&] {
      on_access_->obj(py::make_tuple(key.dataset, key.index));
      return 0;
    });
    return old;
  }
  void on_remove(const core::BlockKey& key, bool evicted) override {
    bytes_.erase(key);
    guarded<int>(*errors_, "on_remove() of " + name_, 0, [&] {
      on_remove_->obj(py::make_tuple(key.dataset, key.index), evicted);
      return 0;
    });
  }
  std::optional<core::BlockKey> victim() override {
    if (bytes_.empty()) return std::nullopt;
    const core::BlockKey any = bytes_.begin()->first;  // only used once the run is stopping
    return guarded<std::optional<core::BlockKey>>(
        *errors_, "victim() of " + name_ + " must return a (dataset, block) tuple", any,
        [&]() -> std::optional<core::BlockKey> {
          auto t = victim_->obj().cast<std::pair<std::uint32_t, std::uint64_t>>();
          core::BlockKey k{t.first, t.second};
          if (!bytes_.count(k)) {
            errors_->store_new(PyExc_ValueError,
                               "victim() of " + name_ + " returned (" + std::to_string(k.dataset) +
                                   ", " + std::to_string(k.index) + "), which is not cached");
            return any;
          }
          return k;
        });
  }
  std::size_t size() const override { return bytes_.size(); }
  std::int64_t bytes_of(const core::BlockKey& key) const override {
    auto it = bytes_.find(key);
    return it == bytes_.end() ? 0 : it->second;
  }

 private:
  std::string name_;
  std::shared_ptr<ErrorSlot> errors_;
  std::unordered_map<core::BlockKey, std::int64_t, core::BlockKeyHash> bytes_;
  std::shared_ptr<PyHandle> inst_, on_insert_, on_access_, on_remove_, victim_, set_capacity_;
};

class PyAutoscaler final : public core::Autoscaler {
 public:
  PyAutoscaler(std::string name, py::object inst, std::shared_ptr<ErrorSlot> errors)
      : name_(std::move(name)), errors_(std::move(errors)) {
    decide_ = std::make_shared<PyHandle>(inst.attr("decide"));
    inst_ = std::make_shared<PyHandle>(std::move(inst));
  }
  std::string_view name() const override { return name_; }
  core::ScaleDecision decide(const core::RuntimeMetrics& m) override {
    core::ScaleDecision keep{m.replicas, "python policy stopped"};
    return guarded<core::ScaleDecision>(
        *errors_, "decide() of " + name_ + " must return an int or (int, str)", keep, [&] {
          py::dict d;
          d["now_s"] = core::to_seconds(m.now);
          d["replicas"] = m.replicas;
          d["ready_replicas"] = m.ready_replicas;
          d["capacity_bytes"] = m.capacity_bytes;
          d["used_bytes"] = m.used_bytes;
          d["dataset_bytes"] = m.dataset_bytes;
          d["worker_capacity_bytes"] = m.worker_capacity_bytes;
          d["hit_ratio"] = m.hit_ratio;
          d["demand_bps"] = m.demand_bps;
          d["shortfall_bps"] = m.shortfall_bps;
          d["active_readers"] = m.active_readers;
          d["worker_cost_per_hour"] = m.worker_cost_per_hour;
          py::object r = decide_->obj(d);
          core::ScaleDecision out;
          if (py::isinstance<py::tuple>(r)) {
            auto t = r.cast<std::pair<std::int32_t, std::string>>();
            out.replicas = t.first;
            out.reason = t.second;
          } else {
            out.replicas = r.cast<std::int32_t>();
            out.reason = name_;
          }
          return out;
        });
  }

 private:
  std::string name_;
  std::shared_ptr<ErrorSlot> errors_;
  std::shared_ptr<PyHandle> inst_, decide_;
};

// A job-level policy: decide(snapshot: dict) -> list of job ids (the run
// order) or {"run_order": [...], "preempt": [...], "wake_at_s": float}.
class PyJobPolicy final : public core::JobPolicy {
 public:
  PyJobPolicy(std::string name, py::object inst, std::shared_ptr<ErrorSlot> errors)
      : name_(std::move(name)), errors_(std::move(errors)) {
    decide_ = std::make_shared<PyHandle>(inst.attr("decide"));
    inst_ = std::make_shared<PyHandle>(std::move(inst));
  }
  std::string_view name() const override { return name_; }
  core::Result<core::JobDecision> decide(const core::JobSnapshot& s) override {
    const std::string what = "decide() of job policy " + name_ +
                             " must return a list of job ids or a dict with run_order, "
                             "preempt (lists of job ids), wake_at_s (a number or None), "
                             "in_order (a bool), gpu_type (a dict of job id to GPU type) and "
                             "cache_bytes (a dict of dataset to bytes)";
    bool ok = false;
    core::JobDecision out = guarded<core::JobDecision>(*errors_, what, {}, [&] {
      py::dict snap;
      snap["now_s"] = core::to_seconds(s.now);
      static constexpr const char* kTriggers[] = {"arrival", "completion", "round", "wake"};
      snap["trigger"] = kTriggers[static_cast<int>(s.trigger)];
      snap["total_gpus"] = s.total_gpus;
      snap["free_gpus"] = s.free_gpus;
      py::list jobs(s.jobs.size());
      for (std::size_t i = 0; i < s.jobs.size(); ++i) {
        const auto& j = s.jobs[i];
        py::dict d;
        d["id"] = j.id;
        d["status"] = std::string(core::job_status_name(j.status));
        d["arrival_s"] = core::to_seconds(j.arrival);
        d["gpus"] = j.gpus;
        d["pods"] = j.pods;
        d["dataset"] = j.dataset;
        d["attained_gpu_s"] = j.attained_gpu_s;
        d["executed_s"] = j.executed_s;
        d["progress"] = j.progress;
        d["duration_s"] = j.duration_s < 0 ? py::object(py::none()) : py::float_(j.duration_s);
        d["queued_since_s"] = j.queued_since_s;
        d["preemptions"] = j.preemptions;
        d["io_demand_bps"] = j.io_demand_bps;
        d["gpu_type"] = j.gpu_type;
        py::dict speeds;
        for (const auto& [type, v] : j.speed_by_type) speeds[py::str(type)] = v;
        d["speed_by_type"] = std::move(speeds);
        jobs[i] = std::move(d);
      }
      snap["jobs"] = std::move(jobs);
      py::list types;
      for (const auto& t : s.gpu_types) {
        py::dict d;
        d["name"] = t.name;
        d["total"] = t.total;
        d["free"] = t.free;
        types.append(std::move(d));
      }
      snap["gpu_types"] = std::move(types);
      py::list datasets;
      for (const auto& c : s.datasets) {
        py::dict d;
        d["dataset"] = c.dataset;
        d["size_bytes"] = c.size_bytes;
        d["cache_bytes"] = c.cache_bytes;
        d["cached_bytes"] = c.cached_bytes;
        d["full_bytes"] = c.full_bytes;
        datasets.append(std::move(d));
      }
      snap["datasets"] = std::move(datasets);
      snap["cache_budget_bytes"] = s.cache_budget_bytes;
      snap["store_bandwidth_bps"] = s.store_bandwidth_bps;
      py::object r = decide_->obj(snap);
      core::JobDecision d;
      if (py::isinstance<py::dict>(r)) {
        py::dict rd = r.cast<py::dict>();
        for (auto item : rd) {
          std::string key = item.first.cast<std::string>();
          if (key != "run_order" && key != "preempt" && key != "wake_at_s" && key != "in_order" &&
              key != "gpu_type" && key != "cache_bytes") {
            throw py::cast_error("key " + key);
          }
        }
        if (rd.contains("run_order"))
          d.run_order = rd["run_order"].cast<std::vector<std::string>>();
        if (rd.contains("preempt")) d.preempt = rd["preempt"].cast<std::vector<std::string>>();
        if (rd.contains("in_order")) d.in_order = rd["in_order"].cast<bool>();
        if (rd.contains("gpu_type")) {
          for (auto [k, v] : rd["gpu_type"].cast<std::map<std::string, std::string>>()) {
            d.gpu_type[k] = v;
          }
        }
        if (rd.contains("cache_bytes")) {
          for (auto [k, v] : rd["cache_bytes"].cast<std::map<std::string, double>>()) {
            if (!(std::fabs(v) < 9e18)) throw py::cast_error("cache_bytes[" + k + "] out of range");
            d.cache_bytes[k] = static_cast<std::int64_t>(std::llround(v));
          }
        }
        if (rd.contains("wake_at_s") && !rd["wake_at_s"].is_none()) {
          d.wake_at = core::from_seconds(rd["wake_at_s"].cast<double>());
        }
      } else if (py::isinstance<py::str>(r)) {
        throw py::cast_error("a string");
      } else {
        d.run_order = r.cast<std::vector<std::string>>();
      }
      ok = true;
      return d;
    });
    if (!ok) return core::failed_precondition("the Python policy raised (see the exception)");
    return out;
  }

 private:
  std::string name_;
  std::shared_ptr<ErrorSlot> errors_;
  std::shared_ptr<PyHandle> inst_, decide_;
};

// Instantiates a Python class (or calls a factory) with the GIL; a raise is a
// Status for the registry, with the exception kept in the slot.
template <typename Adapter, typename Base>
core::Result<std::unique_ptr<Base>> make_adapter(const std::shared_ptr<PyHandle>& cls,
                                                 const std::string& name,
                                                 const std::map<std::string, std::string>& args,
                                                 const std::shared_ptr<ErrorSlot>& errors) {
  py::gil_scoped_acquire gil;
  try {
    py::object inst = args_call(cls->obj, args);
    return std::unique_ptr<Base>(new Adapter(name, std::move(inst), errors));
  } catch (py::error_already_set& e) {
    std::string msg = e.what();
    errors->store(e);
    return core::invalid_argument("creating " + name + " raised: " + msg);
  }
}

py::list describe(const std::vector<std::string>& names,
                  const std::function<std::string(const std::string&)>& desc) {
  py::list out;
  for (const auto& n : names) {
    py::dict d;
    d["name"] = n;
    d["description"] = desc(n);
    out.append(d);
  }
  return out;
}

void require_method(const py::object& cls, const char* method, const std::string& what) {
  if (!py::hasattr(cls, method)) {
    throw py::type_error(what + " must define " + method + "()");
  }
}

}  // namespace

void bind_registry(py::module_& m) {
  py::class_<PodView>(m, "PodView", "The pod being scheduled (valid during the call only).")
      .def_property_readonly("name", [](const PodView& p) { return p.info->pod->meta.name; })
      .def_property_readonly("namespace",
                             [](const PodView& p) { return p.info->pod->meta.namespace_; })
      .def_property_readonly("labels", [](const PodView& p) { return p.info->pod->meta.labels; })
      .def_property_readonly("cpu_milli",
                             [](const PodView& p) { return p.info->requests.cpu_milli; })
      .def_property_readonly("memory_bytes",
                             [](const PodView& p) { return p.info->requests.memory_bytes; })
      .def_property_readonly("gpu_milli",
                             [](const PodView& p) { return p.info->requests.gpu_milli; })
      .def_property_readonly("datasets", [](const PodView& p) {
        std::vector<std::string> out;
        auto ds = p.view->datasets();
        for (auto i : p.info->datasets)
          out.push_back(ds[i].meta.namespace_ + "/" + ds[i].meta.name);
        return out;
      });
  py::class_<NodeView>(m, "NodeView", "A candidate node (valid during the call only).")
      .def_property_readonly("name", [](const NodeView& n) { return n.info->node->meta.name; })
      .def_property_readonly("labels", [](const NodeView& n) { return n.info->node->meta.labels; })
      .def_property_readonly("arch",
                             [](const NodeView& n) { return core::arch_name(n.info->node->arch); })
      .def_property_readonly(
          "kind", [](const NodeView& n) { return core::node_kind_name(n.info->node->kind); })
      .def_property_readonly("zone", [](const NodeView& n) { return n.info->node->zone; })
      .def_property_readonly("region", [](const NodeView& n) { return n.info->node->region; })
      .def_property_readonly("price_per_hour",
                             [](const NodeView& n) { return n.info->node->price_per_hour; })
      .def_property_readonly("io_utilization",
                             [](const NodeView& n) { return n.info->io_utilization; })
      .def_property_readonly("pod_count", [](const NodeView& n) { return n.info->pod_count; })
      .def_property_readonly("cpu_milli_free",
                             [](const NodeView& n) { return n.info->free().cpu_milli; })
      .def_property_readonly("memory_bytes_free",
                             [](const NodeView& n) { return n.info->free().memory_bytes; })
      .def_property_readonly("gpu_milli_free",
                             [](const NodeView& n) { return n.info->free().gpu_milli; })
      .def_property_readonly("cpu_milli_allocatable",
                             [](const NodeView& n) { return n.info->node->allocatable.cpu_milli; })
      .def_property_readonly("gpu_milli_allocatable",
                             [](const NodeView& n) { return n.info->node->allocatable.gpu_milli; });

  py::class_<PyRegistry, std::shared_ptr<PyRegistry>>(
      m, "Registry",
      "The policy registries a run resolves names against: the built-in policies plus\n"
      "the Python ones added here.")
      .def(py::init<>())
      .def(
          "add_score_plugin",
          [](PyRegistry& r, const std::string& name, py::object cls,
             const std::string& description) {
            if (name.empty()) throw py::value_error("name: must not be empty");
            require_method(cls, "score", "a score plugin");
            auto handle = std::make_shared<PyHandle>(std::move(cls));
            auto errors = r.errors;
            r.plugins.add(name, description.empty() ? "Python score plugin" : description,
                          [handle, name, errors](const scheduler::PluginArgs& args) {
                            return make_adapter<PyScorePlugin, scheduler::Plugin>(handle, name,
                                                                                  args, errors);
                          });
          },
          py::arg("name"), py::arg("cls"), py::arg("description") = "",
          "Adds a score plugin: `cls()` (or `cls(args)` when the profile gives args) must\n"
          "return an object with score(pod, node) -> int and optionally normalize(scores).")
      .def(
          "add_eviction_policy",
          [](PyRegistry& r, const std::string& name, py::object cls,
             const std::string& description) {
            if (name.empty()) throw py::value_error("name: must not be empty");
            for (const char* fn : {"on_insert", "on_access", "on_remove", "victim"}) {
              require_method(cls, fn, "an eviction policy");
            }
            auto handle = std::make_shared<PyHandle>(std::move(cls));
            auto errors = r.errors;
            r.evictions.add(name, description.empty() ? "Python eviction policy" : description,
                            [handle, name, errors]() {
                              return make_adapter<PyEvictionPolicy, core::EvictionPolicy>(
                                  handle, name, {}, errors);
                            });
          },
          py::arg("name"), py::arg("cls"), py::arg("description") = "",
          "Adds an eviction policy: `cls()` must return an object with on_insert(key, size),\n"
          "on_access(key), on_remove(key, evicted) and victim() -> key; keys are\n"
          "(dataset, block) tuples. One instance per cache worker tier.")
      .def(
          "add_autoscaler",
          [](PyRegistry& r, const std::string& name, py::object cls,
             const std::string& description) {
            if (name.empty()) throw py::value_error("name: must not be empty");
            require_method(cls, "decide", "an autoscaler");
            auto handle = std::make_shared<PyHandle>(std::move(cls));
            auto errors = r.errors;
            r.autoscalers.add(name, description.empty() ? "Python autoscaler" : description,
                              [handle, name, errors](const core::AutoscalerArgs& args) {
                                return make_adapter<PyAutoscaler, core::Autoscaler>(handle, name,
                                                                                    args, errors);
                              });
          },
          py::arg("name"), py::arg("cls"), py::arg("description") = "",
          "Adds an autoscaler: `cls()` (or `cls(args)`) must return an object with\n"
          "decide(metrics: dict) -> int | (int, reason).")
      .def(
          "add_job_policy",
          [](PyRegistry& r, const std::string& name, py::object cls,
             const std::string& description) {
            if (name.empty()) throw py::value_error("name: must not be empty");
            require_method(cls, "decide", "a job policy");
            auto handle = std::make_shared<PyHandle>(std::move(cls));
            auto errors = r.errors;
            r.job_policies.add(name, description.empty() ? "Python job policy" : description,
                               [handle, name, errors](const core::JobPolicyArgs& args) {
                                 return make_adapter<PyJobPolicy, core::JobPolicy>(handle, name,
                                                                                   args, errors);
                               });
          },
          py::arg("name"), py::arg("cls"), py::arg("description") = "",
          "Adds a job-level policy: `cls()` (or `cls(args)`) must return an object with\n"
          "decide(snapshot: dict) -> list of job ids (the run order) or a dict with\n"
          "run_order, preempt and wake_at_s. Called on every arrival, completion and round.")
      .def_property_readonly("job_policies",
                             [](const PyRegistry& r) {
                               return describe(r.job_policies.names(), [&](const std::string& n) {
                                 return r.job_policies.description(n);
                               });
                             })
      .def_property_readonly("plugins",
                             [](const PyRegistry& r) {
                               return describe(r.plugins.names(), [&](const std::string& n) {
                                 return r.plugins.description(n);
                               });
                             })
      .def_property_readonly("eviction_policies",
                             [](const PyRegistry& r) {
                               return describe(r.evictions.names(), [&](const std::string& n) {
                                 return r.evictions.description(n);
                               });
                             })
      .def_property_readonly("autoscalers", [](const PyRegistry& r) {
        return describe(r.autoscalers.names(),
                        [&](const std::string& n) { return r.autoscalers.description(n); });
      });
}

}  // namespace aqueduct::python
