// load_experiment, Experiment and the raw results: experiments from YAML files
// or dicts, runs without the GIL (progress and Python policies take it back),
// results as columns the Python layer turns into DataFrames.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <limits>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/scheduler/framework.h"
#include "aqueduct/sim/cluster_run.h"
#include "aqueduct/sim/experiment.h"
#include "aqueduct/sim/result_schema.h"
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
  opts.job_policies = &reg->job_policies;
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

// A table's columns from the result model: floats as float64 arrays with NaN
// where a value is missing, ints and bools as arrays, strings as lists.
template <typename Row>
py::dict table_columns(const sim::schema::Table<Row>& t, const std::vector<Row>& rows) {
  using sim::schema::Cell;
  using sim::schema::Type;
  py::dict d;
  const auto n = static_cast<py::ssize_t>(rows.size());
  for (const auto& c : t.columns) {
    py::str name(std::string(c.name));
    switch (c.type) {
      case Type::kFloat: {
        py::array_t<double> a(n);
        double* p = a.mutable_data();
        for (std::size_t i = 0; i < rows.size(); ++i) {
          Cell v = c.get(rows[i]);
          const double* x = std::get_if<double>(&v);
          p[i] = x ? *x : std::numeric_limits<double>::quiet_NaN();
        }
        d[name] = a;
        break;
      }
      case Type::kInt: {
        py::array_t<std::int64_t> a(n);
        std::int64_t* p = a.mutable_data();
        for (std::size_t i = 0; i < rows.size(); ++i) p[i] = std::get<std::int64_t>(c.get(rows[i]));
        d[name] = a;
        break;
      }
      case Type::kBool: {
        py::array_t<bool> a(n);
        bool* p = a.mutable_data();
        for (std::size_t i = 0; i < rows.size(); ++i) p[i] = std::get<bool>(c.get(rows[i]));
        d[name] = a;
        break;
      }
      case Type::kString: {
        py::list l(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
          Cell v = c.get(rows[i]);
          const std::string* x = std::get_if<std::string>(&v);
          l[i] = py::str(x ? *x : std::string());
        }
        d[name] = l;
        break;
      }
      case Type::kStringList: {
        py::list l(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
          Cell v = c.get(rows[i]);
          const auto* x = std::get_if<std::vector<std::string>>(&v);
          l[i] = x ? py::cast(*x) : py::list();
        }
        d[name] = l;
        break;
      }
    }
  }
  return d;
}

// The summary as a flat dict, in the result model's order; missing floats are NaN.
py::dict summary_dict(const PyResults& r) {
  py::dict d;
  for (const auto& [key, column] :
       table_columns(sim::schema::summary(), std::vector<sim::Summary>{r.result.summary})) {
    d[key] = column[py::int_(0)];
  }
  return d;
}

py::dict tables(const PyResults& r, const std::string& name) {
  namespace schema = sim::schema;
  const auto& x = r.result;
  if (name == "jobs") return table_columns(schema::jobs(), x.jobs);
  if (name == "timeseries") return table_columns(schema::timeseries(), x.samples);
  if (name == "cache_status") return table_columns(schema::cache_status(), x.cache_status);
  if (name == "dataloads") return table_columns(schema::dataloads(), x.dataloads);
  if (name == "scaling") return table_columns(schema::scaling(), x.scale_events);
  throw py::key_error("no table \"" + name +
                      "\" (jobs, timeseries, cache_status, dataloads, scaling)");
}

PyExperiment with_policies(const PyExperiment& e, std::optional<std::string> scheduler,
                           std::optional<std::map<std::string, std::int64_t>> score_plugins,
                           std::optional<std::string> eviction,
                           std::optional<std::string> autoscaler,
                           std::optional<std::map<std::string, std::string>> autoscaler_args,
                           std::optional<std::string> injection,
                           std::optional<std::string> job_policy,
                           std::optional<std::map<std::string, std::string>> job_policy_args,
                           std::optional<double> job_round_s) {
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
    if (job_policy) s.policies.jobs.policy = *job_policy;
    if (job_policy_args) s.policies.jobs.args = *job_policy_args;
    if (job_round_s) {
      if (!(*job_round_s >= 0)) throw py::value_error("job_round_s: expected 0 or more seconds");
      s.policies.jobs.round = core::from_seconds(*job_round_s);
    }
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
      .def("table", &tables, py::arg("name"))
      .def("summary_dict", &summary_dict)
      .def("experiment_yaml", [](const PyResults& r) { return r.result.resolved_experiment; });

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
           py::arg("injection") = py::none(), py::arg("job_policy") = py::none(),
           py::arg("job_policy_args") = py::none(), py::arg("job_round_s") = py::none());

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
