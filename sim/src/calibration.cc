#include "aqueduct/sim/calibration.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "aqueduct/core/text/suggest.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/experiment.h"

namespace aqueduct::sim {
namespace fs = std::filesystem;
using core::YamlCursor;

std::vector<std::string> calibration_metrics() {
  return {"job-throughput", "job-jct", "job-hit-ratio", "hit-ratio",
          "mean-jct",       "p95-jct", "makespan"};
}

namespace {

bool is_job_metric(const std::string& m) { return m.rfind("job-", 0) == 0; }

// A published figure: a plain number in the metric's base unit, or a
// bandwidth ("0.5GB/s") or a duration ("81.6h").
std::optional<double> parse_figure(YamlCursor& t, std::string_view key) {
  auto c = t.child(key, true);
  if (!c) return std::nullopt;
  auto text = c->scalar("a number, a bandwidth (0.5GB/s) or a duration (81.6h)");
  if (!text) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (!text->empty() && end == text->c_str() + text->size() && std::isfinite(v)) return v;
  if (auto b = core::parse_bandwidth(*text); b.ok()) return *b;
  if (auto d = core::parse_duration(*text); d.ok()) return core::to_seconds(*d);
  c->error("",
           "expected a number, a bandwidth (0.5GB/s) or a duration (81.6h), got \"" + *text + "\"");
  return std::nullopt;
}

core::Result<double> measure(const RunResult& r, const CalibrationTarget& t) {
  if (is_job_metric(t.metric)) {
    const JobRecord* job = nullptr;
    for (const auto& j : r.jobs) {
      if (j.id == t.job) job = &j;
    }
    if (!job) return core::not_found("no job \"" + t.job + "\" in scenario " + t.scenario);
    if (!job->completed())
      return core::failed_precondition("job " + t.job + " did not complete in scenario " +
                                       t.scenario);
    double bytes = static_cast<double>(job->bytes_from_cache + job->bytes_from_store +
                                       job->bytes_from_page_cache);
    if (t.metric == "job-jct") return job->jct_s();
    if (t.metric == "job-hit-ratio") return bytes > 0 ? job->bytes_from_cache / bytes : 0.0;
    double run = job->end_s - job->start_s - job->startup_s;
    if (run <= 0) return core::failed_precondition("job " + t.job + " ran for no time");
    return bytes / run;
  }
  const Summary& s = r.summary;
  if (t.metric == "hit-ratio") return s.hit_ratio;
  if (t.metric == "mean-jct") return s.mean_jct_s;
  if (t.metric == "p95-jct") return s.p95_jct_s;
  return s.makespan_s;
}

}  // namespace

core::Result<CalibrationCase> load_calibration_file(const std::string& path,
                                                    core::Diagnostics& diags) {
  auto text = core::read_text_file(path);
  if (!text.ok()) {
    diags.error(core::SourcePos{path, 0, 0}, "", text.status().message());
    return text.status();
  }
  return load_calibration_yaml(*text, path, fs::path(path).parent_path().string(), diags);
}

core::Result<CalibrationCase> load_calibration_yaml(const std::string& text,
                                                    const std::string& path,
                                                    const std::string& base_dir,
                                                    core::Diagnostics& diags) {
  auto docs = core::parse_yaml_documents(text, path, diags);
  if (docs.size() != 1) {
    if (!diags.has_errors())
      diags.error(core::SourcePos{path, 1, 1}, "",
                  "expected one Calibration document, found " + std::to_string(docs.size()));
    return diags.to_status();
  }
  auto file = std::make_shared<const std::string>(path);
  YamlCursor root(docs[0], "", file, &diags, /*strict=*/true);
  CalibrationCase out;
  out.file = path;
  if (!root.expect_map("a Calibration object")) return diags.to_status();
  root.one_of("apiVersion", {"aqueduct.io/v1alpha1"}, true);
  root.one_of("kind", {"Calibration"}, true);
  if (auto m = root.child("metadata", true)) {
    out.name = m->str("name", true).value_or("");
    m->finish_unknown("metadata");
  }
  auto spec = root.child("spec", true);
  root.finish_unknown("a Calibration");
  if (!spec || !spec->expect_map("the calibration spec")) return diags.to_status();
  if (auto e = spec->str("experiment", true)) {
    out.experiment = (fs::path(base_dir) / *e).lexically_normal().string();
    if (!fs::exists(out.experiment))
      spec->error(spec->field_path("experiment"), "experiment file not found: " + out.experiment);
  }
  if (auto src = spec->child("source", true)) {
    if (src->expect_map("{citation, result, setup}")) {
      out.citation = src->str("citation", true).value_or("");
      out.result = src->str("result", true).value_or("");
      out.setup = src->str("setup", true).value_or("");
      src->finish_unknown("the source");
    }
  }
  spec->each(
      "targets",
      [&](YamlCursor& t) {
        if (!t.expect_map("a target {name, scenario, metric, published, tolerance, why}")) return;
        CalibrationTarget tg;
        tg.pos = t.pos();
        tg.name = t.str("name", true).value_or("");
        tg.scenario = t.str("scenario", true).value_or("");
        auto metrics = calibration_metrics();
        if (auto m = t.str("metric", true)) {
          if (std::find(metrics.begin(), metrics.end(), *m) == metrics.end()) {
            std::string list;
            for (const auto& n : metrics) list += (list.empty() ? "" : ", ") + n;
            t.error(t.field_path("metric"), "expected one of " + list + ", got \"" + *m + "\"" +
                                                core::did_you_mean(*m, metrics));
          }
          tg.metric = *m;
        }
        tg.job = t.str("job").value_or("");
        if (is_job_metric(tg.metric) && tg.job.empty())
          t.error(t.field_path("job"), "missing required field: metric " + tg.metric +
                                           " needs the id of the job to measure");
        tg.ratio_to = t.str("ratioTo").value_or("");
        if (auto p = parse_figure(t, "published")) tg.published = *p;
        if (auto tol = t.child("tolerance", true)) {
          if (tol->expect_map("{relative: 0.05} or {absolute: 0.01}")) {
            auto rel = tol->number("relative", false, 0, 10);
            auto abs = tol->number("absolute", false, 0, 1e300);
            if (rel.has_value() == abs.has_value()) {
              tol->error("", "expected exactly one of relative or absolute");
            } else if (rel) {
              tg.relative = true;
              tg.tolerance = *rel;
            } else {
              tg.relative = false;
              tg.tolerance = *abs;
            }
            tol->finish_unknown("a tolerance");
          }
        }
        tg.why = t.str("why", true).value_or("");
        t.finish_unknown("a target");
        out.targets.push_back(std::move(tg));
      },
      true);
  spec->finish_unknown("the calibration spec");
  if (out.targets.empty() && !diags.has_errors())
    spec->error(spec->field_path("targets"), "expected at least one target");
  if (diags.has_errors()) return diags.to_status();
  // The scenarios must exist in the experiment.
  core::Diagnostics exp_diags;
  auto plan = load_experiment_file(out.experiment, exp_diags);
  if (!plan.ok()) {
    diags.append(exp_diags);
    return plan.status();
  }
  for (const auto& t : out.targets) {
    for (const std::string* name : {&t.scenario, &t.ratio_to}) {
      if (name->empty()) continue;
      bool found = false;
      for (const auto& s : plan->scenarios) found = found || s.scenario == *name;
      if (!found)
        diags.error(t.pos, "scenario", "no scenario \"" + *name + "\" in " + out.experiment);
    }
  }
  if (diags.has_errors()) return diags.to_status();
  return out;
}

core::Result<std::vector<CalibrationRow>> run_calibration(const CalibrationCase& c,
                                                          const RunOptions& options) {
  core::Diagnostics diags;
  auto plan = load_experiment_file(c.experiment, diags);
  if (!plan.ok()) return plan.status();
  std::map<std::string, RunResult> results;
  auto result_of = [&](const std::string& name) -> core::Result<const RunResult*> {
    auto it = results.find(name);
    if (it != results.end()) return &it->second;
    for (const auto& s : plan->scenarios) {
      if (s.scenario != name) continue;
      auto r = run_experiment(s, options);
      if (!r.ok())
        return core::Status(r.status().code(),
                            c.experiment + ": scenario " + name + ": " + r.status().message());
      return &results.emplace(name, std::move(*r)).first->second;
    }
    return core::not_found("no scenario \"" + name + "\" in " + c.experiment);
  };
  std::vector<CalibrationRow> rows;
  for (const auto& t : c.targets) {
    AQ_ASSIGN_OR_RETURN(const RunResult* r, result_of(t.scenario));
    AQ_ASSIGN_OR_RETURN(double v, measure(*r, t));
    if (!t.ratio_to.empty()) {
      AQ_ASSIGN_OR_RETURN(const RunResult* base, result_of(t.ratio_to));
      CalibrationTarget bt = t;
      bt.scenario = t.ratio_to;
      AQ_ASSIGN_OR_RETURN(double b, measure(*base, bt));
      if (b == 0) return core::failed_precondition(t.name + ": the ratio's denominator is 0");
      v /= b;
    }
    CalibrationRow row;
    row.case_name = c.name;
    row.target = t.name;
    row.metric = t.metric + (t.ratio_to.empty() ? "" : " ratio");
    row.published = t.published;
    row.measured = v;
    row.relative = t.relative;
    row.tolerance = t.tolerance;
    row.error = t.relative ? (t.published != 0 ? std::abs(v - t.published) / std::abs(t.published)
                                               : std::abs(v))
                           : std::abs(v - t.published);
    row.pass = row.error <= t.tolerance;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace aqueduct::sim
