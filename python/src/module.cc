// The `aqueduct._aqueduct` extension module; the Pythonic API around it is
// python/aqueduct/__init__.py.
#include <string>

#include "aqueduct/core/version.h"
#include "py_registry.h"

PYBIND11_MODULE(_aqueduct, m) {
  m.doc() = "Aqueduct's simulator and policy registries (the compiled part of `aqueduct`).";
  aqueduct::python::bind_registry(m);
  aqueduct::python::bind_experiment(m);
  aqueduct::python::bind_cache(m);
  m.attr("__version__") = std::string(aqueduct::core::version());
  m.attr("__commit__") = std::string(aqueduct::core::commit());
  m.attr("__build__") = std::string(aqueduct::core::build_info());
}
