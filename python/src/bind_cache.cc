// `aqueduct.cache`: the cache-sim engine (sim/cache_sim.h) from Python: a
// trace file or numpy arrays replayed against built-in or Python eviction
// policies at several sizes, and LRU's one-pass curve. Rows come back as
// dicts, which aqueduct/cache.py turns into a DataFrame.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "aqueduct/sim/cache_sim.h"
#include "aqueduct/sim/cache_trace.h"
#include "py_registry.h"

namespace aqueduct::python {
namespace {

py::list replay(py::object source, const std::string& format, const std::string& key_column,
                const std::string& size_column, std::int64_t max_requests,
                const std::vector<std::string>& policies, const std::vector<std::int64_t>& sizes,
                const std::string& on_hit_size, double sample, int threads, PyRegistry* registry) {
  if (on_hit_size != "keep" && on_hit_size != "update")
    throw py::value_error("on_hit_size: expected \"keep\" or \"update\", got \"" + on_hit_size +
                          "\"");
  if (!(sample > 0 && sample <= 1)) throw py::value_error("sample: expected a rate in (0, 1]");
  std::unique_ptr<sim::CacheTraceReader> reader;
  if (py::isinstance<py::tuple>(source)) {
    // (keys, sizes) as numpy arrays of equal length.
    auto t = source.cast<py::tuple>();
    auto keys = t[0].cast<py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>>();
    auto bytes = t[1].cast<py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>>();
    if (keys.ndim() != 1 || bytes.ndim() != 1 || keys.size() != bytes.size()) {
      throw py::value_error("keys and sizes: expected two 1-D arrays of the same length, got " +
                            std::to_string(keys.size()) + " keys and " +
                            std::to_string(bytes.size()) + " sizes");
    }
    std::vector<core::CacheRequest> trace(static_cast<std::size_t>(keys.size()));
    auto k = keys.unchecked<1>();
    auto b = bytes.unchecked<1>();
    for (py::ssize_t i = 0; i < keys.size(); ++i) {
      if (b(i) < 0 || b(i) > core::kMaxRequestBytes) {
        throw py::value_error("sizes[" + std::to_string(i) + "]: " + std::to_string(b(i)) +
                              " B is outside 0 .. 1 PiB");
      }
      trace[static_cast<std::size_t>(i)] = {core::BlockKey{0, k(i)}, b(i)};
    }
    if (max_requests > 0 && static_cast<std::int64_t>(trace.size()) > max_requests)
      trace.resize(static_cast<std::size_t>(max_requests));
    reader = sim::memory_trace_reader(std::move(trace));
  } else {
    sim::CacheTraceOptions o;
    o.format = format;
    if (!key_column.empty()) o.key_column = key_column;
    if (!size_column.empty()) o.size_column = size_column;
    o.max_requests = max_requests;
    auto r = sim::open_cache_trace(source.cast<std::string>(), o);
    if (!r.ok()) throw py::value_error(r.status().message());
    reader = std::move(*r);
  }
  std::vector<sim::CacheConfig> configs;
  for (const auto& p : policies) {
    if (!registry->evictions.contains(p)) {
      throw py::value_error("unknown eviction policy \"" + p + "\"; the registry has: " + [&] {
        std::string s;
        for (const auto& n : registry->evictions.names()) s += (s.empty() ? "" : ", ") + n;
        return s;
      }());
    }
    for (auto size : sizes) configs.push_back({p, size});
  }
  sim::CacheSimOptions opts;
  opts.replay.on_hit_size =
      on_hit_size == "update" ? core::OnHitSize::kUpdate : core::OnHitSize::kKeep;
  opts.sample_rate = sample;
  opts.threads = threads;
  registry->errors->reset();
  core::Result<std::vector<core::ReplayResult>> run = core::internal_error("not run");
  {
    py::gil_scoped_release release;
    run = sim::simulate_caches(*reader, configs, registry->evictions, opts);
  }
  auto& errors = *registry->errors;
  if (errors.failed) {
    std::lock_guard<std::mutex> lock(errors.mu);
    if (errors.error) {
      py::error_already_set err = std::move(*errors.error);
      errors.error.reset();
      errors.failed = false;
      throw err;
    }
  }
  if (!run.ok()) throw py::value_error(run.status().message());
  py::list rows;
  for (const auto& r : *run) {
    py::dict d;
    d["policy"] = r.policy;
    d["cache_size_bytes"] = r.capacity_bytes;
    d["requests"] = r.requests;
    d["misses"] = r.misses;
    d["miss_ratio"] = r.miss_ratio();
    d["byte_miss_ratio"] = r.byte_miss_ratio();
    d["zero_byte_requests"] = r.zero_byte_requests;
    d["method"] = r.method;
    rows.append(d);
  }
  return rows;
}

// The footprint of a trace file: distinct keys and bytes (first sizes).
py::tuple footprint(const std::string& path, const std::string& format,
                    const std::string& key_column, const std::string& size_column,
                    std::int64_t max_requests) {
  sim::CacheTraceOptions o;
  o.format = format;
  if (!key_column.empty()) o.key_column = key_column;
  if (!size_column.empty()) o.size_column = size_column;
  o.max_requests = max_requests;
  auto r = sim::open_cache_trace(path, o);
  if (!r.ok()) throw py::value_error(r.status().message());
  core::Result<core::Footprint> f = core::internal_error("not read");
  {
    py::gil_scoped_release release;
    f = sim::trace_footprint(**r);
  }
  if (!f.ok()) throw py::value_error(f.status().message());
  return py::make_tuple(f->objects, f->bytes);
}

}  // namespace

void bind_cache(py::module_& m) {
  m.def("_cache_footprint", &footprint, py::arg("path"), py::arg("format"), py::arg("key_column"),
        py::arg("size_column"), py::arg("max_requests"));
  m.def("_cache_replay", &replay, py::arg("source"), py::arg("format"), py::arg("key_column"),
        py::arg("size_column"), py::arg("max_requests"), py::arg("policies"), py::arg("sizes"),
        py::arg("on_hit_size"), py::arg("sample"), py::arg("threads"), py::arg("registry"));
}

}  // namespace aqueduct::python
