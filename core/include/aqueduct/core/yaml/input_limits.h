// Input limits every parser of untrusted text applies before walking what it
// parsed: nesting depth, how many nodes a YAML document expands to through its
// aliases (a self-referencing alias expands forever, a "billion laughs" bomb
// to 10^9 nodes from a few hundred bytes) and document size. Recursive walks
// (JSON copies and dumps, YAML-to-JSON conversion) are safe once these hold.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "aqueduct/core/status.h"

namespace YAML {
class Node;
class Exception;
}  // namespace YAML

namespace aqueduct::core {

struct InputLimits {
  int max_depth = 512;                // nested mappings/sequences/objects/arrays
  std::size_t max_nodes = 1'000'000;  // nodes after alias expansion (YAML)
  // Nodes reached again through an alias (each re-expansion of an anchored
  // mapping or sequence counts all it holds): what a file costs beyond its
  // own text. Plain documents never reach it; a bomb of 3 KB does at once.
  std::size_t max_alias_nodes = 100'000;
  std::size_t max_bytes = 64u * 1024 * 1024;  // one document or request body
};

// What a YAML tree breaks and where: `line` is 1-based, `what` says which
// limit ("nesting deeper than 512 levels", "a self-referencing alias ...",
// "the document expands to more than 1000000 nodes ...").
struct YamlLimitViolation {
  int line = 0;
  std::string what;
};

// Walks a parsed YAML tree without recursion; the first limit it breaks, if any.
std::optional<YamlLimitViolation> find_yaml_limit_violation(const YAML::Node& root,
                                                            const InputLimits& limits = {});
// The same as a Status reading "file:line: what".
Status check_yaml_limits(const YAML::Node& root, const std::string& file,
                         const InputLimits& limits = {});

// yaml-cpp 0.7 never finishes LoadAll on a document whose first token is a
// flow entry (","): it produces empty documents forever without consuming
// it. Runs the parser's events (no tree) and reports such a document where
// it starts; syntax errors propagate as the YAML::Exception LoadAll would throw.
std::optional<YamlLimitViolation> find_yaml_parser_loop(std::string_view text);

// yaml-cpp's own message for a parse error, made readable: its nesting guard
// (which fires before find_yaml_limit_violation can run) says only "bad file".
std::string yaml_error_message(const YAML::Exception& e);

// Checks raw JSON text before it is parsed: size and bracket nesting (strings
// and escapes skipped), in one pass. Errors name `what` and the byte offset.
Status check_json_limits(std::string_view text, const std::string& what,
                         const InputLimits& limits = {});

}  // namespace aqueduct::core
