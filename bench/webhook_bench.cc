// The webhook's work per request without the network: parse an
// AdmissionReview, inject a JuiceFS sidecar, diff, base64, serialize.
// bench/webhook_load.sh measures the same over HTTPS with `hey`.
#include <benchmark/benchmark.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/k8s/admission.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace {
using namespace aqueduct;

std::string review_body() {
  core::Json pod = core::Json::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "train-x7k2p", "labels": {"serverless.fluid.io/inject": "true"}},
    "spec": {"restartPolicy": "Never",
      "containers": [{"name": "train", "image": "pytorch/pytorch:2.1",
                      "resources": {"requests": {"cpu": "4", "memory": "16Gi"}},
                      "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
      "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "imagenet"}}]}})");
  core::Json review = {{"apiVersion", "admission.k8s.io/v1"},
                       {"kind", "AdmissionReview"},
                       {"request",
                        {{"uid", "bench"},
                         {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                         {"namespace", "default"},
                         {"operation", "CREATE"},
                         {"object", pod}}}};
  return review.dump();
}

void BM_AdmissionReview(benchmark::State& state) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_file(
      std::string(AQ_SOURCE_DIR) + "/tests/data/injection/objects.yaml", diags);
  auto resolve = runtime_adapters::static_dataset_resolver(objs);
  const std::string body = review_body();
  for (auto _ : state) {
    auto out = k8s::handle_admission_review(body, resolve, {});
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AdmissionReview)->Unit(benchmark::kMicrosecond);

}  // namespace
