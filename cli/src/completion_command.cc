// `aqueduct completion bash|zsh`: a completion script generated from the
// command tree itself, so it never lags behind the commands and flags.
#include <iostream>
#include <string>
#include <vector>

#include "completion.h"

namespace aqueduct::cli {
namespace {

struct Level {
  std::string path;  // " sim run": the subcommand words, each after a space
  std::vector<std::string> words;
};

void collect(const CLI::App& app, const std::string& path, std::vector<Level>& out) {
  Level l{path, {}};
  for (const CLI::App* sub : app.get_subcommands({})) l.words.push_back(sub->get_name());
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& n : o->get_lnames()) l.words.push_back("--" + n);
    for (const auto& n : o->get_snames()) l.words.push_back("-" + n);
  }
  out.push_back(l);
  for (const CLI::App* sub : app.get_subcommands({})) {
    collect(*sub, path + " " + sub->get_name(), out);
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& w : v) s += (s.empty() ? "" : " ") + w;
  return s;
}

}  // namespace

std::string completion_script(const CLI::App& app, const std::string& shell) {
  std::vector<Level> levels;
  collect(app, "", levels);
  std::string paths, cases;
  for (const auto& l : levels) {
    if (!l.path.empty()) paths += (paths.empty() ? "" : "|") + std::string("\"") + l.path + "\"";
    cases += "    \"" + l.path + "\") words=\"" + join(l.words) + "\" ;;\n";
  }
  std::string s;
  if (shell == "zsh") s += "autoload -U +X bashcompinit && bashcompinit\n";
  s += "# aqueduct " + shell + " completion: eval \"$(aqueduct completion " + shell +
       ")\"\n"
       "_aqueduct() {\n"
       "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" w i words\n"
       "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
       "    w=\"${COMP_WORDS[i]}\"\n"
       "    case \"$path $w\" in\n"
       "      " +
       paths +
       ") path=\"$path $w\" ;;\n"
       "    esac\n"
       "  done\n"
       "  case \"$path\" in\n" +
       cases +
       "  esac\n"
       "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
       "  if [[ ${#COMPREPLY[@]} -eq 0 && $cur != -* ]]; then\n"
       "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
       "  fi\n"
       "}\n"
       "complete -o filenames -F _aqueduct aqueduct\n";
  return s;
}

}  // namespace aqueduct::cli
