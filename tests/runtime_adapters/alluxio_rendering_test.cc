// Alluxio as Fluid's Alluxio engine renders it: the master named by a
// headless Service that the workers' and FUSE's master address resolves
// through, the under-storage mounted (as the namespace root, or at each
// mount's path by a container beside the master), the tiered store as
// worker properties, secrets as env references. A golden file holds the
// whole rendering of Fluid's sample (AQ_UPDATE_GOLDEN=1 writes it anew).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct/runtime_adapters/runtime_workloads.h"
#include "support/golden.h"
#include "support/temp_dir.h"

namespace aqueduct::runtime_adapters {
namespace {

using Json = nlohmann::ordered_json;

core::FluidObjects load(const std::string& yaml) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_yaml(yaml, "alluxio.yaml", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  return objs;
}

// Fluid's sample (docs/en/samples: accelerate data on a web UFS), with an
// object store mount holding keys in a Secret.
constexpr const char* kSample = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: hbase, namespace: team}
spec:
  mounts:
    - mountPoint: https://mirrors.bit.edu.cn/apache/hbase/stable/
      name: hbase
    - mountPoint: oss://bucket/logs/
      name: logs
      options: {fs.oss.endpoint: oss-cn-hangzhou.aliyuncs.com}
      encryptOptions:
        - {name: fs.oss.accessKeyId, valueFrom: {secretKeyRef: {name: oss-keys, key: id}}}
---
apiVersion: data.fluid.io/v1alpha1
kind: AlluxioRuntime
metadata: {name: hbase, namespace: team}
spec:
  replicas: 2
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 2Gi, high: "0.95", low: "0.7"}
  properties: {alluxio.user.block.size.bytes.default: 256MB}
)";

constexpr const char* kRootMount = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: imagenet, namespace: team}
spec:
  mounts:
    - {mountPoint: "oss://datasets/imagenet/", name: imagenet, path: "/",
       options: {fs.oss.endpoint: oss-cn-beijing.aliyuncs.com}}
---
apiVersion: data.fluid.io/v1alpha1
kind: AlluxioRuntime
metadata: {name: imagenet, namespace: team}
spec:
  replicas: 1
  tieredstore:
    levels:
      - {mediumtype: SSD, path: "/mnt/a,/mnt/b", quota: 100Gi}
)";

struct Rendered {
  RuntimeWorkloads w;
  core::FuseTemplate fuse;
};

Rendered render(const core::FluidObjects& objs) {
  auto w =
      render_runtime_workloads(objs.datasets.at(0), objs.runtimes.at(0), "AlluxioRuntime", "uid-1");
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  auto f = render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
  EXPECT_TRUE(f.ok()) << f.status().to_string();
  return {w.ok() ? *w : RuntimeWorkloads{}, f.ok() ? *f : core::FuseTemplate{}};
}

std::string env_value(const Json& container, const std::string& name) {
  for (const auto& e : container["env"])
    if (e["name"] == name) return e.value("value", "");
  return "";
}

bool has_opt(const std::string& opts, const std::string& opt) {
  return (" " + opts + " ").find(" " + opt + " ") != std::string::npos;
}

TEST(AlluxioRendering, TheMasterIsNamedByAServiceTheClientsAddress) {
  Rendered r = render(load(kSample));
  ASSERT_TRUE(r.w.master && r.w.master_services.size() == 1);
  const Json& svc = r.w.master_services.front();
  EXPECT_EQ(svc["metadata"]["name"], "hbase-master-0");
  EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  EXPECT_EQ(svc["spec"]["selector"]["statefulset.kubernetes.io/pod-name"], "hbase-master-0");
  EXPECT_EQ(svc["spec"]["ports"][0]["port"], 19998);
  // Every component names the master as <Service>.<namespace>.
  const Json& mc = (*r.w.master)["spec"]["template"]["spec"]["containers"][0];
  const Json& wc = (*r.w.worker)["spec"]["template"]["spec"]["containers"][0];
  for (const auto& opts : {env_value(mc, "ALLUXIO_JAVA_OPTS"), env_value(wc, "ALLUXIO_JAVA_OPTS"),
                           env_value(r.fuse.container, "ALLUXIO_FUSE_JAVA_OPTS")})
    EXPECT_TRUE(has_opt(opts, "-Dalluxio.master.hostname=hbase-master-0.team")) << opts;
  // The labels the Service selects are the master pod's.
  for (const auto& [k, v] : svc["spec"]["selector"].items()) {
    if (k != "statefulset.kubernetes.io/pod-name") {
      EXPECT_EQ((*r.w.master)["spec"]["template"]["metadata"]["labels"][k], v) << k;
    }
  }
}

