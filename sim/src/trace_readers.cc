#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "aqueduct/core/quantity.h"
#include "aqueduct/core/text/suggest.h"
#include "aqueduct/sim/csv.h"
#include "aqueduct/sim/trace.h"

namespace aqueduct::sim {
namespace {

// Bounds on trace numbers: times and durations within ~300 years, at most
// 100,000 GPUs per job (past the largest clusters), so that no later
// conversion to integers or to simulated time can overflow.
constexpr double kMaxTraceNumber = 1e15;
constexpr double kMaxSeconds = 1e10;
constexpr double kMaxJobGpus = 1e5;

std::string fmt_bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// One row's fields with its header, and a place to record what is wrong.
struct Row {
  const CsvHeader& header;
  const std::vector<std::string>& fields;
  std::string error;

  const std::string* get(std::string_view col) {
    auto i = header.find(col);
    if (!i || *i >= fields.size()) return nullptr;
    return &fields[*i];
  }
  // A finite number in [min, max] (the bounds keep later integer and time
  // conversions exact), or nullopt with the error recorded.
  std::optional<double> num(std::string_view col, bool required, double min = -1e300,
                            double max = kMaxTraceNumber) {
    const std::string* s = get(col);
    if (!s || s->empty()) {
      if (required && error.empty()) error = "column " + std::string(col) + ": missing value";
      return std::nullopt;
    }
    auto v = parse_double(*s);
    if (!v) {
      if (error.empty())
        error = "column " + std::string(col) + ": expected a number, got \"" + *s + "\"";
      return std::nullopt;
    }
    if (!std::isfinite(*v) || *v < min || *v > max) {
      if (error.empty()) {
        error = "column " + std::string(col) + ": expected a value from " + fmt_bound(min) +
                " to " + fmt_bound(max) + ", got " + *s;
      }
      return std::nullopt;
    }
    return v;
  }
  std::string text(std::string_view col) {
    const std::string* s = get(col);
    return s ? *s : std::string();
  }
};

using RowParser = std::function<void(Row&, TraceJob&)>;

// "YYYY-MM-DD HH:MM:SS" as seconds since 2024-11-15 00:00:00 (the start of the
// Alibaba GenAI trace); days from the civil calendar (Howard Hinnant's algorithm).
std::optional<double> parse_datetime(const std::string& s) {
  int y, mo, d, h, mi, se;
  char extra;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &extra) != 6)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
      se > 60) {
    return std::nullopt;
  }
  auto days = [](long yy, unsigned mm, unsigned dd) {
    yy -= mm <= 2;
    const long era = (yy >= 0 ? yy : yy - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(yy - era * 400);
    const unsigned doy = (153 * (mm + (mm > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
  };
  long day = days(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) - days(2024, 11, 15);
  return static_cast<double>(day) * 86400.0 + h * 3600.0 + mi * 60.0 + se;
}

struct ReaderDef {
  std::string name;
  std::vector<std::string> required_columns;
  RowParser parse;
};

std::vector<ReaderDef> reader_defs() {
  std::vector<ReaderDef> defs;
  defs.push_back({"generic-csv", {"job_id", "arrival_s"}, [](Row& r, TraceJob& j) {
                    j.id = r.text("job_id");
                    if (j.id.empty() && r.error.empty()) r.error = "column job_id: missing value";
                    j.arrival_s = r.num("arrival_s", true, 0, kMaxSeconds).value_or(0);
                    j.gpus = r.num("gpus", false, 0, kMaxJobGpus).value_or(0);
                    if (const std::string* c = r.get("cpu"); c && !c->empty()) {
                      auto q = core::parse_quantity(*c);
                      if (!q.ok()) {
                        if (r.error.empty()) r.error = "column cpu: " + q.status().message();
                      } else {
                        j.cpu_milli = q->as_milli();
                      }
                    }
                    if (const std::string* m = r.get("memory"); m && !m->empty()) {
                      auto q = core::parse_quantity(*m);
                      if (!q.ok()) {
                        if (r.error.empty()) r.error = "column memory: " + q.status().message();
                      } else {
                        j.memory_bytes = q->as_int();
                      }
                    }
                    j.application = r.text("application");
                    j.dataset = r.text("dataset");
                    j.epochs =
                        static_cast<std::int32_t>(r.num("epochs", false, 1, 1e6).value_or(0));
                    if (auto d = r.num("duration_s", false, 0, kMaxSeconds)) {
                      j.has_duration = true;
                      j.duration_s = *d;
                    }
                  }});
  defs.push_back({"philly-gavel",
                  {"job_type", "total_steps", "arrival_time_s", "num_gpus"},
                  [](Row& r, TraceJob& j) {
                    std::string type = r.text("job_type");
                    j.job_type = type;
                    j.steps = r.num("total_steps", true, 0).value_or(-1);
                    auto paren = type.find(" (");
                    j.application = paren == std::string::npos ? type : type.substr(0, paren);
                    if (j.application.empty() && r.error.empty())
                      r.error = "column job_type: missing value";
                    j.arrival_s = r.num("arrival_time_s", true, 0, kMaxSeconds).value_or(0);
                    j.gpus = r.num("num_gpus", true, 0, kMaxJobGpus).value_or(0);
                  }});
  defs.push_back(
      {"pollux", {"name", "time", "application", "num_replicas"}, [](Row& r, TraceJob& j) {
         j.id = r.text("name");
         j.application = r.text("application");
         if (j.application.empty() && r.error.empty())
           r.error = "column application: missing value";
         j.arrival_s = r.num("time", true, 0, kMaxSeconds).value_or(0);
         j.gpus = r.num("num_replicas", true, 0, kMaxJobGpus).value_or(0);
       }});
  defs.push_back({"alibaba-gpu-v2023",
                  {"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "creation_time",
                   "deletion_time"},
                  [](Row& r, TraceJob& j) {
                    j.id = r.text("name");
                    j.cpu_milli =
                        static_cast<std::int64_t>(r.num("cpu_milli", true, 0, 1e9).value_or(0));
                    j.memory_bytes = static_cast<std::int64_t>(
                        r.num("memory_mib", true, 0, 1e12).value_or(0) * 1048576.0);
                    double n = r.num("num_gpu", true, 0, kMaxJobGpus).value_or(0);
                    double milli = r.num("gpu_milli", false, 0, 1000).value_or(1000);
                    j.gpus = (n == 1 && milli > 0 && milli < 1000) ? milli / 1000.0 : n;
                    j.arrival_s = r.num("creation_time", true, 0, kMaxSeconds).value_or(0);
                    auto del = r.num("deletion_time", true, 0, kMaxSeconds);
                    if (del && *del < j.arrival_s && r.error.empty()) {
                      r.error = "deletion_time " + std::to_string(static_cast<long long>(*del)) +
                                " is before creation_time";
                    }
                    if (del) {
                      j.has_duration = true;  // 0 is valid: created and deleted in the same second
                      j.duration_s = *del - j.arrival_s;
                    }
                  }});
  defs.push_back(
      {"alibaba-genai-lora-v2026", {"gmt_create", "exec_time_seconds"}, [](Row& r, TraceJob& j) {
         auto t = parse_datetime(r.text("gmt_create"));
         if (!t) {
           if (r.error.empty()) {
             r.error = "column gmt_create: expected YYYY-MM-DD HH:MM:SS, got \"" +
                       r.text("gmt_create") + "\"";
           }
           return;
         }
         j.arrival_s = *t;
         auto d = r.num("exec_time_seconds", true, 0, kMaxSeconds);
         if (d) {
           j.has_duration = true;
           j.duration_s = *d;
         }
         j.gpus = 1;
       }});
  return defs;
}

// Gavel's throughput table: (job_type, scale_factor) -> steps/s of one
// worker type, run in isolation.
// (job type, scale factor) -> steps/s on each worker type.
using ThroughputTable = std::map<std::pair<std::string, int>, std::map<std::string, double>>;

core::Result<ThroughputTable> read_throughputs(const std::string& file,
                                               const std::string& worker_type) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return core::not_found(file + ": cannot open the throughput table");
  CsvReader csv(in);
  std::vector<std::string> fields;
  if (!csv.next(fields)) return core::invalid_argument(file + ":1: empty: expected a header line");
  CsvHeader header(fields);
  for (const char* col : {"worker_type", "job_type", "scale_factor", "steps_per_s"}) {
    if (!header.find(col))
      return core::invalid_argument(file + ":1: the throughput table needs column \"" +
                                    std::string(col) + "\"");
  }
  ThroughputTable table;
  std::set<std::string> types;
  while (csv.next(fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    std::string where = file + ":" + std::to_string(csv.line()) + ": ";
    if (fields.size() != header.names().size())
      return core::invalid_argument(where + "expected " + std::to_string(header.names().size()) +
                                    " fields, got " + std::to_string(fields.size()));
    const std::string& wt = fields[*header.find("worker_type")];
    types.insert(wt);
    auto sf = parse_double(fields[*header.find("scale_factor")]);
    auto tp = parse_double(fields[*header.find("steps_per_s")]);
    if (!sf || *sf < 1 || *sf != std::floor(*sf))
      return core::invalid_argument(where + "scale_factor: expected a positive integer");
    if (!tp || !(*tp >= 0))
      return core::invalid_argument(where + "steps_per_s: expected a number >= 0");
    table[{fields[*header.find("job_type")], static_cast<int>(*sf)}][wt] = *tp;
  }
  if (!csv.status().is_ok()) return core::invalid_argument(file + ": " + csv.status().message());
  if (!types.contains(worker_type)) {
    std::string have;
    for (const auto& t : types) have += (have.empty() ? "" : ", ") + t;
    return core::invalid_argument(file + ": no rows for worker type \"" + worker_type +
                                  "\" (the table has: " + have + ")");
  }
  return table;
}

}  // namespace

std::vector<std::string> trace_reader_names() {
  std::vector<std::string> out;
  for (const auto& d : reader_defs()) out.push_back(d.name);
  return out;
}

core::Result<TraceData> read_trace(const TraceSpec& spec) {
  auto defs = reader_defs();
  const ReaderDef* def = nullptr;
  for (const auto& d : defs) {
    if (d.name == spec.reader) def = &d;
  }
  if (!def) {
    std::string names;
    std::vector<std::string> list;
    for (const auto& d : defs) {
      names += (names.empty() ? "" : ", ") + d.name;
      list.emplace_back(d.name);
    }
    return core::invalid_argument("unknown trace reader \"" + spec.reader + "\": expected one of " +
                                  names + core::did_you_mean(spec.reader, list));
  }
  std::ifstream in(spec.file, std::ios::binary);
  if (!in) return core::not_found(spec.file + ": cannot open trace file");
  CsvReader csv(in);
  std::vector<std::string> fields;
  if (!csv.next(fields)) {
    return core::invalid_argument(spec.file + ":1: empty trace: expected a header line");
  }
  CsvHeader header(fields);
  for (const auto& col : def->required_columns) {
    if (!header.find(col)) {
      std::string have;
      for (const auto& n : header.names()) have += (have.empty() ? "" : ",") + n;
      return core::invalid_argument(spec.file + ":1: reader " + def->name + " needs column \"" +
                                    col + "\"; the header has: " + have);
    }
  }
  ThroughputTable throughputs;
  const bool lengths_from_trace = spec.lengths != "application";
  if (def->name == "philly-gavel" && lengths_from_trace) {
    if (spec.throughputs.empty()) {
      return core::invalid_argument(
          spec.file +
          ": reader philly-gavel needs workload.trace.throughputs, Gavel's throughput table "
          "(data/traces/philly-derived/gavel_throughputs.csv): a job's run time is its "
          "total_steps over its isolated throughput (or set workload.trace.lengths: application "
          "to take only arrivals and sizes from the trace)");
    }
    AQ_ASSIGN_OR_RETURN(throughputs, read_throughputs(spec.throughputs, spec.worker_type));
  }
  TraceData out;
  std::unordered_map<std::string, std::int64_t> lines_by_id;
  while (csv.next(fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    ++out.rows;
    Row row{header, fields, {}};
    if (fields.size() != header.names().size()) {
      row.error = "expected " + std::to_string(header.names().size()) + " fields, got " +
                  std::to_string(fields.size());
    }
    TraceJob job;
    job.line = csv.line();
    if (row.error.empty()) def->parse(row, job);
    if (!lengths_from_trace) {
      job.has_duration = false;
      job.duration_s = 0;
    } else if (row.error.empty() && job.steps >= 0) {
      auto it = throughputs.find({job.job_type, static_cast<int>(job.gpus)});
      const double ref = it == throughputs.end() || !it->second.contains(spec.worker_type)
                             ? 0.0
                             : it->second.at(spec.worker_type);
      if (ref <= 0 || job.gpus != std::floor(job.gpus)) {
        row.error = "no " + spec.worker_type + " throughput for \"" + job.job_type + "\" on " +
                    std::to_string(static_cast<int>(job.gpus)) + " GPUs in " + spec.throughputs;
      } else {
        job.has_duration = true;
        job.duration_s = job.steps / ref;
        for (const auto& [type, tp] : it->second) job.speed_by_type[type] = tp / ref;
      }
    }
    if (job.id.empty()) job.id = def->name + "-" + std::to_string(csv.line());
    if (row.error.empty()) {
      auto [seen, fresh] = lines_by_id.try_emplace(job.id, csv.line());
      if (!fresh) {
        row.error = "job id \"" + job.id + "\" repeats the job on line " +
                    std::to_string(seen->second) + " (ids must be unique)";
      }
    }
    if (!row.error.empty()) {
      if (!spec.skip_bad_rows) {
        return core::invalid_argument(spec.file + ":" + std::to_string(csv.line()) + ": " +
                                      row.error +
                                      " (set workload.trace.onBadRow: skip to skip such rows)");
      }
      out.skipped.push_back({csv.line(), row.error});
      continue;
    }
    if (job.arrival_s < spec.start_s || (spec.end_s > 0 && job.arrival_s >= spec.end_s)) {
      ++out.outside_window;
      continue;
    }
    job.arrival_s = (job.arrival_s - spec.start_s) * spec.time_scale * spec.arrival_scale;
    job.duration_s *= spec.time_scale;
    out.jobs.push_back(std::move(job));
  }
  if (!csv.status().is_ok()) {
    return core::invalid_argument(spec.file + ": " + csv.status().message());
  }
  std::stable_sort(out.jobs.begin(), out.jobs.end(),
                   [](const TraceJob& a, const TraceJob& b) { return a.arrival_s < b.arrival_s; });
  if (spec.max_jobs > 0 && static_cast<std::int64_t>(out.jobs.size()) > spec.max_jobs) {
    out.outside_window += static_cast<std::int64_t>(out.jobs.size()) - spec.max_jobs;
    out.jobs.resize(static_cast<std::size_t>(spec.max_jobs));
  }
  return out;
}

}  // namespace aqueduct::sim
