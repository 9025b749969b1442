// -o/--output of commands whose output has a shape: a table for people, and
// the same rows as JSON, YAML or CSV for programs.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace aqueduct::cli {

enum class OutputFormat { kTable, kJson, kYaml, kCsv };

// "table", "json", "yaml" or "csv" (the command line checks the value first).
OutputFormat parse_output_format(const std::string& name);

// `rows`, a JSON array of objects with the same keys, as JSON (indented),
// YAML (a list of maps) or CSV (a header from the first row's keys, RFC 4180
// quoting, null as an empty cell, nested values as compact JSON). kTable is
// the command's own rendering and not handled here. `columns` gives CSV its
// header when there are no rows.
void write_rows(const nlohmann::ordered_json& rows, OutputFormat format, std::ostream& out,
                const std::vector<std::string>& columns = {});

// One object (e.g. `aqueduct version`) as JSON or YAML.
void write_object(const nlohmann::ordered_json& object, OutputFormat format, std::ostream& out);

// One CSV cell, quoted when it holds a comma, quote or line break.
std::string csv_cell(const nlohmann::ordered_json& value);

}  // namespace aqueduct::cli
