#include "python_plots.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

extern char** environ;

namespace aqueduct::cli {
namespace {

// plots.py exits with this when an import it needs is missing.
constexpr int kExitMissingModule = 3;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

std::string plots_script() {
  std::error_code ec;
  for (const std::string& p :
       {env_or("AQUEDUCT_PLOTS_SCRIPT", ""), std::string(AQUEDUCT_PLOTS_BUILD_PATH),
        std::string(AQUEDUCT_PLOTS_SOURCE_PATH)}) {
    if (!p.empty() && std::filesystem::is_regular_file(p, ec)) return p;
  }
  return "";
}

core::Status run_plots(const std::vector<std::string>& args) {
  const std::string script = plots_script();
  if (script.empty()) {
    return core::Status(core::StatusCode::kUnavailable,
                        "the plotting script aqueduct/plots.py was not found (set "
                        "AQUEDUCT_PLOTS_SCRIPT to its path)");
  }
  std::error_code ec;
  std::string python = env_or("AQUEDUCT_PYTHON", "");
  if (python.empty()) {
    python = std::filesystem::exists("/usr/bin/python3", ec) ? "/usr/bin/python3" : "python3";
  }
  std::vector<std::string> argv_s = {python, script};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (int err = ::posix_spawnp(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ);
      err != 0) {
    return core::Status(core::StatusCode::kUnavailable,
                        "cannot run " + python + " for the plots (install python3, " +
                            "python3-pandas and python3-matplotlib)");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return core::internal_error("waiting for the plotting script failed");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return core::Status::ok();
  if (WIFEXITED(status) && WEXITSTATUS(status) == kExitMissingModule) {
    return core::Status(core::StatusCode::kUnavailable,
                        "plots need pandas and matplotlib for " + python +
                            " (apt-get install python3-pandas python3-matplotlib)");
  }
  return core::internal_error(script + " failed (" +
                              (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                 : std::string("killed by a signal")) +
                              ")");
}

}  // namespace aqueduct::cli
