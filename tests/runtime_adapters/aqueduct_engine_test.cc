// Aqueduct's own engine (AqueductRuntime): the FUSE template, the workers and
// their Service, the loader Job, rendered from Fluid-style YAML.
#include <gtest/gtest.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/runtime_adapters/dataload_job.h"
#include "aqueduct/runtime_adapters/engine_profile.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct/runtime_adapters/runtime_workloads.h"

namespace aqueduct::runtime_adapters {
namespace {

core::FluidObjects load(const std::string& mount_point) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_yaml(R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: shards, namespace: team}
spec:
  mounts: [{mountPoint: ")" + mount_point +
                                        R"(", name: shards}]
---
apiVersion: data.fluid.io/v1alpha1
kind: AqueductRuntime
metadata: {name: shards, namespace: team}
spec:
  replicas: 2
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm/aq, quota: 4Gi}
      - {mediumtype: SSD, path: "/mnt/a,/mnt/b", quota: 100Gi}
  fuse:
    args: [--block-size, 8Mi]
---
apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: warm, namespace: team}
spec:
  dataset: {name: shards, namespace: team}
  target: [{path: /train}, {path: /val}]
)",
                                    "aqueduct.yaml", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  return objs;
}

TEST(AqueductEngine, TheFluidLoaderKnowsTheKind) {
  auto objs = load("http://data.local:8080/shards");
  ASSERT_EQ(objs.runtimes.size(), 1u);
  EXPECT_EQ(objs.runtimes[0].engine, core::RuntimeEngine::kAqueduct);
  EXPECT_STREQ(core::runtime_kind_name(core::RuntimeEngine::kAqueduct), "AqueductRuntime");
  EXPECT_TRUE(engine_supports(core::RuntimeEngine::kAqueduct, core::Arch::kArm64));
}

TEST(AqueductEngine, FuseMountsThroughTheWorkers) {
  auto objs = load("http://data.local:8080/shards");
  auto t = render_fuse_template(objs.datasets[0], objs.runtimes[0]);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->host_mount_path, "/runtime-mnt/aqueduct/team/shards/aqueduct-fuse");
  EXPECT_EQ(t->arches, (std::vector<core::Arch>{core::Arch::kAmd64, core::Arch::kArm64}));
  const auto& c = t->container;
  const auto cmd = c["command"];
  ASSERT_GE(cmd.size(), 5u);
  EXPECT_EQ(cmd[0], "aqueduct");
  EXPECT_EQ(cmd[3], "/runtime-mnt/aqueduct/team/shards/aqueduct-fuse");
  EXPECT_EQ(cmd[4], "--source");
  EXPECT_EQ(cmd[5], "http://data.local:8080/shards");
  const std::string workers = cmd.back();
  EXPECT_NE(workers.find("shards-worker-0.shards-worker.team.svc:"), std::string::npos);
  EXPECT_NE(workers.find(",shards-worker-1.shards-worker.team.svc:"), std::string::npos);
  EXPECT_EQ(c["args"], core::Json::array({"--block-size", "8Mi"}));
  EXPECT_EQ(c["securityContext"]["privileged"], true);
}

TEST(AqueductEngine, SourcesItCannotReadAreRefusedNamingTheField) {
  auto objs = load("oss://bucket/shards");
  auto t = render_fuse_template(objs.datasets[0], objs.runtimes[0]);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("spec.mounts[0].mountPoint \"oss://bucket/shards\""),
            std::string::npos)
      << t.status().message();
  auto w = render_runtime_workloads(objs.datasets[0], objs.runtimes[0], "AqueductRuntime", "u");
  EXPECT_FALSE(w.ok());
}

TEST(AqueductEngine, WorkersServeTheTieredStoreBehindAHeadlessService) {
  auto objs = load("local:///data/shards");
  auto w = render_runtime_workloads(objs.datasets[0], objs.runtimes[0], "AqueductRuntime", "uid");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_FALSE(w->master.has_value());
  ASSERT_TRUE(w->worker.has_value());
  const auto& pod = (*w->worker)["spec"]["template"]["spec"];
  const auto& c = pod["containers"][0];
  const auto cmd = c["command"];
  EXPECT_EQ(cmd[0], "aqueduct");
  EXPECT_EQ(cmd[1], "worker");
  const std::string listen = cmd[3];
  const int port = std::stoi(listen.substr(listen.rfind(':') + 1));
  EXPECT_GE(port, 20000);
  EXPECT_LT(port, 30000);
  EXPECT_EQ(cmd[5], "0.0.0.0:" + std::to_string(port + 1));  // --metrics-listen
  const std::vector<std::string> tiers = {cmd[7], cmd[9], cmd[11]};
  EXPECT_EQ(tiers, (std::vector<std::string>{"mem:/dev/shm/aq:4294967296", "ssd:/mnt/a:53687091200",
                                             "ssd:/mnt/b:53687091200"}));
  EXPECT_FALSE(c.contains("args"));
  EXPECT_EQ(c["readinessProbe"]["tcpSocket"]["port"], port);
  EXPECT_EQ(c["ports"][1]["name"], "metrics");
  EXPECT_EQ((*w->worker)["spec"]["replicas"], 2);
  ASSERT_TRUE(w->worker_service.has_value());
  const auto& svc = *w->worker_service;
  EXPECT_EQ(svc["metadata"]["name"], "shards-worker");
  EXPECT_EQ((*w->worker)["spec"]["serviceName"], "shards-worker");
  EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  EXPECT_EQ(svc["spec"]["ports"][0]["port"], port);
  EXPECT_EQ(svc["metadata"]["ownerReferences"][0]["kind"], "AqueductRuntime");
  // The FUSE DaemonSet runs the same mount, lazily.
  EXPECT_EQ(w->fuse["spec"]["template"]["spec"]["containers"][0]["command"][1], "fuse");
}

TEST(AqueductEngine, DataLoadsLoadTheWorkersDirectly) {
  auto objs = load("local:///data/shards");
  auto job = render_dataload_job(objs.dataloads[0], objs.datasets[0], objs.runtimes[0], "dl");
  const auto& pod = job["spec"]["template"]["spec"];
  const auto cmd = pod["containers"][0]["command"];
  EXPECT_EQ(cmd[0], "aqueduct");
  EXPECT_EQ(cmd[1], "load");
  EXPECT_EQ(cmd[3], "local:///data/shards");
  EXPECT_EQ(cmd[6], "/train");
  EXPECT_EQ(cmd[7], "/val");
  EXPECT_FALSE(pod.contains("volumes"));  // no claim: nothing to mount
  EXPECT_EQ(pod["containers"][0]["image"], "aqueduct/aqueduct:0.1.0");
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
