// Diagnostics collected while checking input files: every problem, with the
// position and field it concerns, so `aqueduct validate` can report them all
// at once instead of stopping at the first.
#pragma once

#include <string>
#include <vector>

#include "aqueduct/core/model/object_meta.h"
#include "aqueduct/core/status.h"

namespace aqueduct::core {

enum class Severity { kWarning, kError };

// How Aqueduct's own input files (experiments, clusters, calibration cases)
// are checked. Unknown fields are errors unless `lenient`, when they are
// warnings (for files written for a newer version, or while editing).
struct LoadOptions {
  bool lenient = false;
};

struct Diagnostic {
  Severity severity = Severity::kError;
  SourcePos pos;
  std::string field;    // dotted path, e.g. "spec.tieredstore.levels[0].quota"
  std::string message;  // what was expected (and what was found)
  // "file:line:column: error: field: message"
  std::string to_string() const;
};

class Diagnostics {
 public:
  void error(SourcePos pos, std::string field, std::string message);
  void warning(SourcePos pos, std::string field, std::string message);
  const std::vector<Diagnostic>& all() const { return items_; }
  int error_count() const { return errors_; }
  int warning_count() const { return static_cast<int>(items_.size()) - errors_; }
  bool has_errors() const { return errors_ > 0; }
  // An InvalidArgument Status listing the errors (at most `max_listed`), or OK.
  Status to_status(int max_listed = 10) const;
  // The lines to print, in order (errors only when `errors_only`): each
  // distinct field+message at most `per_message` times and at most
  // `max_lines` in all, then one line per message counting what was left
  // out ("... 9,997 more like this: ...") and a total if the cap cut more.
  std::vector<std::string> report_lines(bool errors_only = false, int per_message = 3,
                                        int max_lines = 100) const;
  void append(const Diagnostics& other);

 private:
  std::vector<Diagnostic> items_;
  int errors_ = 0;
};

}  // namespace aqueduct::core
