// `aqueduct schema`: the result model (sim/result_schema.h) as a table, JSON
// (what the Python package reads its files with), YAML, CSV (a row per column)
// or Markdown (docs/results.md).
#include <fmt/core.h>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "aqueduct/sim/result_schema.h"
#include "commands.h"
#include "output_format.h"

namespace aqueduct::cli {
namespace {

namespace schema = sim::schema;

template <typename Row>
nlohmann::ordered_json table_json(const schema::Table<Row>& t, const std::string& file) {
  nlohmann::ordered_json cols = nlohmann::ordered_json::array();
  for (const auto& c : t.columns) {
    cols.push_back({{"name", c.name},
                    {"type", schema::type_name(c.type)},
                    {"unit", c.unit},
                    {"decimals", c.decimals},
                    {"doc", c.doc}});
  }
  return {{"name", t.name}, {"file", file}, {"doc", t.doc}, {"columns", cols}};
}

nlohmann::ordered_json schema_json() {
  nlohmann::ordered_json tables = nlohmann::ordered_json::array();
  tables.push_back(table_json(schema::jobs(), "jobs.csv"));
  tables.push_back(table_json(schema::timeseries(), "timeseries.csv"));
  tables.push_back(table_json(schema::cache_status(), "cache_status.csv"));
  tables.push_back(table_json(schema::dataloads(), "dataloads.csv"));
  tables.push_back(table_json(schema::scaling(), "scaling.csv"));
  tables.push_back(table_json(schema::summary(), "summary.json"));
  return {{"schema_version", schema::kVersion}, {"tables", tables}};
}

std::string markdown(const nlohmann::ordered_json& s) {
  std::string out;
  for (const auto& t : s["tables"]) {
    out += "### " + t["file"].get<std::string>() + "\n\n" + t["doc"].get<std::string>() +
           ".\n\n| column | type | unit | meaning |\n|---|---|---|---|\n";
    for (const auto& c : t["columns"]) {
      std::string unit = c["unit"].get<std::string>();
      out += "| `" + c["name"].get<std::string>() + "` | " + c["type"].get<std::string>() + " | " +
             (unit.empty() ? "" : unit) + " | " + c["doc"].get<std::string>() + " |\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

int run_schema(const std::string& output) {
  const nlohmann::ordered_json s = schema_json();
  if (output == "json" || output == "yaml") {
    write_object(s, parse_output_format(output), std::cout);
  } else if (output == "csv") {
    // One row per column of every file.
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& t : s["tables"]) {
      for (const auto& c : t["columns"]) {
        nlohmann::ordered_json row = {{"file", t["file"]}};
        for (const auto& item : c.items()) row[item.key()] = item.value();
        rows.push_back(row);
      }
    }
    write_rows(rows, OutputFormat::kCsv, std::cout);
  } else if (output == "markdown") {
    std::cout << markdown(s);
  } else {
    fmt::print("result model, schema version {}\n", schema::kVersion);
    for (const auto& t : s["tables"]) {
      fmt::print("\n{}: {}\n", t["file"].get<std::string>(), t["doc"].get<std::string>());
      for (const auto& c : t["columns"]) {
        fmt::print("  {:<26} {:<12} {:<4} {}\n", c["name"].get<std::string>(),
                   c["type"].get<std::string>(), c["unit"].get<std::string>(),
                   c["doc"].get<std::string>());
      }
    }
  }
  return 0;
}

}  // namespace aqueduct::cli
