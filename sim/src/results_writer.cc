#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aqueduct/core/quantity.h"
#include "aqueduct/core/text/csv_quote.h"
#include "aqueduct/sim/result_schema.h"
#include "aqueduct/sim/results.h"

namespace aqueduct::sim {
namespace {

// Fixed formats keep files byte-identical across runs and machines.
std::string fmt(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

core::Status write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) return core::io_error(p.string() + ": cannot open for writing");
  out << content;
  out.close();
  if (!out) return core::io_error(p.string() + ": write failed");
  return core::Status::ok();
}

template <typename Row>
std::string to_csv(const schema::Table<Row>& t, const std::vector<Row>& rows) {
  std::string out;
  for (const auto& c : t.columns) out += (out.empty() ? "" : ",") + std::string(c.name);
  out += '\n';
  for (const auto& r : rows) {
    bool first = true;
    for (const auto& c : t.columns) {
      if (!first) out += ',';
      first = false;
      out += core::csv_quote(schema::csv_text(c.get(r), c.decimals));
    }
    out += '\n';
  }
  return out;
}

nlohmann::ordered_json summary_json(const Summary& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& c : schema::summary().columns) {
    const schema::Cell v = c.get(s);
    auto& out = j[std::string(c.name)];
    if (const auto* x = std::get_if<std::string>(&v)) {
      out = *x;
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      out = *i;
    } else if (const auto* d = std::get_if<double>(&v)) {
      out = std::stod(fmt(*d, c.decimals));  // rounded as in the CSVs: byte-identical files
    } else if (const auto* b = std::get_if<bool>(&v)) {
      out = *b;
    } else if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
      out = *l;
    } else {
      out = nullptr;
    }
  }
  return j;
}

}  // namespace

std::string summary_json_text(const Summary& s) { return summary_json(s).dump(2) + "\n"; }

core::Status write_results(const RunResult& r, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::io_error(dir + ": cannot create output folder: " + ec.message());
  std::filesystem::path d(dir);
  AQ_RETURN_IF_ERROR(write_file(d / "jobs.csv", to_csv(schema::jobs(), r.jobs)));
  AQ_RETURN_IF_ERROR(write_file(d / "timeseries.csv", to_csv(schema::timeseries(), r.samples)));
  AQ_RETURN_IF_ERROR(
      write_file(d / "cache_status.csv", to_csv(schema::cache_status(), r.cache_status)));
  AQ_RETURN_IF_ERROR(write_file(d / "dataloads.csv", to_csv(schema::dataloads(), r.dataloads)));
  AQ_RETURN_IF_ERROR(write_file(d / "scaling.csv", to_csv(schema::scaling(), r.scale_events)));
  AQ_RETURN_IF_ERROR(write_file(d / "summary.json", summary_json_text(r.summary)));
  if (!r.resolved_experiment.empty()) {
    AQ_RETURN_IF_ERROR(write_file(d / "experiment.yaml", r.resolved_experiment));
  }
  return core::Status::ok();
}

std::string format_summary_table(const std::vector<RunResult>& runs) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-14s %6s %10s %10s %10s %10s %12s %7s %12s %11s\n", "scenario",
                "done", "mean JCT", "p50 JCT", "p95 JCT", "queue", "makespan", "hit", "from store",
                "cache cost");
  out << line;
  for (const auto& r : runs) {
    const Summary& s = r.summary;
    std::string done = std::to_string(s.completed) + "/" + std::to_string(s.jobs);
    std::snprintf(
        line, sizeof line, "%-14s %6s %9.0fs %9.0fs %9.0fs %9.0fs %11.0fs %6.1f%% %12s %11.2f\n",
        s.scenario.c_str(), done.c_str(), s.mean_jct_s, s.p50_jct_s, s.p95_jct_s, s.mean_queue_s,
        s.makespan_s, 100.0 * s.hit_ratio,
        core::format_bytes(static_cast<double>(s.bytes_from_store)).c_str(), s.cache_cost);
    out << line;
  }
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const Summary& a = runs[0].summary;
    const Summary& b = runs[i].summary;
    if (b.mean_jct_s <= 0 || b.makespan_s <= 0) continue;
    std::snprintf(line, sizeof line,
                  "%s vs %s: mean JCT %.2fx faster, p95 JCT %.2fx, makespan %.2fx, object-store "
                  "traffic %.1f%% of baseline\n",
                  b.scenario.c_str(), a.scenario.c_str(), a.mean_jct_s / b.mean_jct_s,
                  b.p95_jct_s > 0 ? a.p95_jct_s / b.p95_jct_s : 0.0, a.makespan_s / b.makespan_s,
                  a.bytes_from_store > 0
                      ? 100.0 * static_cast<double>(b.bytes_from_store) / a.bytes_from_store
                      : 0.0);
    out << line;
    // Per application: where the difference comes from.
    std::map<std::string, std::pair<double, int>> base_apps, run_apps;
    for (const auto& j : runs[0].jobs) {
      if (j.completed())
        base_apps[j.application].first += j.jct_s(), ++base_apps[j.application].second;
    }
    for (const auto& j : runs[i].jobs) {
      if (j.completed())
        run_apps[j.application].first += j.jct_s(), ++run_apps[j.application].second;
    }
    for (const auto& [app, agg] : run_apps) {
      auto it = base_apps.find(app);
      if (it == base_apps.end() || agg.first <= 0) continue;
      double before = it->second.first / it->second.second, after = agg.first / agg.second;
      std::snprintf(line, sizeof line, "  %-14s %4d jobs  mean JCT %8.0fs -> %8.0fs  (%.2fx)\n",
                    app.c_str(), agg.second, before, after, before / after);
      out << line;
    }
  }
  return out.str();
}

}  // namespace aqueduct::sim
