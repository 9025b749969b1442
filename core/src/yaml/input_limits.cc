#include "aqueduct/core/yaml/input_limits.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <unordered_set>
#include <vector>

namespace aqueduct::core {
std::optional<YamlLimitViolation> find_yaml_limit_violation(const YAML::Node& root,
                                                            const InputLimits& limits) {
  // Depth-first with an explicit stack of (node, next child index) frames, so
  // neither a deep document nor a cycle can exhaust the call stack. Children
  // are materialised per frame; aliases are followed, which is what makes
  // expansion counting and cycle detection possible.
  struct Frame {
    YAML::Node node;
    std::vector<YAML::Node> children;
    std::size_t next = 0;
    bool aliased = false;  // this container, or one above it, is a repeat visit
  };
  auto children_of = [](const YAML::Node& n) {
    std::vector<YAML::Node> out;
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        out.push_back(it->first);
        out.push_back(it->second);
      }
    } else if (n.IsSequence()) {
      for (const auto& c : n) out.push_back(c);
    }
    return out;
  };
  if (!root.IsDefined()) return std::nullopt;
  auto at = [](const YAML::Node& n, std::string what) {
    return YamlLimitViolation{n.Mark().line + 1, std::move(what)};
  };
  std::vector<Frame> stack;
  stack.push_back(Frame{root, children_of(root), 0, false});
  std::size_t nodes = 1, alias_nodes = 0;
  // Where each container visited so far was written: an alias is the very
  // node it names, with the anchor's position, so a second visit of a
  // position is an expansion through an alias.
  std::unordered_set<int> seen;
  if (root.Mark().pos >= 0) seen.insert(root.Mark().pos);
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.children.size()) {
      stack.pop_back();
      continue;
    }
    YAML::Node child = top.children[top.next++];
    const bool container = child.IsMap() || child.IsSequence();
    const int pos = child.Mark().pos;
    const bool aliased = top.aliased || (container && pos >= 0 && !seen.insert(pos).second);
    if (++nodes > limits.max_nodes) {
      return at(child, "the document expands to more than " + std::to_string(limits.max_nodes) +
                           " nodes through its aliases (an alias bomb?)");
    }
    if (aliased && ++alias_nodes > limits.max_alias_nodes) {
      return at(child,
                "the document's aliases expand to more than " +
                    std::to_string(limits.max_alias_nodes) +
                    " nodes (an alias bomb?); this line holds an anchor copied past the limit");
    }
    if (!container) continue;
    if (static_cast<int>(stack.size()) >= limits.max_depth) {
      for (const auto& f : stack) {
        if (f.node.is(child)) {
          return at(child,
                    "a self-referencing alias (a mapping or sequence that contains itself) "
                    "cannot be expanded");
        }
      }
      return at(child, "nesting deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    stack.push_back(Frame{child, children_of(child), 0, aliased});
  }
  return std::nullopt;
}

Status check_yaml_limits(const YAML::Node& root, const std::string& file,
                         const InputLimits& limits) {
  auto v = find_yaml_limit_violation(root, limits);
  if (!v) return Status::ok();
  return invalid_argument(file + ":" + std::to_string(v->line) + ": " + v->what);
}

Status check_json_limits(std::string_view text, const std::string& what,
                         const InputLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return invalid_argument(what + ": " + std::to_string(text.size()) +
                            " bytes, more than the limit of " + std::to_string(limits.max_bytes));
  }
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limits.max_depth) {
        return invalid_argument(what + ": nesting deeper than " + std::to_string(limits.max_depth) +
                                " levels at byte " + std::to_string(i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::ok();
}

namespace {

// Remembers where each document starts; a document starting where the
// previous one did means the parser consumed nothing.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    repeated_ = started_ && mark.pos == last_.pos;
    started_ = true;
    last_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  bool repeated() const { return repeated_; }
  const YAML::Mark& last() const { return last_; }

 private:
  bool started_ = false, repeated_ = false;
  YAML::Mark last_;
};

}  // namespace

std::optional<YamlLimitViolation> find_yaml_parser_loop(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  while (parser.HandleNextDocument(starts)) {
    if (starts.repeated()) {
      return YamlLimitViolation{starts.last().line + 1,
                                "a document cannot start with \",\" (a flow entry outside [ ] "
                                "or { }; column " +
                                    std::to_string(starts.last().column + 1) + ")"};
    }
  }
  return std::nullopt;
}

std::string yaml_error_message(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    return "nesting too deep for the YAML parser (more than " +
           std::to_string(InputLimits{}.max_depth) + " levels are refused)";
  }
  return e.msg;
}

}  // namespace aqueduct::core
