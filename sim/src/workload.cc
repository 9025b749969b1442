#include "aqueduct/sim/workload.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {
namespace {

int find_dataset(const ExperimentSpec& spec, const std::string& ref) {
  std::string ns = "default", name = ref;
  if (auto slash = ref.find('/'); slash != std::string::npos) {
    ns = ref.substr(0, slash);
    name = ref.substr(slash + 1);
  }
  for (std::size_t i = 0; i < spec.fluid.datasets.size(); ++i) {
    const auto& ds = spec.fluid.datasets[i];
    if (ds.meta.name == name && ds.meta.namespace_ == ns) return static_cast<int>(i);
  }
  return -1;
}

core::Result<JobSpec> resolve(const ExperimentSpec& spec, const TraceJob& tj,
                              const std::string& where) {
  const auto& apps = spec.workload.applications;
  std::string app_name =
      tj.application.empty() ? spec.workload.default_application : tj.application;
  const ApplicationSpec* app = nullptr;
  for (const auto& a : apps) {
    if (a.name == app_name) app = &a;
  }
  if (!app && !spec.workload.default_application.empty()) {
    for (const auto& a : apps) {
      if (a.name == spec.workload.default_application) app = &a;
    }
  }
  if (!app) {
    std::string known;
    for (const auto& a : apps) known += (known.empty() ? "" : ", ") + a.name;
    return core::invalid_argument(where + ": application \"" + app_name +
                                  "\" is not in workload.applications (" + known +
                                  ") and no workload.defaultApplication is set");
  }
  JobSpec j;
  j.id = tj.id;
  j.application = app->name;
  j.arrival = core::from_seconds(tj.arrival_s);
  j.gpus = tj.gpus;
  j.epochs = tj.epochs > 0 ? tj.epochs : app->epochs;
  std::string ds_ref = tj.dataset.empty() ? app->dataset : tj.dataset;
  if (!ds_ref.empty()) {
    j.dataset = find_dataset(spec, ds_ref);
    if (j.dataset < 0) {
      return core::invalid_argument(where + ": dataset \"" + ds_ref +
                                    "\" is not defined in the fluid section");
    }
    if (spec.fluid.datasets[j.dataset].size_bytes <= 0) {
      return core::invalid_argument(where + ": dataset \"" + ds_ref + "\" has no size");
    }
  }
  // Pods: a job with more GPUs than fit one pod becomes a gang of pods.
  int max_gpp = spec.workload.max_gpus_per_pod;
  j.pods = tj.gpus > max_gpp ? static_cast<std::int32_t>(std::ceil(tj.gpus / max_gpp)) : 1;
  double gpp = tj.gpus / j.pods;
  const InputPipelineSpec& pipe =
      app->input_pipeline ? *app->input_pipeline : spec.workload.input_pipeline;
  const auto procs =
      std::max<std::int32_t>(1, static_cast<std::int32_t>(std::ceil(tj.gpus - 1e-9)));
  j.loaders = std::max<std::int32_t>(j.pods, procs * pipe.workers_per_gpu);
  j.buffer_blocks = j.loaders * pipe.prefetch_factor;
  j.per_pod.gpu_milli = static_cast<std::int64_t>(std::ceil(gpp * 1000.0 - 1e-9));
  // Without a CPU/memory request in the trace, the application's per-GPU
  // figures apply (CPU-only jobs count as one GPU's worth).
  double units = tj.gpus > 0 ? gpp : 1.0;
  j.per_pod.cpu_milli =
      tj.cpu_milli > 0
          ? static_cast<std::int64_t>(std::ceil(static_cast<double>(tj.cpu_milli) / j.pods))
          : static_cast<std::int64_t>(
                std::ceil(static_cast<double>(app->cpu_milli_per_gpu) * units));
  j.per_pod.memory_bytes =
      tj.memory_bytes > 0
          ? static_cast<std::int64_t>(std::ceil(static_cast<double>(tj.memory_bytes) / j.pods))
          : static_cast<std::int64_t>(std::ceil(static_cast<double>(app->memory_per_gpu) * units));
  j.per_pod.pods = 1;
  j.serverless = app->serverless;
  j.image_arches = app->image_arches;
  j.speed_by_type = tj.speed_by_type;
  if (tj.has_duration) {
    if (j.dataset >= 0) {
      // The trace's run time is the compute-bound time: input at that pace
      // (a zero run time means the job is limited by I/O alone).
      double bytes = static_cast<double>(spec.fluid.datasets[j.dataset].size_bytes) * j.epochs;
      j.compute_rate =
          tj.duration_s > 0 ? bytes / tj.duration_s : std::numeric_limits<double>::infinity();
    } else {
      j.compute_duration = core::from_seconds(tj.duration_s);
    }
  } else {
    j.compute_rate = tj.gpus > 0 ? app->compute_per_gpu * tj.gpus : app->compute_per_job;
    if (j.compute_rate <= 0)
      j.compute_rate = app->compute_per_job > 0 ? app->compute_per_job : app->compute_per_gpu;
    if (j.dataset < 0) {
      return core::invalid_argument(where + ": job " + j.id +
                                    " has neither input data nor a duration");
    }
  }
  return j;
}

}  // namespace

core::Result<Workload> build_workload(const ExperimentSpec& spec) {
  Workload w;
  if (spec.workload.trace) {
    auto data = read_trace(*spec.workload.trace);
    if (!data.ok()) return data.status();
    w.skipped_rows = data->skipped;
    w.trace_rows = data->rows;
    w.trace_outside_window = data->outside_window;
    const auto& apps = spec.workload.applications;
    Rng assign_rng = Rng::stream(spec.seed, "workload.assign");
    std::optional<ZipfDistribution> assign;
    if (spec.workload.assign_zipf_s > 0 && !apps.empty())
      assign.emplace(apps.size(), spec.workload.assign_zipf_s);
    for (auto tj : data->jobs) {
      if (tj.application.empty() && assign) tj.application = apps[assign->sample(assign_rng)].name;
      std::string where = spec.workload.trace->file + ":" + std::to_string(tj.line);
      auto j = resolve(spec, tj, where);
      if (!j.ok()) return j.status();
      w.jobs.push_back(std::move(*j));
    }
  } else if (spec.workload.generator) {
    const GeneratorSpec& g = *spec.workload.generator;
    const auto& apps = spec.workload.applications;
    if (apps.empty())
      return core::invalid_argument("workload.generator: no applications to draw from");
    Rng rng = Rng::stream(spec.seed, "workload.generator");
    ZipfDistribution popularity(apps.size(), g.zipf_s);
    double t = 0;
    double rate = 1.0 / core::to_seconds(g.mean_interarrival);
    for (std::int64_t i = 0; i < g.count; ++i) {
      t += rng.exponential(rate);
      TraceJob tj;
      tj.id = "gen-" + std::to_string(i);
      tj.arrival_s = t;
      tj.application = apps[popularity.sample(rng)].name;
      tj.gpus = g.gpu_choices[rng.below(g.gpu_choices.size())];
      auto j = resolve(spec, tj, "workload.generator job " + std::to_string(i));
      if (!j.ok()) return j.status();
      w.jobs.push_back(std::move(*j));
    }
  }
  return w;
}

}  // namespace aqueduct::sim
