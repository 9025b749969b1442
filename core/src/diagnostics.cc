#include "aqueduct/core/diagnostics.h"

#include <map>
#include <tuple>

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

std::vector<std::string> Diagnostics::report_lines(bool errors_only, int per_message,
                                                   int max_lines) const {
  std::vector<std::string> out;
  // Per distinct (severity, field, message): how often seen, how often shown.
  std::map<std::tuple<Severity, std::string, std::string>, std::pair<int, int>> seen;
  std::vector<std::tuple<Severity, std::string, std::string>> order;
  std::size_t dropped = 0;
  for (const auto& d : items_) {
    if (errors_only && d.severity != Severity::kError) continue;
    auto key = std::make_tuple(d.severity, d.field, d.message);
    auto [it, fresh] = seen.try_emplace(key, 0, 0);
    if (fresh) order.push_back(key);
    ++it->second.first;
    if (it->second.second < per_message && static_cast<int>(out.size()) < max_lines) {
      ++it->second.second;
      out.push_back(d.to_string());
    } else {
      ++dropped;
    }
  }
  std::size_t summarized = 0;
  for (const auto& key : order) {
    const auto& [count, shown] = seen[key];
    // Summed up per message only for messages already shown (repeats).
    if (shown == 0 || count == shown) continue;
    const auto& [sev, field, message] = key;
    out.push_back("... " + std::to_string(count - shown) + " more " +
                  (sev == Severity::kError ? "errors" : "warnings") +
                  " like this: " + (field.empty() ? "" : field + ": ") + message);
    summarized += static_cast<std::size_t>(count - shown);
  }
  if (dropped > summarized) {
    out.push_back("... " + std::to_string(dropped - summarized) + " more diagnostics not shown");
  }
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& d : other.items_) {
    items_.push_back(d);
    if (d.severity == Severity::kError) ++errors_;
  }
}

}  // namespace aqueduct::core
