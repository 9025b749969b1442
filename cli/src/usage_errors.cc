#include "usage_errors.h"

#include <algorithm>
#include <iostream>

#include "aqueduct/core/text/suggest.h"

namespace aqueduct::cli {
namespace {

std::vector<std::string> long_options(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& n : o->get_lnames()) out.push_back("--" + n);
  }
  return out;
}

}  // namespace

std::string value_suggestion(const std::string& message) {
  // CLI11's IsMember: "--log-level: verbose not in {debug,info,warn,error,off}"
  const auto colon = message.find(": ");
  const auto not_in = message.rfind(" not in {");
  if (colon == std::string::npos || not_in == std::string::npos || not_in < colon ||
      message.back() != '}') {
    return "";
  }
  const std::string option = message.substr(0, colon);
  const std::string value = message.substr(colon + 2, not_in - colon - 2);
  const std::string list = message.substr(not_in + 9, message.size() - not_in - 10);
  std::vector<std::string> allowed;
  std::string shown;
  for (std::size_t at = 0; at <= list.size();) {
    std::size_t comma = std::min(list.find(',', at), list.size());
    allowed.push_back(list.substr(at, comma - at));
    shown += (shown.empty() ? "" : ", ") + allowed.back();
    at = comma + 1;
  }
  return option + ": \"" + value + "\" is not one of " + shown + core::did_you_mean(value, allowed);
}

std::string usage_suggestion(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* cur = &app;
  for (const auto& arg : args) {
    if (arg == "--") break;
    if (arg.rfind("--", 0) == 0) {
      const std::string name = arg.substr(0, arg.find('='));
      auto known = long_options(*cur);
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      return "unknown option \"" + name + "\"" + core::did_you_mean(name, known);
    }
    if (arg.rfind('-', 0) == 0) continue;  // short options and their values
    auto subs = cur->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) continue;  // a positional argument or an option's value
    std::vector<std::string> names;
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      names.push_back(s->get_name());
      if (s->get_name() == arg) next = s;
    }
    if (next) {
      cur = next;
      continue;
    }
    std::string where = cur == &app ? "command" : "subcommand of " + cur->get_name();
    return "unknown " + where + " \"" + arg + "\"" + core::did_you_mean(arg, names);
  }
  return "";
}

int parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string unknown = usage_suggestion(app, args);
    if (unknown.empty()) unknown = value_suggestion(e.what());
    std::cerr << "error: " << (unknown.empty() ? std::string(e.what()) : unknown)
              << "\nRun with --help for more information.\n";
    return kExitUsage;
  }
  return -1;
}

}  // namespace aqueduct::cli
