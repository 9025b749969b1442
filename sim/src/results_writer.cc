#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aqueduct/core/quantity.h"
#include "aqueduct/sim/results.h"

namespace aqueduct::sim {
namespace {

// Fixed formats keep files byte-identical across runs and machines.
std::string fmt(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

core::Status write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) return core::io_error(p.string() + ": cannot open for writing");
  out << content;
  out.close();
  if (!out) return core::io_error(p.string() + ": write failed");
  return core::Status::ok();
}

}  // namespace

core::Status write_results(const RunResult& r, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::io_error(dir + ": cannot create output folder: " + ec.message());
  std::filesystem::path d(dir);

  std::ostringstream jobs;
  jobs << "job_id,application,dataset,gpus,pods,arrival_s,start_s,end_s,jct_s,queue_s,"
          "bytes_from_cache,bytes_from_store,hit_ratio,nodes,unschedulable_reason,startup_s,"
          "bytes_from_page_cache\n";
  for (const auto& j : r.jobs) {
    std::int64_t read = j.bytes_from_cache + j.bytes_from_store + j.bytes_from_page_cache;
    jobs << csv_field(j.id) << ',' << csv_field(j.application) << ',' << csv_field(j.dataset) << ','
         << fmt(j.gpus, 3) << ',' << j.pods << ',' << fmt(j.arrival_s) << ','
         << (j.start_s >= 0 ? fmt(j.start_s) : "") << ',' << (j.completed() ? fmt(j.end_s) : "")
         << ',' << (j.completed() ? fmt(j.jct_s()) : "") << ','
         << (j.start_s >= 0 ? fmt(j.queue_s()) : "") << ',' << j.bytes_from_cache << ','
         << j.bytes_from_store << ','
         << (read > 0 ? fmt(static_cast<double>(j.bytes_from_cache) / read, 6) : "") << ','
         << csv_field(j.nodes) << ',' << csv_field(j.last_unschedulable_reason) << ','
         << fmt(j.startup_s) << ',' << j.bytes_from_page_cache << '\n';
  }
  AQ_RETURN_IF_ERROR(write_file(d / "jobs.csv", jobs.str()));

  std::ostringstream ts;
  ts << "time_s,gpu_utilization,cpu_utilization,running_jobs,pending_jobs,cache_used_bytes,"
        "cache_capacity_bytes,hit_ratio,store_throughput_Bps,cache_throughput_Bps\n";
  for (const auto& s : r.samples) {
    ts << fmt(s.time_s) << ',' << fmt(s.gpu_utilization, 6) << ',' << fmt(s.cpu_utilization, 6)
       << ',' << s.running_jobs << ',' << s.pending_jobs << ',' << s.cache_used_bytes << ','
       << s.cache_capacity_bytes << ',' << (s.hit_ratio >= 0 ? fmt(s.hit_ratio, 6) : "") << ','
       << fmt(s.store_throughput, 1) << ',' << fmt(s.cache_throughput, 1) << '\n';
  }
  AQ_RETURN_IF_ERROR(write_file(d / "timeseries.csv", ts.str()));

  std::ostringstream cs;
  cs << "time_s,dataset,cache_capacity_bytes,cached_bytes,cached_percentage,cache_hit_ratio\n";
  for (const auto& c : r.cache_status) {
    cs << fmt(c.time_s) << ',' << csv_field(c.dataset) << ',' << c.capacity_bytes << ','
       << c.cached_bytes << ',' << fmt(c.cached_percentage, 3) << ','
       << (c.hit_ratio >= 0 ? fmt(c.hit_ratio, 6) : "") << '\n';
  }
  AQ_RETURN_IF_ERROR(write_file(d / "cache_status.csv", cs.str()));

  std::ostringstream dl;
  dl << "dataload,dataset,policy,run,phase,start_s,end_s,duration_s,bytes_loaded\n";
  for (const auto& x : r.dataloads) {
    dl << csv_field(x.name) << ',' << csv_field(x.dataset) << ',' << x.policy << ',' << x.run << ','
       << x.phase << ',' << fmt(x.start_s) << ',' << (x.end_s >= 0 ? fmt(x.end_s) : "") << ','
       << (x.end_s >= 0 ? fmt(x.end_s - x.start_s) : "") << ',' << x.bytes_loaded << '\n';
  }
  AQ_RETURN_IF_ERROR(write_file(d / "dataloads.csv", dl.str()));

  std::ostringstream se;
  se << "time_s,runtime,from,to,reason\n";
  for (const auto& e : r.scale_events) {
    se << fmt(e.time_s) << ',' << csv_field(e.runtime) << ',' << e.from << ',' << e.to << ','
       << csv_field(e.reason) << '\n';
  }
  AQ_RETURN_IF_ERROR(write_file(d / "scaling.csv", se.str()));

  const Summary& s = r.summary;
  nlohmann::ordered_json j;
  j["experiment"] = s.experiment;
  j["scenario"] = s.scenario;
  j["seed"] = s.seed;
  j["policies"] = {{"scheduler", s.scheduler}, {"eviction", s.eviction}};
  j["cache_enabled"] = s.cache_enabled;
  j["jobs"] = s.jobs;
  j["completed"] = s.completed;
  j["never_placed"] = s.never_placed;
  j["jct_s"] = {{"mean", std::stod(fmt(s.mean_jct_s))},
                {"p50", std::stod(fmt(s.p50_jct_s))},
                {"p95", std::stod(fmt(s.p95_jct_s))},
                {"p99", std::stod(fmt(s.p99_jct_s))}};
  j["mean_queue_s"] = std::stod(fmt(s.mean_queue_s));
  j["makespan_s"] = std::stod(fmt(s.makespan_s));
  j["bytes_from_cache"] = s.bytes_from_cache;
  j["bytes_from_store"] = s.bytes_from_store;
  j["bytes_from_page_cache"] = s.bytes_from_page_cache;
  j["hit_ratio"] = std::stod(fmt(s.hit_ratio, 6));
  j["dataload_bytes"] = s.dataload_bytes;
  j["node_cost"] = std::stod(fmt(s.node_cost, 2));
  j["events"] = s.events;
  j["flow_resolve_events"] = s.flow_resolve_events;
  j["simulated_s"] = std::stod(fmt(s.simulated_s));
  j["cache_worker_moves"] = s.cache_worker_moves;
  j["cache_cost"] = std::stod(fmt(s.cache_cost, 2));
  j["eci_cost"] = std::stod(fmt(s.eci_cost, 2));
  j["sidecar_linger_s"] = std::stod(fmt(s.sidecar_linger_s));
  j["elasticity"] = {{"scale_ups", s.scale_ups},
                     {"scale_downs", s.scale_downs},
                     {"migrated_bytes", s.migrated_bytes}};
  j["trace"] = {{"rows", s.trace_rows},
                {"outside_window", s.trace_rows_outside_window},
                {"skipped", s.trace_rows_skipped},
                {"skipped_reasons", s.skipped_reasons}};
  AQ_RETURN_IF_ERROR(write_file(d / "summary.json", j.dump(2) + "\n"));

  if (plotting_available()) AQ_RETURN_IF_ERROR(write_plot(r, (d / "plots.png").string()));
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
