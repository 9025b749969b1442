// The Python side of the policy registries: a copy of each built-in registry
// that Python classes can be added to, and the slot where an exception raised
// by Python policy code waits (while the simulation runs without the GIL)
// until the run returns and re-raises it in the caller.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/elasticity/autoscaler.h"
#include "aqueduct/core/jobs/job_policy.h"
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::python {

namespace py = pybind11;

// The first Python exception of a run; the run stops when it is set.
struct ErrorSlot {
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<py::error_already_set> error;  // touched with the GIL held

  // Call with the GIL held, inside a catch block for error_already_set.
  void store(py::error_already_set& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (!error) error.emplace(std::move(e));
    failed = true;
  }
  // A TypeError/ValueError raised from C++ (e.g. a wrong return type).
  void store_new(PyObject* type, const std::string& message) {
    PyErr_SetString(type, message.c_str());
    py::error_already_set e;
    store(e);
  }
  void reset() {
    std::lock_guard<std::mutex> lock(mu);
    error.reset();
    failed = false;
  }
};

// A Python object whose last reference may be dropped from a thread without
// the GIL (std::function copies inside registries): it takes the GIL to do so.
struct PyHandle {
  py::object obj;
  explicit PyHandle(py::object o) : obj(std::move(o)) {}
  ~PyHandle() {
    py::gil_scoped_acquire gil;
    obj = py::object();
  }
};

struct PyRegistry {
  scheduler::PluginRegistry plugins = scheduler::builtin_plugins();
  core::EvictionRegistry evictions = core::builtin_eviction_policies();
  core::AutoscalerRegistry autoscalers = core::builtin_autoscalers();
  core::JobPolicyRegistry job_policies = core::builtin_job_policies();
  std::shared_ptr<ErrorSlot> errors = std::make_shared<ErrorSlot>();
};

void bind_registry(py::module_& m);
void bind_experiment(py::module_& m);
void bind_cache(py::module_& m);

}  // namespace aqueduct::python
