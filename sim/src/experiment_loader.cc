// Experiment YAML -> ExperimentPlan. See docs/experiment-format.md.
#include <filesystem>
#include <memory>
#include <set>

#include "aqueduct/core/elasticity/autoscaler.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/sim/experiment.h"
#include "aqueduct/sim/node_pools.h"
#include "aqueduct/sim/policy_yaml.h"

namespace aqueduct::sim {
namespace fs = std::filesystem;
using core::YamlCursor;

namespace {

// The key nodes are the source's own (force_insert keeps them), so a
// diagnostic on a merged key still names its line and column.
YAML::Node deep_merge(const YAML::Node& base, const YAML::Node& over) {
  if (!base || !base.IsMap() || !over.IsMap()) return over;
  YAML::Node out(YAML::NodeType::Map);
  for (auto it = base.begin(); it != base.end(); ++it) {
    std::string k = it->first.Scalar();
    if (over[k]) {
      out.force_insert(it->first, deep_merge(it->second, over[k]));
    } else {
      out.force_insert(it->first, it->second);
    }
  }
  for (auto it = over.begin(); it != over.end(); ++it) {
    std::string k = it->first.Scalar();
    if (!base[k]) out.force_insert(it->first, it->second);
  }
  return out;
}

std::string resolve(const std::string& base_dir, const std::string& file) {
  if (file.empty() || fs::path(file).is_absolute() || base_dir.empty()) return file;
  return (fs::path(base_dir) / file).lexically_normal().string();
}

// `file` resolved as the loader does, then made absolute: the resolved
// experiment must load from any folder.
std::string absolute_path(const std::string& base_dir, const std::string& file) {
  std::string p = resolve(base_dir, file);
  if (p.empty()) return p;
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

// The scenario's merged spec as YAML text, with every file path absolute.
std::string resolved_spec_text(const YAML::Node& merged, const std::string& base_dir) {
  YAML::Node spec = YAML::Clone(merged);
  auto fix = [&](YAML::Node n) {
    if (n && n.IsScalar()) n = absolute_path(base_dir, n.Scalar());
  };
  if (spec.IsMap()) {
    if (YAML::Node w = spec["workload"]; w && w.IsMap()) {
      if (YAML::Node t = w["trace"]; t && t.IsMap()) {
        fix(t["file"]);
        fix(t["throughputs"]);
      }
    }
    if (YAML::Node f = spec["fluid"]; f && f.IsMap()) {
      if (YAML::Node files = f["files"]; files && files.IsSequence()) {
        for (std::size_t i = 0; i < files.size(); ++i) fix(files[i]);
      }
    }
    spec.remove("scenarios");
  }
  YAML::Emitter out;
  out << spec;
  return out.c_str();
}

void parse_fluid(YamlCursor& f, const std::string& base_dir, ExperimentSpec& spec,
                 core::Diagnostics& diags) {
  if (!f.expect_map("the fluid section")) return;
  f.each("files", [&](YamlCursor& item) {
    auto name = item.scalar("a file path");
    if (!name) return;
    std::string path = resolve(base_dir, *name);
    if (!fs::exists(path)) {
      item.error("", "file not found: " + path);
      return;
    }
    spec.fluid.append(core::load_fluid_file(path, diags));
  });
  if (auto inl = f.child("inline")) {
    if (auto text = inl->scalar("a YAML text block (use `inline: |`)")) {
      std::string where = f.file() + ":" + std::to_string(inl->pos().line) + " (fluid.inline)";
      spec.fluid.append(core::load_fluid_yaml(*text, where, diags));
    }
  }
  // Dataset sizes: the data under the mounts, which Fluid learns from the UFS.
  if (auto sizes = f.child("datasets")) {
    if (sizes->expect_map("a mapping of dataset name to {size, files}")) {
      sizes->each_entry("{size, files}", [&](const std::string& name, YamlCursor& entry) {
        auto* d = &entry;
        if (!d->expect_map("{size, files}")) return;
        auto size = d->quantity("size", true);
        auto files = d->integer("files", false, 0);
        d->finish_unknown("a dataset size entry");
        std::string ns = "default", nm = name;
        if (auto slash = name.find('/'); slash != std::string::npos) {
          ns = name.substr(0, slash);
          nm = name.substr(slash + 1);
        }
        bool found = false;
        for (auto& ds : spec.fluid.datasets) {
          if (ds.meta.name == nm && ds.meta.namespace_ == ns) {
            found = true;
            if (size) ds.size_bytes = size->as_int();
            if (files) ds.file_count = *files;
          }
        }
        if (!found) d->error("", "no Dataset named " + ns + "/" + nm + " in the fluid files");
      });
    }
  }
  f.finish_unknown("the fluid section");
}

// The input pipeline block ({workersPerGpu, prefetchFactor}) over `base`.
InputPipelineSpec parse_input_pipeline(YamlCursor& p, InputPipelineSpec base) {
  if (!p.expect_map("{workersPerGpu, prefetchFactor}")) return base;
  if (auto w = p.integer("workersPerGpu", false, 1, 1024))
    base.workers_per_gpu = static_cast<std::int32_t>(*w);
  if (auto f = p.integer("prefetchFactor", false, 1, 1024))
    base.prefetch_factor = static_cast<std::int32_t>(*f);
  p.finish_unknown("the input pipeline");
  return base;
}

// A bandwidth that must be positive (a capacity of the data path).
void positive_bandwidth(YamlCursor& c, std::string_view key, double& out) {
  if (auto b = c.bandwidth(key)) {
    if (*b <= 0) {
      c.error(c.field_path(key), "expected a positive bandwidth");
    } else {
      out = *b;
    }
  }
}

FileServerSpec parse_file_server(YamlCursor& f) {
  FileServerSpec fs;
  fs.pos = f.pos();
  fs.field = f.path();
  fs.name = f.str("name", true).value_or("");
  fs.mounts = f.string_list("mounts");
  if (fs.mounts.empty())
    f.error(f.field_path("mounts"), "expected at least one mount-point prefix it serves");
  for (const auto& m : fs.mounts) {
    if (m.empty()) f.error(f.field_path("mounts"), "expected non-empty mount-point prefixes");
  }
  fs.per_node = f.one_of("scope", {"shared", "node"}).value_or("shared") == "node";
  if (!f.has("bandwidth")) f.error(f.field_path("bandwidth"), "missing required field");
  positive_bandwidth(f, "bandwidth", fs.bandwidth);
  positive_bandwidth(f, "perConnectionBandwidth", fs.per_connection_bandwidth);
  if (auto d = f.duration("latency")) {
    if (d->count() < 0) {
      f.error(f.field_path("latency"), "expected a duration of zero or more");
    } else {
      fs.latency = *d;
    }
  }
  f.finish_unknown("a file server");
  return fs;
}

// Two servers of one name would be one resource; a server whose prefixes
// match no dataset is most likely a typo (its datasets read the object store).
void check_file_servers(const ExperimentSpec& spec, core::Diagnostics& diags) {
  for (std::size_t i = 0; i < spec.file_servers.size(); ++i) {
    const FileServerSpec& fs = spec.file_servers[i];
    for (std::size_t k = 0; k < i; ++k) {
      if (spec.file_servers[k].name == fs.name && !fs.name.empty())
        diags.error(fs.pos, fs.field + ".name",
                    "duplicate file server name \"" + fs.name + "\" (also " +
                        spec.file_servers[k].field + ")");
    }
    bool serves = false;
    for (const auto& ds : spec.fluid.datasets)
      serves = serves || (!ds.mounts.empty() && fs.serves(ds.mounts[0].mount_point));
    if (!serves && !fs.mounts.empty())
      diags.warning(fs.pos, fs.field + ".mounts",
                    "no dataset's first mount point starts with any of these prefixes: its "
                    "datasets read the object store");
  }
}

ApplicationSpec parse_application(YamlCursor& a, const std::string& name,
                                  const InputPipelineSpec& pipeline) {
  ApplicationSpec app;
  app.name = name;
  if (!a.expect_map("an application")) return app;
  app.dataset = a.str("dataset").value_or("");
  app.epochs = static_cast<std::int32_t>(a.integer("epochs", false, 1, 1000000).value_or(1));
  if (auto b = a.bandwidth("computePerGpu")) app.compute_per_gpu = *b;
  if (auto b = a.bandwidth("computePerJob")) app.compute_per_job = *b;
  if (auto q = a.quantity("cpuPerGpu")) app.cpu_milli_per_gpu = q->as_milli();
  if (auto q = a.quantity("memoryPerGpu")) app.memory_per_gpu = q->as_int();
  app.serverless = a.boolean("serverless").value_or(false);
  if (auto p = a.child("inputPipeline")) app.input_pipeline = parse_input_pipeline(*p, pipeline);
  a.each("imageArches", [&](YamlCursor& x) {
    auto v = x.scalar("amd64 or arm64");
    if (!v) return;
    if (*v == "amd64") {
      app.image_arches.push_back(core::Arch::kAmd64);
    } else if (*v == "arm64") {
      app.image_arches.push_back(core::Arch::kArm64);
    } else {
      x.error("", "expected amd64 or arm64, got \"" + *v + "\"");
    }
  });
  if (!app.dataset.empty() && app.compute_per_gpu <= 0 && app.compute_per_job <= 0) {
    a.error(a.field_path("computePerGpu"),
            "missing required field: an application that reads a dataset needs computePerGpu or "
            "computePerJob (the rate at which it consumes input at full speed)");
  }
  a.finish_unknown("an application");
  return app;
}

void parse_workload(YamlCursor& w, const std::string& base_dir, WorkloadSpec& out) {
  if (!w.expect_map("the workload section")) return;
  if (auto t = w.child("trace")) {
    if (t->expect_map("a trace")) {
      TraceSpec ts;
      ts.file = resolve(base_dir, t->str("file", true).value_or(""));
      ts.reader = t->one_of("reader",
                            {"generic-csv", "philly-gavel", "pollux", "alibaba-gpu-v2023",
                             "alibaba-genai-lora-v2026"},
                            true)
                      .value_or("");
      if (auto b = t->one_of("onBadRow", {"error", "skip"})) ts.skip_bad_rows = *b == "skip";
      ts.max_jobs = t->integer("maxJobs", false, 0).value_or(0);
      ts.time_scale = t->number("timeScale", false, 1e-9, 1e9).value_or(1.0);
      ts.arrival_scale = t->number("arrivalScale", false, 1e-9, 1e9).value_or(1.0);
      if (auto d = t->duration("start")) ts.start_s = core::to_seconds(*d);
      if (auto d = t->duration("end")) ts.end_s = core::to_seconds(*d);
      if (auto tp = t->str("throughputs")) {
        ts.throughputs = resolve(base_dir, *tp);
        if (!fs::exists(ts.throughputs))
          t->error(t->field_path("throughputs"), "throughput table not found: " + ts.throughputs);
      }
      ts.worker_type = t->one_of("workerType", {"v100", "p100", "k80"}).value_or("v100");
      ts.lengths = t->one_of("lengths", {"trace", "application"}).value_or("trace");
      if (ts.reader == "philly-gavel" && ts.lengths == "trace" && ts.throughputs.empty()) {
        t->error(t->field_path("throughputs"),
                 "missing required field: reader philly-gavel takes each job's run time from "
                 "total_steps and Gavel's throughput table "
                 "(data/traces/philly-derived/gavel_throughputs.csv), or lengths: application");
      }
      if (ts.end_s > 0 && ts.end_s <= ts.start_s)
        t->error(t->field_path("end"), "expected end after start");
      if (!ts.file.empty() && !fs::exists(ts.file)) {
        t->error(t->field_path("file"), "trace file not found: " + ts.file);
      }
      t->finish_unknown("a trace");
      out.trace = ts;
    }
  }
  if (auto g = w.child("generator")) {
    if (g->expect_map("a generator")) {
      GeneratorSpec gs;
      gs.count = g->integer("count", true, 1, 100000000).value_or(1);
      if (auto d = g->duration("meanInterarrival")) gs.mean_interarrival = *d;
      gs.zipf_s = g->number("zipfS", false, 0, 10).value_or(1.0);
      if (g->has("gpuChoices")) {
        gs.gpu_choices.clear();
        g->each("gpuChoices", [&](YamlCursor& c) {
          auto s = c.scalar("an integer GPU count");
          if (!s) return;
          char* end = nullptr;
          long v = std::strtol(s->c_str(), &end, 10);
          if (end != s->c_str() + s->size() || v < 0 || v > 4096) {
            c.error("", "expected an integer GPU count in [0, 4096], got \"" + *s + "\"");
            return;
          }
          gs.gpu_choices.push_back(static_cast<std::int32_t>(v));
        });
        if (gs.gpu_choices.empty())
          g->error(g->field_path("gpuChoices"), "expected at least one value");
      }
      g->finish_unknown("a generator");
      out.generator = gs;
    }
  }
  if (out.trace && out.generator) {
    w.error(w.field_path("generator"), "give either trace or generator, not both");
  }
  if (!out.trace && !out.generator) {
    w.error(w.field_path("trace"),
            "missing required field: the workload needs a trace or a generator");
  }
  if (auto p = w.child("inputPipeline"))
    out.input_pipeline = parse_input_pipeline(*p, out.input_pipeline);
  if (auto apps = w.child("applications", true)) {
    if (apps->expect_map("a mapping of application name to its parameters")) {
      apps->each_entry("the application's parameters", [&](const std::string& name, YamlCursor& a) {
        out.applications.push_back(parse_application(a, name, out.input_pipeline));
      });
    }
  }
  out.default_application = w.str("defaultApplication").value_or("");
  if (auto a = w.child("assignApplications")) {
    if (a->expect_map("{zipfS}")) {
      out.assign_zipf_s = a->number("zipfS", true, 1e-9, 10).value_or(0);
      a->finish_unknown("assignApplications");
    }
  }
  out.max_gpus_per_pod =
      static_cast<std::int32_t>(w.integer("maxGpusPerPod", false, 1, 1024).value_or(8));
  w.finish_unknown("the workload section");
}

ExperimentSpec parse_spec(YamlCursor& spec, const std::string& base_dir, core::Diagnostics& diags) {
  ExperimentSpec out;
  if (!spec.expect_map("the experiment spec")) return out;
  out.seed = static_cast<std::uint64_t>(spec.integer("seed", false, 0).value_or(1));
  if (auto d = spec.duration("horizon")) out.horizon = *d;
  if (auto d = spec.duration("sampleInterval")) {
    if (d->count() <= 0) {
      spec.error(spec.field_path("sampleInterval"), "expected a positive duration");
    } else {
      out.sample_interval = *d;
    }
  }
  if (auto c = spec.child("cluster", true)) {
    if (c->expect_map("the cluster section")) {
      c->each(
          "nodePools", [&](YamlCursor& p) { out.node_pools.push_back(parse_node_pool(p)); }, true);
      if (auto pc = c->child("pageCache")) {
        if (pc->expect_map("the pageCache section ({enabled})")) {
          out.page_cache.enabled = pc->boolean("enabled").value_or(true);
          pc->finish_unknown("the pageCache section");
        }
      }
      c->finish_unknown("the cluster section");
    }
  }
  if (auto s = spec.child("objectStore")) {
    if (s->expect_map("the objectStore section")) {
      positive_bandwidth(*s, "aggregateBandwidth", out.object_store.aggregate_bandwidth);
      positive_bandwidth(*s, "perConnectionBandwidth", out.object_store.per_connection_bandwidth);
      if (auto d = s->duration("requestLatency")) out.object_store.request_latency = *d;
      s->finish_unknown("the objectStore section");
    }
  }
  spec.each("fileServers", [&](YamlCursor& f) {
    if (!f.expect_map("a file server {name, mounts, bandwidth, ...}")) return;
    out.file_servers.push_back(parse_file_server(f));
  });
  if (auto f = spec.child("fluid")) parse_fluid(*f, base_dir, out, diags);
  check_file_servers(out, diags);
  if (auto c = spec.child("cache")) {
    if (c->expect_map("the cache section")) {
      out.cache.enabled = c->boolean("enabled").value_or(true);
      out.cache.fidelity = c->one_of("fidelity", {"block", "analytical"}).value_or("block");
      if (auto q = c->quantity("blockSize")) {
        if (q->as_int() <= 0) {
          c->error(c->field_path("blockSize"), "expected a positive size");
        } else {
          out.cache.block_size = q->as_int();
        }
      }
      if (auto m = c->child("mediumBandwidth")) {
        if (m->expect_map("a mapping of MEM/SSD/HDD to bandwidths")) {
          positive_bandwidth(*m, "MEM", out.cache.medium_bandwidth[0]);
          positive_bandwidth(*m, "SSD", out.cache.medium_bandwidth[1]);
          positive_bandwidth(*m, "HDD", out.cache.medium_bandwidth[2]);
          m->finish_unknown("mediumBandwidth");
        }
      }
      if (auto d = c->duration("hitLatency")) out.cache.hit_latency = *d;
      if (auto b = c->bandwidth("crossZoneBandwidth")) out.cache.cross_zone_bandwidth = *b;
      out.cache.replicas =
          static_cast<std::int32_t>(c->integer("replicas", false, 1, 10000).value_or(0));
      if (auto d = c->duration("crossZoneLatency")) out.cache.cross_zone_latency = *d;
      c->finish_unknown("the cache section");
    }
  }
  if (auto w = spec.child("workload", true)) parse_workload(*w, base_dir, out.workload);
  if (auto p = spec.child("policies")) {
    if (p->expect_map("the policies section")) {
      if (auto sc = p->child("scheduler")) parse_scheduler_profile(*sc, out.policies.scheduler);
      out.policies.eviction = p->str("eviction").value_or(out.policies.eviction);
      out.policies.injection = p->one_of("injection", {"none", "fluid"}).value_or("none");
      out.policies.placement =
          p->one_of("placement", {"pod-by-pod", "joint"}).value_or("pod-by-pod");
      if (auto tl = p->child("tieredLocality"))
        parse_tiered_locality(*tl, out.policies.tiered_locality);
      if (auto jc = p->child("jobs")) parse_job_policy(*jc, out.policies.jobs);
      p->finish_unknown("the policies section");
    }
  }
  if (auto sv = spec.child("serverless")) {
    if (sv->expect_map("the serverless section")) {
      out.serverless.sidecar_exit = sv->one_of("sidecarExit", {"native", "app-controller", "none"})
                                        .value_or("app-controller");
      if (auto d = sv->duration("appControllerDelay")) out.serverless.app_controller_delay = *d;
      sv->finish_unknown("the serverless section");
    }
  }
  if (auto e = spec.child("elasticity")) {
    if (e->expect_map("the elasticity section")) {
      auto& el = out.elasticity;
      el.policy = e->str("policy").value_or("static");
      el.args = e->string_map("args");
      if (auto d = e->duration("period")) el.period = *d;
      if (el.period.count() <= 0) e->error(e->field_path("period"), "expected a positive duration");
      if (auto d = e->duration("workerStartup")) el.worker_startup = *d;
      el.scale_in = e->one_of("scaleIn", {"ordinal", "least-cached"}).value_or("ordinal");
      el.migrate_on_scale_in = e->boolean("migrateOnScaleIn").value_or(false);
      e->finish_unknown("the elasticity section");
      auto probe = core::builtin_autoscalers().create(el.policy, el.args);
      if (!probe.ok()) e->error(e->field_path("policy"), probe.status().message());
    }
  }
  spec.accept({"scenarios"});
  spec.finish_unknown("the experiment spec");
  return out;
}

// Checks that need the whole spec: names that refer to each other.
void check_spec(const ExperimentSpec& s, YamlCursor& spec) {
  if (s.cache.fidelity == "analytical" && s.policies.eviction != "lru") {
    spec.error(
        spec.field_path("cache.fidelity"),
        "the analytical fidelity models LRU (policies.eviction: lru); use fidelity: block for \"" +
            s.policies.eviction + "\"");
  }
  std::set<std::string> app_names;
  for (const auto& app : s.workload.applications) {
    app_names.insert(app.name);
    if (app.dataset.empty()) continue;
    std::string ns = "default", nm = app.dataset;
    if (auto slash = nm.find('/'); slash != std::string::npos) {
      ns = nm.substr(0, slash);
      nm = nm.substr(slash + 1);
    }
    const core::Dataset* ds = s.fluid.find_dataset(ns, nm);
    std::string field = "workload.applications." + app.name + ".dataset";
    if (!ds) {
      spec.error(spec.field_path(field),
                 "no Dataset named " + ns + "/" + nm + " in the fluid section");
    } else if (ds->size_bytes <= 0) {
      spec.error(spec.field_path(field), "Dataset " + ns + "/" + nm +
                                             " has no size: set fluid.datasets." + nm +
                                             ".size or the aqueduct.io/size annotation");
    }
  }
  if (!s.workload.default_application.empty() && !app_names.count(s.workload.default_application)) {
    spec.error(spec.field_path("workload.defaultApplication"),
               "no application named \"" + s.workload.default_application + "\"");
  }
  if (s.node_pools.empty()) {
    spec.error(spec.field_path("cluster.nodePools"), "expected at least one node pool");
  }
  std::set<std::string> pools;
  for (const auto& p : s.node_pools) {
    if (!pools.insert(p.name).second) {
      spec.error(spec.field_path("cluster.nodePools"),
                 "duplicate node pool name \"" + p.name + "\"");
    }
  }
}

}  // namespace

core::Result<ExperimentPlan> load_experiment_yaml(const std::string& text, const std::string& file,
                                                  const std::string& base_dir,
                                                  core::Diagnostics& diags,
                                                  const core::LoadOptions& options) {
  auto file_ptr = std::make_shared<const std::string>(file);
  auto docs = core::parse_yaml_documents(text, file, diags);
  if (docs.size() > 1) {
    diags.error(core::SourcePos{file, 1, 1}, "",
                "expected one Experiment document, found " + std::to_string(docs.size()));
  }
  ExperimentPlan plan;
  if (docs.size() != 1) return diags.to_status();
  const bool strict = !options.lenient;
  YamlCursor root(docs[0], "", file_ptr, &diags, strict);
  if (!root.expect_map("an Experiment object")) return diags.to_status();
  root.one_of("apiVersion", {"aqueduct.io/v1alpha1"}, true);
  root.one_of("kind", {"Experiment"}, true);
  if (auto m = root.child("metadata")) {
    plan.name = m->str("name").value_or("");
    m->accept({"labels", "annotations"});
    m->finish_unknown("metadata");
  }
  auto spec_c = root.child("spec", true);
  root.finish_unknown("an Experiment");
  if (!spec_c) return diags.to_status();
  if (plan.name.empty()) plan.name = std::filesystem::path(file).stem().string();

  struct Scenario {
    std::string name;
    YAML::Node node;
  };
  std::vector<Scenario> scenarios;
  spec_c->each("scenarios", [&](YamlCursor& s) {
    if (!s.expect_map("a scenario {name, set}")) return;
    auto name = s.str("name", true);
    // Never assign one YAML::Node to another that aliases the spec: yaml-cpp
    // assignment rebinds the shared node. Build the merged tree fresh instead.
    auto set = s.child("set");
    bool has_set = set && set->expect_map("a mapping of spec fields to override");
    if (has_set && set->has("scenarios")) {
      set->error(set->field_path("scenarios"), "scenarios cannot be nested");
    }
    YAML::Node merged = has_set ? deep_merge(spec_c->node(), set->node()) : spec_c->node();
    s.finish_unknown("a scenario");
    if (name) {
      for (const auto& prev : scenarios) {
        if (prev.name == *name)
          s.error(s.field_path("name"), "duplicate scenario name \"" + *name + "\"");
      }
      scenarios.push_back({*name, merged});
    }
  });
  if (scenarios.empty()) scenarios.push_back({"default", spec_c->node()});

  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    // Diagnostics from the base spec would repeat once per scenario: keep the
    // first scenario's and only new ones after it.
    core::Diagnostics local;
    YamlCursor sc(scenarios[i].node, "spec", file_ptr, &local, strict);
    ExperimentSpec s = parse_spec(sc, base_dir, local);
    check_spec(s, sc);
    s.name = plan.name;
    s.scenario = scenarios[i].name;
    s.source_file = file;
    s.resolved_spec = resolved_spec_text(scenarios[i].node, base_dir);
    core::check_references(s.fluid, local, /*complete=*/true);
    if (i == 0) {
      diags.append(local);
    } else {
      std::set<std::string> seen;
      for (const auto& d : diags.all()) seen.insert(d.to_string());
      core::Diagnostics fresh;
      for (const auto& d : local.all()) {
        if (seen.count(d.to_string())) continue;
        if (d.severity == core::Severity::kError) {
          fresh.error(d.pos, d.field, d.message + " (scenario " + scenarios[i].name + ")");
        } else {
          fresh.warning(d.pos, d.field, d.message + " (scenario " + scenarios[i].name + ")");
        }
      }
      diags.append(fresh);
    }
    plan.scenarios.push_back(std::move(s));
  }
  if (diags.has_errors()) return diags.to_status();
  return plan;
}

std::string resolved_experiment_yaml(const ExperimentSpec& spec) {
  if (spec.resolved_spec.empty()) return "";
  YAML::Node doc(YAML::NodeType::Map);
  doc["apiVersion"] = "aqueduct.io/v1alpha1";
  doc["kind"] = "Experiment";
  doc["metadata"]["name"] = spec.name;
  try {
    YAML::Node body = YAML::Load(spec.resolved_spec);
    body["seed"] = spec.seed;          // the seed the run used (a --seed override included)
    if (spec.scenario != "default") {  // rerun under the same name (and output folder)
      YAML::Node only(YAML::NodeType::Map);
      only["name"] = spec.scenario;
      body["scenarios"].push_back(only);
    }
    doc["spec"] = body;
  } catch (const YAML::Exception& e) {  // text this loader emitted: not expected
    return "# the resolved experiment could not be rendered: " + std::string(e.what()) + "\n";
  }
  YAML::Emitter out;
  out << doc;
  return "# The experiment as run: scenario \"" + spec.scenario + "\" of " + spec.source_file +
         ", resolved.\n" + std::string(out.c_str()) + "\n";
}

core::Result<ExperimentPlan> load_experiment_file(const std::string& path, core::Diagnostics& diags,
                                                  const core::LoadOptions& options) {
  auto text = core::read_text_file(path);
  if (!text.ok()) {
    diags.error(core::SourcePos{path, 0, 0}, "", text.status().message());
    return text.status();
  }
  std::string base = std::filesystem::path(path).parent_path().string();
  return load_experiment_yaml(*text, path, base, diags, options);
}

}  // namespace aqueduct::sim