TEST(AlluxioRendering, MountsAreMountedBesideTheMasterWithSecretsByReference) {
  Rendered r = render(load(kSample));
  const Json& pod = (*r.w.master)["spec"]["template"]["spec"];
  ASSERT_EQ(pod["containers"].size(), 2u);
  const Json& mount = pod["containers"][1];
  EXPECT_EQ(mount["name"], "alluxio-mount");
  const std::string script = mount["command"][2];
  EXPECT_NE(script.find("until alluxio fs ls / "), std::string::npos) << script;
  EXPECT_NE(script.find("alluxio fs mount '/hbase' 'https://mirrors.bit.edu.cn/apache/hbase/"
                        "stable/'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("alluxio fs mount --option "
                        "\"fs.oss.accessKeyId=${ALLUXIO_SECRET_FS_OSS_ACCESSKEYID}\" "
                        "--option 'fs.oss.endpoint=oss-cn-hangzhou.aliyuncs.com' '/logs' "
                        "'oss://bucket/logs/'"),
            std::string::npos)
      << script;
  bool secret_env = false;
  for (const auto& e : mount["env"])
    secret_env |= e["name"] == "ALLUXIO_SECRET_FS_OSS_ACCESSKEYID" &&
                  e["valueFrom"]["secretKeyRef"]["name"] == "oss-keys";
  EXPECT_TRUE(secret_env);
  const std::string opts = env_value(pod["containers"][0], "ALLUXIO_JAVA_OPTS");
  EXPECT_TRUE(has_opt(opts, "-Dalluxio.master.mount.table.root.ufs=/underFSStorage")) << opts;
  EXPECT_TRUE(has_opt(opts, "-Dalluxio.user.block.size.bytes.default=256MB")) << opts;
  aqueduct::testing::TempDir dir;
  const std::string cmd = "bash -n " + dir.write("mount.sh", script);
  EXPECT_EQ(std::system(cmd.c_str()), 0) << script;
}

TEST(AlluxioRendering, ASingleRootMountIsTheNamespaceRoot) {
  Rendered r = render(load(kRootMount));
  const Json& pod = (*r.w.master)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"].size(), 1u) << "nothing to mount beside the root";
  const std::string opts = env_value(pod["containers"][0], "ALLUXIO_JAVA_OPTS");
  EXPECT_TRUE(has_opt(opts, "-Dalluxio.master.mount.table.root.ufs=oss://datasets/imagenet/"))
      << opts;
  EXPECT_TRUE(has_opt(
      opts, "-Dalluxio.master.mount.table.root.option.fs.oss.endpoint=oss-cn-beijing.aliyuncs.com"))
      << opts;
}

TEST(AlluxioRendering, TheTieredStoreBecomesWorkerProperties) {
  Rendered r = render(load(kRootMount));
  const std::string opts =
      env_value((*r.w.worker)["spec"]["template"]["spec"]["containers"][0], "ALLUXIO_JAVA_OPTS");
  for (const char* want :
       {"-Dalluxio.worker.tieredstore.levels=1", "-Dalluxio.worker.tieredstore.level0.alias=SSD",
        "-Dalluxio.worker.tieredstore.level0.dirs.mediumtype=SSD,SSD",
        "-Dalluxio.worker.tieredstore.level0.dirs.path=/mnt/a/team/imagenet,/mnt/b/team/imagenet",
        "-Dalluxio.worker.tieredstore.level0.dirs.quota=50GB,50GB",
        "-Dalluxio.worker.tieredstore.level0.watermark.high.ratio=0.95",
        "-Dalluxio.worker.tieredstore.level0.watermark.low.ratio=0.7"})
    EXPECT_TRUE(has_opt(opts, want)) << want << " in " << opts;
}

// Fluid's worker placement for a Shared dataset with a node affinity and
// tolerations (its BuildWorkersAffinity and the charts' tolerations).
TEST(AlluxioRendering, SharedPlacementNodeAffinityAndTolerationsReachTheWorkers) {
  auto objs = load(R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: logs, namespace: team}
spec:
  placement: Shared
  mounts: [{mountPoint: "oss://logs/", name: logs}]
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: pool, operator: In, values: [cache]}]
  tolerations:
    - {key: dedicated, operator: Equal, value: cache, effect: NoSchedule, tolerationSeconds: 30}
---
apiVersion: data.fluid.io/v1alpha1
kind: AlluxioRuntime
metadata: {name: logs, namespace: team}
spec:
  replicas: 2
  tieredstore:
    levels: [{mediumtype: MEM, path: /dev/shm, quota: 2Gi}]
)");
  Rendered r = render(objs);
  ASSERT_TRUE(r.w.worker);
  const Json& tmpl = (*r.w.worker)["spec"]["template"];
  EXPECT_EQ(tmpl["metadata"]["labels"]["fluid.io/dataset"], "team-logs");
  EXPECT_EQ(tmpl["metadata"]["labels"]["fluid.io/dataset-placement"], "Shared");
  EXPECT_FALSE((*r.w.worker)["spec"]["selector"]["matchLabels"].contains("fluid.io/dataset"))
      << "the selector stays what it was: a StatefulSet's selector cannot change";
  const Json& anti = tmpl["spec"]["affinity"]["podAntiAffinity"];
  EXPECT_EQ(anti["requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"],
            Json::parse(R"({"matchExpressions": [{"key": "fluid.io/dataset-placement",
                "operator": "In", "values": ["Exclusive"]}]})"));
  EXPECT_EQ(anti["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"], 50);
  const Json& node = tmpl["spec"]["affinity"]["nodeAffinity"];
  EXPECT_EQ(node["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
                ["matchExpressions"][0]["key"],
            "pool");
  EXPECT_EQ(node["preferredDuringSchedulingIgnoredDuringExecution"][0]["preference"]
                ["matchExpressions"][0]["key"],
            "fluid.io/f-team-logs");
  EXPECT_EQ(tmpl["spec"]["tolerations"],
            Json::parse(R"([{"key": "dedicated", "operator": "Equal", "value": "cache",
                "effect": "NoSchedule"}])"));
}

TEST(AlluxioRendering, MatchesTheGoldenRendering) {
  Rendered r = render(load(kSample));
  Json got = {{"master", *r.w.master},
              {"masterService", r.w.master_services.front()},
              {"worker", *r.w.worker},
              {"fuse", r.w.fuse}};
  aqueduct::testing::expect_golden(got, "alluxio-sample.json");
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
