// `aqueduct inject`: manifests in, mutated manifests out, clear errors.
#include <gtest/gtest.h>

#include "aqueduct/core/yaml/yaml_json.h"
#include "commands.h"
#include "support/capture.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;

using aqueduct::testing::Outcome;

Outcome inject(InjectArgs a) {
  return aqueduct::testing::capture([&] { return run_inject(a); });
}

const char* kJob = R"(apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: default}
spec:
  template:
    metadata:
      labels: {serverless.fluid.io/inject: "true"}
    spec:
      restartPolicy: Never
      containers:
        - name: train
          image: pytorch/pytorch:2.1
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: imagenet}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  template:
    spec:
      containers: [{name: web, image: nginx, volumeMounts: [{name: logs, mountPath: /logs}]}]
      volumes: [{name: logs, persistentVolumeClaim: {claimName: logs}}]
)";

TEST(Inject, YamlOutputOfSeveralDocuments) {
  TempDir dir;
  InjectArgs a;
  a.file = dir.write("job.yaml", kJob);
  a.objects = {source_path("tests/data/injection/objects.yaml")};
  Outcome r = inject(a);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find("# Job train: serverless-with-dataset: FuseSidecar DatasetUsageInjector"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("# Deployment web: serverful-with-dataset: RequireNodeWithFuse "
                       "NodeAffinityWithCache MountPropagationInjector DatasetUsageInjector"),
            std::string::npos)
      << r.err;
  auto docs = core::parse_yaml_documents_as_json(r.out, "stdout");
  ASSERT_TRUE(docs.ok()) << docs.status().to_string();
  ASSERT_EQ(docs->size(), 2u);
  const auto& job = (*docs)[0];
  EXPECT_EQ(job["spec"]["template"]["spec"]["containers"][0]["name"], "fluid-fuse-0");
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"]["serverless.fluid.io/inject"], "true")
      << "a quoted \"true\" stays a string";
  EXPECT_EQ((*docs)[1]["spec"]["replicas"], 2);
  // Injecting the output again changes nothing: it carries the done label.
  InjectArgs again = a;
  again.file = dir.write("out.yaml", r.out);
  Outcome r2 = inject(again);
  ASSERT_EQ(r2.rc, 0) << r2.err;
  auto docs2 = core::parse_yaml_documents_as_json(r2.out, "stdout");
  ASSERT_TRUE(docs2.ok());
  EXPECT_EQ((*docs2)[0], (*docs)[0]);
}

TEST(Inject, JsonOutputAndNativeSidecar) {
  TempDir dir;
  InjectArgs a;
  a.file = dir.write("job.yaml", std::string(kJob).substr(0, std::string(kJob).find("---")));
  a.objects = {source_path("tests/data/injection/objects.yaml")};
  a.output = "json";
  a.native_sidecar = true;
  a.quiet = true;
  Outcome r = inject(a);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["spec"]["template"]["spec"]["initContainers"][0]["restartPolicy"], "Always");
}

TEST(Inject, BadInputsAreClearErrors) {
  TempDir dir;
  InjectArgs a;
  a.objects = {source_path("tests/data/injection/objects.yaml")};
  a.file = dir.file("missing.yaml");
  Outcome missing = inject(a);
  EXPECT_EQ(missing.rc, 2);
  EXPECT_NE(missing.err.find("missing.yaml"), std::string::npos) << missing.err;

  a.file = dir.write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
  Outcome svc = inject(a);
  EXPECT_EQ(svc.rc, 2);
  EXPECT_NE(svc.err.find("svc.yaml: kind: expected Pod, Job"), std::string::npos) << svc.err;

  a.file = dir.write("broken.yaml", "kind: Pod\nspec: [unclosed\n");
  Outcome broken = inject(a);
  EXPECT_EQ(broken.rc, 2);
  EXPECT_NE(broken.err.find("broken.yaml:"), std::string::npos) << broken.err;

  a.file = dir.write("job.yaml", kJob);
  a.objects = {dir.write("objs.yaml", "apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\n")};
  Outcome bad_objs = inject(a);
  EXPECT_EQ(bad_objs.rc, 2);
  EXPECT_NE(bad_objs.err.find("objs.yaml"), std::string::npos) << bad_objs.err;

  a.objects = {source_path("tests/data/injection/objects.yaml")};
  a.platform_label = "no-equals-sign";
  Outcome bad_label = inject(a);
  EXPECT_EQ(bad_label.rc, 2);
  EXPECT_NE(bad_label.err.find("--platform-label: expected KEY=VALUE"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::cli
