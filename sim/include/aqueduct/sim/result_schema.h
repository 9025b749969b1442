// The result model, described once: every table a run produces (jobs,
// timeseries, cache_status, dataloads, scaling) and its summary, each column
// with a name, type, unit and meaning. The CSV and summary.json writers and
// the Python DataFrames all iterate these descriptions, so a column has the
// same name, type and missing value wherever it is read. docs/results.md
// documents the same tables; a test keeps the two in step.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aqueduct/sim/results.h"

namespace aqueduct::sim::schema {

// Raised when a column is renamed, removed or changes meaning; adding a
// column keeps the version.
inline constexpr int kVersion = 1;

enum class Type { kString, kInt, kFloat, kBool, kStringList };
std::string_view type_name(Type t);  // "string", "int", "float", "bool", "list[string]"

// One value. Missing (std::monostate): an empty CSV field, null in JSON, NaN
// in a float DataFrame column. Only float and string columns can be missing.
using Cell =
    std::variant<std::monostate, std::string, std::int64_t, double, bool, std::vector<std::string>>;

template <typename Row>
struct Column {
  std::string_view name;
  Type type;
  std::string_view unit;  // "s", "B", "B/s", "GPU", "USD", "" for none
  std::string_view doc;
  int decimals;  // digits written for float values (files stay byte-identical)
  Cell (*get)(const Row&);
};

// A table written as <name>.csv, one row per record.
template <typename Row>
struct Table {
  std::string_view name;
  std::string_view doc;
  const std::vector<Column<Row>>& columns;
};

Table<JobRecord> jobs();
Table<Sample> timeseries();
Table<CacheStatusSample> cache_status();
Table<DataLoadRecord> dataloads();
Table<ScaleRecord> scaling();
// summary.json: one flat object; the run's identity (schema version,
// Aqueduct version and commit) comes first.
Table<Summary> summary();

// The text a cell has in a CSV (or, for kStringList, ';'-joined).
std::string csv_text(const Cell& c, int decimals);

}  // namespace aqueduct::sim::schema
