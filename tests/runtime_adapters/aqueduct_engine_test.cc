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

// The value after `flag` in a rendered command; "" when the flag is absent.
template <class C>
std::string flag_value(const C& cmd, const std::string& flag) {
  for (std::size_t i = 0; i + 1 < cmd.size(); ++i) {
    if (cmd[i] == flag) return cmd[i + 1];
  }
  return "";
}

// A client's credentials: the token and the mutual-TLS files, all from the
// runtime's Secret.
template <class C>
void expect_client_credentials(const C& cmd) {
  EXPECT_EQ(flag_value(cmd, "--worker-token-file"), "/etc/aqueduct/worker-token/token");
  EXPECT_EQ(flag_value(cmd, "--worker-tls-ca"), "/etc/aqueduct/worker-token/ca.crt");
  EXPECT_EQ(flag_value(cmd, "--worker-tls-cert"), "/etc/aqueduct/worker-token/tls.crt");
  EXPECT_EQ(flag_value(cmd, "--worker-tls-key"), "/etc/aqueduct/worker-token/tls.key");
}

// The pod mounts the token Secret read-only, owner-only, where the flags say.
template <class V, class M>
void expect_token_volume(const V& volumes, const M& mounts, const std::string& secret) {
  int found = 0;
  for (const auto& v : volumes) {
    if (v.value("name", "") != "aqueduct-worker-token") continue;
    ++found;
    EXPECT_EQ(v["secret"]["secretName"], secret);
    EXPECT_EQ(v["secret"]["defaultMode"], 0400);
  }
  EXPECT_EQ(found, 1) << "token volumes";
  found = 0;
  for (const auto& m : mounts) {
    if (m.value("name", "") != "aqueduct-worker-token") continue;
    ++found;
    EXPECT_EQ(m["mountPath"], "/etc/aqueduct/worker-token");
    EXPECT_EQ(m["readOnly"], true);
  }
  EXPECT_EQ(found, 1) << mounts.dump();
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
  const std::string workers = flag_value(cmd, "--workers");
  // The workers' token and TLS files, from the runtime's Secret mounted read-only.
  expect_client_credentials(cmd);
  expect_token_volume(t->volumes, c["volumeMounts"], "shards-worker-token");
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

// An S3 dataset as a Fluid user writes it for Alluxio: the endpoint and region
// as mount options, the keys as encryptOptions from a Secret.
core::FluidObjects load_s3(const std::string& secret_options) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_yaml(R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: shards, namespace: team}
spec:
  mounts:
    - mountPoint: s3://training/shards
      name: shards
      options: {alluxio.underfs.s3.endpoint: "minio.storage:9000", s3.region: eu-west-1}
      encryptOptions:
)" + secret_options + R"(
---
apiVersion: data.fluid.io/v1alpha1
kind: AqueductRuntime
metadata: {name: shards, namespace: team}
spec:
  replicas: 1
  tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm/aq, quota: 1Gi}]}
---
apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: warm, namespace: team}
spec:
  dataset: {name: shards, namespace: team}
)",
                                    "s3.yaml", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  return objs;
}

constexpr const char* kS3Keys = R"(        - name: aws.accessKeyId
          valueFrom: {secretKeyRef: {name: s3-keys, key: id}}
        - name: aws.secretKey
          valueFrom: {secretKeyRef: {name: s3-keys, key: secret}})";

template <class E>
std::string env_secret(const E& env, const std::string& name) {
  for (const auto& e : env)
    if (e.value("name", "") == name && e.contains("valueFrom"))
      return e["valueFrom"]["secretKeyRef"]["name"].template get<std::string>() + "/" +
             e["valueFrom"]["secretKeyRef"]["key"].template get<std::string>();
  return "";
}

TEST(AqueductEngine, S3SourcesGetTheirEndpointAndKeysFromTheDataset) {
  auto objs = load_s3(kS3Keys);
  auto t = render_fuse_template(objs.datasets[0], objs.runtimes[0]);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(flag_value(t->container["command"], "--source"),
            "s3://training/shards?endpoint=https://minio.storage:9000&region=eu-west-1");
  EXPECT_EQ(env_secret(t->container["env"], "AWS_ACCESS_KEY_ID"), "s3-keys/id");
  EXPECT_EQ(env_secret(t->container["env"], "AWS_SECRET_ACCESS_KEY"), "s3-keys/secret");
  EXPECT_EQ(env_secret(t->container["env"], "AWS_SESSION_TOKEN"), "");
  auto job = render_dataload_job(objs.dataloads[0], objs.datasets[0], objs.runtimes[0], "dl");
  const auto& c = job["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(flag_value(c["command"], "--source"),
            "s3://training/shards?endpoint=https://minio.storage:9000&region=eu-west-1");
  EXPECT_EQ(env_secret(c["env"], "AWS_SECRET_ACCESS_KEY"), "s3-keys/secret");

  auto half = load_s3(R"(        - name: aws.accessKeyId
          valueFrom: {secretKeyRef: {name: s3-keys, key: id}})");
  auto bad = render_fuse_template(half.datasets[0], half.runtimes[0]);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("encryptOptions"), std::string::npos)
      << bad.status().message();
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
  // The workers require the token from the runtime's Secret; the controller
  // creates the Secret (its data filled in then, never rendered).
  EXPECT_EQ(cmd[12], "--token-file");
  EXPECT_EQ(cmd[13], "/etc/aqueduct/worker-token/token");
  // ... and mutual TLS, with the certificate the controller issues into it
  // for every worker's name under the headless Service.
  EXPECT_EQ(flag_value(cmd, "--tls-ca"), "/etc/aqueduct/worker-token/ca.crt");
  EXPECT_EQ(flag_value(cmd, "--tls-cert"), "/etc/aqueduct/worker-token/tls.crt");
  EXPECT_EQ(flag_value(cmd, "--tls-key"), "/etc/aqueduct/worker-token/tls.key");
  EXPECT_EQ(w->worker_tls_names,
            (std::vector<std::string>{"*.shards-worker.team.svc",
                                      "*.shards-worker.team.svc.cluster.local"}));
  expect_token_volume(pod["volumes"], c["volumeMounts"], "shards-worker-token");
  ASSERT_TRUE(w->worker_token_secret.has_value());
  const auto& secret = *w->worker_token_secret;
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["metadata"]["name"], "shards-worker-token");
  EXPECT_EQ(secret["metadata"]["namespace"], "team");
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["kind"], "AqueductRuntime");
  EXPECT_FALSE(secret.contains("data"));
  EXPECT_FALSE(secret.contains("stringData"));
  // The FUSE DaemonSet runs the same mount, lazily, with the same token.
  const auto& fuse_pod = w->fuse["spec"]["template"]["spec"];
  EXPECT_EQ(fuse_pod["containers"][0]["command"][1], "fuse");
  expect_token_volume(fuse_pod["volumes"], fuse_pod["containers"][0]["volumeMounts"],
                      "shards-worker-token");
}

