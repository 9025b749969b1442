// Shell completion generated from the CLI11 command tree.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace aqueduct::cli {

// A bash script (`shell` "bash") or the same through zsh's bashcompinit
// ("zsh") completing subcommands and flags at every level, files elsewhere.
std::string completion_script(const CLI::App& app, const std::string& shell);

}  // namespace aqueduct::cli
