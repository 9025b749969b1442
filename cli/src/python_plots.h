// Figures are drawn by the Python package's plotting layer (aqueduct/plots.py,
// matplotlib), the same code notebooks use. The CLI runs that script with the
// system's Python; when Python or matplotlib is missing the caller gets an
// Unavailable status that says what to install, and results stay complete
// without figures.
#pragma once

#include <string>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::cli {

// The plotting script: $AQUEDUCT_PLOTS_SCRIPT, else the copy in the build
// tree, else the one in the source tree. Empty when none exists.
std::string plots_script();

// Runs `<python> plots.py args...` (the interpreter: $AQUEDUCT_PYTHON, else
// /usr/bin/python3, else python3 on PATH) and waits for it. Unavailable when
// Python, pandas or matplotlib is missing; Internal when the script failed.
core::Status run_plots(const std::vector<std::string>& args);

}  // namespace aqueduct::cli