TEST(AqueductEngine, DataLoadsLoadTheWorkersDirectly) {
  auto objs = load("local:///data/shards");
  auto job = render_dataload_job(objs.dataloads[0], objs.datasets[0], objs.runtimes[0], "dl");
  const auto& pod = job["spec"]["template"]["spec"];
  const auto cmd = pod["containers"][0]["command"];
  EXPECT_EQ(cmd[0], "aqueduct");
  EXPECT_EQ(cmd[1], "load");
  EXPECT_EQ(cmd[3], "local:///data/shards");
  expect_client_credentials(cmd);
  ASSERT_EQ(cmd.size(), 16u);
  EXPECT_EQ(cmd[14], "/train");
  EXPECT_EQ(cmd[15], "/val");
  // No claim: the volumes are the workers' token and the local:// folder it reads.
  ASSERT_EQ(pod["volumes"].size(), 2u);
  expect_token_volume(pod["volumes"], pod["containers"][0]["volumeMounts"], "shards-worker-token");
  EXPECT_EQ(pod["volumes"][1]["hostPath"]["path"], "/data/shards");
  EXPECT_EQ(pod["containers"][0]["image"], "aqueduct/aqueduct:0.1.0");
}

// A local:// source is a folder on the node: the pods that read it (the FUSE
// client and the loader) get it as a read-only hostPath at the same path, so
// the URI means the same inside the pod. Other sources add no volume.
TEST(AqueductEngine, LocalSourcesAreMountedReadOnlyWhereTheyAreRead) {
  auto objs = load("local:///data/shards/");
  auto t = render_fuse_template(objs.datasets[0], objs.runtimes[0]);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  const core::Json* volume = nullptr;
  for (const auto& v : t->volumes)
    if (v["name"] == "aqueduct-local-source") volume = &v;
  ASSERT_NE(volume, nullptr);
  EXPECT_EQ((*volume)["hostPath"]["path"], "/data/shards");
  EXPECT_EQ((*volume)["hostPath"]["type"], "Directory");  // a missing folder fails the pod
  bool mounted = false;
  for (const auto& m : t->container["volumeMounts"]) {
    if (m["name"] != "aqueduct-local-source") continue;
    mounted = true;
    EXPECT_EQ(m["mountPath"], "/data/shards");
    EXPECT_EQ(m["readOnly"], true);
  }
  EXPECT_TRUE(mounted);
  auto job = render_dataload_job(objs.dataloads[0], objs.datasets[0], objs.runtimes[0], "dl");
  const auto& mounts = job["spec"]["template"]["spec"]["containers"][0]["volumeMounts"];
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[1]["mountPath"], "/data/shards");
  EXPECT_EQ(mounts[1]["readOnly"], true);

  auto remote = load("http://data.local:8080/shards");
  auto rt = render_fuse_template(remote.datasets[0], remote.runtimes[0]);
  ASSERT_TRUE(rt.ok());
  for (const auto& v : rt->volumes) EXPECT_NE(v["name"], "aqueduct-local-source");
}

// Pods on the host network resolve the workers' names through the cluster
// DNS (ClusterFirstWithHostNet, as Fluid's charts set it); in the container
// network they keep the default.
TEST(AqueductEngine, HostNetworkPodsStillUseTheClusterDns) {
  auto objs = load("http://data.local:8080/shards");
  auto w = render_runtime_workloads(objs.datasets[0], objs.runtimes[0], "AqueductRuntime", "u");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_EQ((*w->worker)["spec"]["template"]["spec"]["hostNetwork"], true);
  EXPECT_EQ((*w->worker)["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirstWithHostNet");
  EXPECT_EQ(w->fuse["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirstWithHostNet");
  objs.runtimes[0].network_mode = "ContainerNetwork";
  auto c = render_runtime_workloads(objs.datasets[0], objs.runtimes[0], "AqueductRuntime", "u");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c->worker)["spec"]["template"]["spec"]["hostNetwork"], false);
  EXPECT_FALSE((*c->worker)["spec"]["template"]["spec"].contains("dnsPolicy"));
  EXPECT_EQ(c->fuse["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
