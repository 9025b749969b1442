// Usage errors of the `aqueduct` command: one exit status (2) for every
// misuse, and a did-you-mean for a misspelled subcommand or long option.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace aqueduct::cli {

// Exit status of every usage error (unknown subcommand or option, a missing
// or invalid argument), whatever CLI11's own code for it.
inline constexpr int kExitUsage = 2;

// Walks `args` (without the program name) down `app`'s subcommands and
// describes the first word that names no subcommand where one is expected
// ("unknown command \"valdiate\" (did you mean \"validate\"?)"), or the first
// `--option` the subcommand reached does not have; empty when every word is
// known (the error is then CLI11's own message).
std::string usage_suggestion(CLI::App& app, const std::vector<std::string>& args);

// A value outside an option's allowed set, as CLI11 words it ("--log-level:
// verbose not in {debug,...}"), reworded with the allowed values and the
// closest one; empty for any other message.
std::string value_suggestion(const std::string& message);

// Parses; on --help/--version prints and returns 0; on a usage error prints
// CLI11's message, the suggestion and a --help hint, and returns kExitUsage.
// Returns -1 when the arguments parsed and the command should run.
int parse_or_exit(CLI::App& app, int argc, char** argv);

}  // namespace aqueduct::cli
