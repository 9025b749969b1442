// A trace spec for tests: `file` read by `reader`, the rest at their defaults.
#pragma once

#include <string>

#include "aqueduct/sim/experiment.h"

namespace aqueduct::testing {

inline sim::TraceSpec trace_spec(const std::string& file, const std::string& reader,
                                 bool skip = false, double time_scale = 1.0) {
  sim::TraceSpec s;
  s.file = file;
  s.reader = reader;
  s.skip_bad_rows = skip;
  s.time_scale = time_scale;
  return s;
}

}  // namespace aqueduct::testing
