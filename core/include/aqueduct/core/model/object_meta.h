// Kubernetes object metadata shared by every model type, plus the source
// position it was loaded from (for error messages that point at a line).
#pragma once

#include <map>
#include <string>

namespace aqueduct::core {

// Where a value came from: "file:line:column" (1-based). Empty for built objects.
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;
};

struct ObjectMeta {
  std::string name;
  std::string namespace_ = "default";
  std::map<std::string, std::string> labels;  // sorted: deterministic output
  std::map<std::string, std::string> annotations;
  SourcePos pos;
};

}  // namespace aqueduct::core
