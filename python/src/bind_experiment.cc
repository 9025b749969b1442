// load_experiment, Experiment and the raw results: experiments from YAML files
// or dicts, runs without the GIL (progress and Python policies take it back),
// results as columns the Python layer turns into DataFrames.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/scheduler/framework.h"
#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/experiment.h"
#include "py_registry.h"

namespace aqueduct::python {
namespace {

struct PyExperiment {
  sim::ExperimentPlan plan;
};

struct PyResults {
  sim::RunResult result;
};

void report(const core::Diagnostics& diags) {
  py::module_ warnings = py::module_::import("warnings");
  for (const auto& d : diags.all()) {
    if (d.severity == core::Severity::kWarning) warnings.attr("warn")(d.to_string());
  }
  if (diags.has_errors()) throw py::value_error(diags.to_status(20).message());
}

PyExperiment load(py::object src, std::optional<std::string> base_dir, bool lenient) {
  const core::LoadOptions options{lenient};
  py::module_ os = py::module_::import("os");
  core::Diagnostics diags;
  core::Result<sim::ExperimentPlan> plan = core::invalid_argument("");
  if (py::isinstance<py::dict>(src)) {
    std::string text = py::module_::import("json").attr("dumps")(src).cast<std::string>();
    std::string dir = base_dir ? *base_dir : os.attr("getcwd")().cast<std::string>();
    plan = sim::load_experiment_yaml(text, "<dict>", dir, diags, options);
  } else if (py::isinstance<py::str>(src) || py::hasattr(src, "__fspath__")) {
    std::string path = os.attr("fspath")(src).cast<std::string>();
    plan = sim::load_experiment_file(path, diags, options);
  } else {
    throw py::type_error("load_experiment() expects a path (str or os.PathLike) or a dict, got " +
                         py::str(py::type::of(src).attr("__name__")).cast<std::string>());
  }
  report(diags);
  if (!plan) throw py::value_error(plan.status().message());
  return PyExperiment{std::move(*plan)};
}

const sim::ExperimentSpec& pick(const PyExperiment& e, const std::optional<std::string>& name) {
  if (e.plan.scenarios.empty()) throw py::value_error("the experiment has no scenarios");
  if (!name) return e.plan.scenarios.front();
  std::string known;
  for (const auto& s : e.plan.scenarios) {
    if (s.scenario == *name) return s;
    known += (known.empty() ? "" : ", ") + s.scenario;
  }
  throw py::value_error("scenario: no scenario \"" + *name + "\" (the experiment has " + known +
                        ")");
}

PyResults run(const PyExperiment& e, std::optional<std::string> scenario, py::object progress,
              std::shared_ptr<PyRegistry> registry, std::optional<std::uint64_t> seed) {
  sim::ExperimentSpec spec = pick(e, scenario);
  if (seed) spec.seed = *seed;
  if (!progress.is_none() && !PyCallable_Check(progress.ptr())) {
    throw py::type_error("progress: expected a callable (fraction, simulated_s, events), got " +
                         py::str(py::type::of(progress).attr("__name__")).cast<std::string>());
  }
  auto reg = registry ? registry : std::make_shared<PyRegistry>();
  reg->errors->reset();
  auto errors = reg->errors;
  auto progress_fn = std::make_shared<PyHandle>(progress);
  sim::RunOptions opts;
  opts.plugins = &reg->plugins;
  opts.evictions = &reg->evictions;
  opts.autoscalers = &reg->autoscalers;
  opts.progress = [progress_fn, errors](double fraction, core::Time now, std::uint64_t events) {
    if (progress_fn->obj.is_none() || errors->failed) return;
    py::gil_scoped_acquire gil;
    try {
      progress_fn->obj(fraction, core::to_seconds(now), events);
    } catch (py::error_already_set& err) {
      errors->store(err);
    }
  };
  opts.should_stop = [errors] {
    if (errors->failed) return true;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {  // Ctrl-C / interrupt in a notebook
      py::error_already_set err;
      errors->store(err);
      return true;
    }
    return false;
  };
  core::Result<sim::RunResult> result = core::internal_error("not run");
  {
    py::gil_scoped_release release;
    result = sim::run_experiment(spec, opts);
  }
  if (errors->failed) {
    std::lock_guard<std::mutex> lock(errors->mu);
    if (errors->error) {
      py::error_already_set err = std::move(*errors->error);
      errors->error.reset();
      errors->failed = false;
      throw err;
    }
  }
  if (!result) throw py::value_error(result.status().message());
  return PyResults{std::move(*result)};
}

template <typename T, typename Rec, typename Fn>
py::array_t<T> column(const std::vector<Rec>& rows, Fn fn) {
  py::array_t<T> a(static_cast<py::ssize_t>(rows.size()));
  T* p = a.mutable_data();
  for (std::size_t i = 0; i < rows.size(); ++i) p[i] = fn(rows[i]);
  return a;
}

template <typename Rec, typename Fn>
py::list text(const std::vector<Rec>& rows, Fn fn) {
  py::list l(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) l[i] = py::str(fn(rows[i]));
  return l;
}

py::dict jobs_columns(const PyResults& r) {
  using J = sim::JobRecord;
  const auto& v = r.result.jobs;
  py::dict d;
  d["job_id"] = text(v, [](const J& j) { return j.id; });
  d["application"] = text(v, [](const J& j) { return j.application; });
  d["dataset"] = text(v, [](const J& j) { return j.dataset; });
  d["gpus"] = column<double>(v, [](const J& j) { return j.gpus; });
  d["pods"] = column<std::int32_t>(v, [](const J& j) { return j.pods; });
  d["arrival_s"] = column<double>(v, [](const J& j) { return j.arrival_s; });
  d["start_s"] = column<double>(v, [](const J& j) { return j.start_s; });
  d["end_s"] = column<double>(v, [](const J& j) { return j.end_s; });
  d["jct_s"] = column<double>(v, [](const J& j) { return j.jct_s(); });
  d["queue_s"] = column<double>(v, [](const J& j) { return j.queue_s(); });
  d["bytes_from_cache"] = column<std::int64_t>(v, [](const J& j) { return j.bytes_from_cache; });
  d["bytes_from_store"] = column<std::int64_t>(v, [](const J& j) { return j.bytes_from_store; });
  d["bytes_from_page_cache"] =
      column<std::int64_t>(v, [](const J& j) { return j.bytes_from_page_cache; });
  d["nodes"] = text(v, [](const J& j) { return j.nodes; });
  d["unschedulable_reason"] = text(v, [](const J& j) { return j.last_unschedulable_reason; });
  d["startup_s"] = column<double>(v, [](const J& j) { return j.startup_s; });
  d["completed"] = column<bool>(v, [](const J& j) { return j.completed(); });
  return d;
}

py::dict timeseries_columns(const PyResults& r) {
  using S = sim::Sample;
  const auto& v = r.result.samples;
  py::dict d;
  d["time_s"] = column<double>(v, [](const S& s) { return s.time_s; });
  d["gpu_utilization"] = column<double>(v, [](const S& s) { return s.gpu_utilization; });
  d["cpu_utilization"] = column<double>(v, [](const S& s) { return s.cpu_utilization; });
  d["running_jobs"] = column<std::int32_t>(v, [](const S& s) { return s.running_jobs; });
  d["pending_jobs"] = column<std::int32_t>(v, [](const S& s) { return s.pending_jobs; });
  d["cache_used_bytes"] = column<std::int64_t>(v, [](const S& s) { return s.cache_used_bytes; });
  d["cache_capacity_bytes"] =
      column<std::int64_t>(v, [](const S& s) { return s.cache_capacity_bytes; });
  d["hit_ratio"] = column<double>(v, [](const S& s) { return s.hit_ratio; });
  d["store_throughput"] = column<double>(v, [](const S& s) { return s.store_throughput; });
  d["cache_throughput"] = column<double>(v, [](const S& s) { return s.cache_throughput; });
  return d;
}

py::dict scaling_columns(const PyResults& r) {
  using S = sim::ScaleRecord;
  const auto& v = r.result.scale_events;
  py::dict d;
  d["time_s"] = column<double>(v, [](const S& s) { return s.time_s; });
  d["runtime"] = text(v, [](const S& s) { return s.runtime; });
  d["from"] = column<std::int32_t>(v, [](const S& s) { return s.from; });
  d["to"] = column<std::int32_t>(v, [](const S& s) { return s.to; });
  d["reason"] = text(v, [](const S& s) { return s.reason; });
  return d;
}

py::dict summary_dict(const PyResults& r) {
  const sim::Summary& s = r.result.summary;
  py::dict d;
  d["experiment"] = s.experiment;
  d["scenario"] = s.scenario;
  d["seed"] = s.seed;
  d["scheduler"] = s.scheduler;
  d["eviction"] = s.eviction;
  d["cache_enabled"] = s.cache_enabled;
  d["jobs"] = s.jobs;
  d["completed"] = s.completed;
  d["never_placed"] = s.never_placed;
  d["mean_jct_s"] = s.mean_jct_s;
  d["p50_jct_s"] = s.p50_jct_s;
  d["p95_jct_s"] = s.p95_jct_s;
  d["p99_jct_s"] = s.p99_jct_s;
  d["mean_queue_s"] = s.mean_queue_s;
  d["makespan_s"] = s.makespan_s;
  d["bytes_from_cache"] = s.bytes_from_cache;
  d["bytes_from_store"] = s.bytes_from_store;
  d["bytes_from_page_cache"] = s.bytes_from_page_cache;
  d["hit_ratio"] = s.hit_ratio;
  d["dataload_bytes"] = s.dataload_bytes;
  d["node_cost"] = s.node_cost;
  d["cache_cost"] = s.cache_cost;
  d["eci_cost"] = s.eci_cost;
  d["sidecar_linger_s"] = s.sidecar_linger_s;
  d["scale_ups"] = s.scale_ups;
  d["scale_downs"] = s.scale_downs;
  d["events"] = s.events;
  d["simulated_s"] = s.simulated_s;
  return d;
}

PyExperiment with_policies(const PyExperiment& e, std::optional<std::string> scheduler,
                           std::optional<std::map<std::string, std::int64_t>> score_plugins,
                           std::optional<std::string> eviction,
                           std::optional<std::string> autoscaler,
                           std::optional<std::map<std::string, std::string>> autoscaler_args,
                           std::optional<std::string> injection) {
  PyExperiment out = e;
  for (auto& s : out.plan.scenarios) {
    if (scheduler) {
      auto p = scheduler::preset_profile(*scheduler);
      if (!p) throw py::value_error("scheduler: " + p.status().message());
      s.policies.scheduler = *p;
    }
    if (score_plugins) {
      for (const auto& [name, weight] : *score_plugins) {
        if (weight < 1 || weight > 100) {
          throw py::value_error("score_plugins[" + name + "]: weight must be 1..100, got " +
                                std::to_string(weight));
        }
        s.policies.scheduler.plugins.push_back({name, weight, {}});
      }
    }
    if (eviction) s.policies.eviction = *eviction;
    if (autoscaler) s.elasticity.policy = *autoscaler;
    if (autoscaler_args) s.elasticity.args = *autoscaler_args;
    if (injection) {
      if (*injection != "none" && *injection != "fluid") {
        throw py::value_error("injection: expected \"none\" or \"fluid\", got \"" + *injection +
                              "\"");
      }
      s.policies.injection = *injection;
    }
  }
  return out;
}

}  // namespace

void bind_experiment(py::module_& m) {
  py::class_<PyResults>(m, "_RawResults")
      .def("jobs_columns", &jobs_columns)
      .def("timeseries_columns", &timeseries_columns)
      .def("scaling_columns", &scaling_columns)
      .def("summary_dict", &summary_dict);

  py::class_<PyExperiment>(m, "_Experiment")
      .def_property_readonly("name", [](const PyExperiment& e) { return e.plan.name; })
      .def_property_readonly("scenarios",
                             [](const PyExperiment& e) {
                               std::vector<std::string> out;
                               for (const auto& s : e.plan.scenarios) out.push_back(s.scenario);
                               return out;
                             })
      .def_property_readonly("seed",
                             [](const PyExperiment& e) {
                               return e.plan.scenarios.empty() ? 0 : e.plan.scenarios[0].seed;
                             })
      .def("run", &run, py::arg("scenario") = py::none(), py::arg("progress") = py::none(),
           py::arg("registry") = nullptr, py::arg("seed") = py::none())
      .def("with_policies", &with_policies, py::arg("scheduler") = py::none(),
           py::arg("score_plugins") = py::none(), py::arg("eviction") = py::none(),
           py::arg("autoscaler") = py::none(), py::arg("autoscaler_args") = py::none(),
           py::arg("injection") = py::none());

  m.def("_load_experiment", &load, py::arg("source"), py::arg("base_dir") = py::none(),
        py::arg("lenient") = false);
  m.def(
      "_yaml_to_data",
      [](const std::string& text, const std::string& file) {
        auto docs = core::parse_yaml_documents_as_json(text, file);
        if (!docs) throw py::value_error(docs.status().message());
        py::module_ json = py::module_::import("json");
        py::list out;
        for (const auto& d : *docs) out.append(json.attr("loads")(d.dump()));
        return out;
      },
      py::arg("text"), py::arg("file") = "<text>");
  m.def("_scheduler_presets", &scheduler::preset_names);
}

}  // namespace aqueduct::python
