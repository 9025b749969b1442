#include "output_format.h"

#include <algorithm>

#include "aqueduct/core/text/csv_quote.h"
#include "aqueduct/core/yaml/yaml_json.h"

namespace aqueduct::cli {

OutputFormat parse_output_format(const std::string& name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "yaml") return OutputFormat::kYaml;
  if (name == "csv") return OutputFormat::kCsv;
  return OutputFormat::kTable;
}

std::string csv_cell(const nlohmann::ordered_json& value) {
  std::string s;
  if (value.is_null()) return s;
  if (value.is_string()) {
    s = value.get<std::string>();
  } else if (value.is_array() &&
             std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); })) {
    // Lists of strings as in the result files: ';'-joined.
    for (const auto& v : value) s += (s.empty() ? "" : ";") + v.get<std::string>();
  } else if (value.is_boolean()) {
    s = value.get<bool>() ? "true" : "false";
  } else {
    s = value.dump();
  }
  return core::csv_quote(s);
}

void write_rows(const nlohmann::ordered_json& rows, OutputFormat format, std::ostream& out,
                const std::vector<std::string>& columns) {
  switch (format) {
    case OutputFormat::kJson:
      out << rows.dump(2) << "\n";
      return;
    case OutputFormat::kYaml:
      out << (rows.empty() ? std::string("[]\n") : core::json_to_yaml_text(rows));
      return;
    case OutputFormat::kCsv: {
      std::vector<std::string> keys = columns;
      if (!rows.empty()) {
        keys.clear();
        for (const auto& item : rows.front().items()) keys.push_back(item.key());
      }
      if (keys.empty()) return;
      for (std::size_t i = 0; i < keys.size(); ++i) out << (i ? "," : "") << csv_cell(keys[i]);
      out << "\n";
      for (const auto& row : rows) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
          out << (i ? "," : "")
              << csv_cell(row.contains(keys[i]) ? row[keys[i]] : nlohmann::ordered_json());
        }
        out << "\n";
      }
      return;
    }
    case OutputFormat::kTable:
      return;
  }
}

void write_object(const nlohmann::ordered_json& object, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kYaml) {
    out << core::json_to_yaml_text(object);
  } else {
    out << object.dump(2) << "\n";
  }
}

}  // namespace aqueduct::cli
