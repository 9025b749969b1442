#include "aqueduct/core/diagnostics.h"

namespace aqueduct::core {

std::string SourcePos::to_string() const {
  if (file.empty()) return "<input>";
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const {
  std::string out = pos.to_string();
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

void Diagnostics::error(SourcePos pos, std::string field, std::string message) {
  items_.push_back({Severity::kError, std::move(pos), std::move(field), std::move(message)});
  ++errors_;
}

void Diagnostics::warning(SourcePos pos, std::string field, std::string message) {
  items_.push_back({Severity::kWarning, std::move(pos), std::move(field), std::move(message)});
}

Status Diagnostics::to_status(int max_listed) const {
  if (errors_ == 0) return Status::ok();
  std::string msg;
  int listed = 0;
  for (const auto& d : items_) {
    if (d.severity != Severity::kError) continue;
    if (listed == max_listed) {
      msg += "\n  ... and " + std::to_string(errors_ - listed) + " more errors";
      break;
    }
    msg += (listed == 0 ? "" : "\n  ") + d.to_string();
    ++listed;
  }
  return invalid_argument(msg);
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& d : other.items_) {
    items_.push_back(d);
    if (d.severity == Severity::kError) ++errors_;
  }
}

}  // namespace aqueduct::core
