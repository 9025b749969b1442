// Fluid's injection rules, one test per rule: a full input pod and the exact
// expected output (JSON equality, key order aside).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <map>

#include "aqueduct/core/injection/pod_injection.h"
#include "support/temp_dir.h"

namespace aqueduct::core {
namespace {

using J = Json;

J parse(const char* text) { return J::parse(text); }

// Key order is the input's (ordered_json); compare as plain JSON values.
void expect_same(const J& got, const J& want) {
  nlohmann::json g = nlohmann::json::parse(got.dump()), w = nlohmann::json::parse(want.dump());
  EXPECT_EQ(g, w) << "diff: " << nlohmann::json::diff(w, g).dump(1);
}

// A small engine template, so expected outputs stay readable.
FuseTemplate demo_template(std::vector<Arch> arches = {Arch::kAmd64, Arch::kArm64}) {
  FuseTemplate t;
  t.fs_type = "demo";
  t.host_mount_path = "/runtime-mnt/demo/default/ds/demo-fuse";
  t.container_mount_path = "/runtime-mnt/demo/default/ds";
  t.arches = std::move(arches);
  t.container = parse(R"({
    "name": "demo-fuse", "image": "demo/fuse:1",
    "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN", "NET_ADMIN"]}},
    "ports": [{"name": "demo-metrics", "containerPort": 9000}, {"name": "rpc", "containerPort": 9001}],
    "volumeMounts": [
      {"name": "thin-fuse-device", "mountPath": "/dev/fuse"},
      {"name": "thin-fuse-mount", "mountPath": "/runtime-mnt/demo/default/ds", "mountPropagation": "Bidirectional"},
      {"name": "cache-dir-1", "mountPath": "/var/cache"}]})");
  t.volumes = {
      parse(R"({"name": "thin-fuse-device", "hostPath": {"path": "/dev/fuse"}})"),
      parse(R"({"name": "thin-fuse-mount", "hostPath": {"path": "/runtime-mnt/demo/default/ds"}})"),
      parse(R"({"name": "cache-dir-1", "hostPath": {"path": "/var/cache"}})")};
  return t;
}

struct World {
  std::map<std::string, DatasetBinding> datasets;  // by name, namespace "default"
  void add(const std::string& name, bool runtime = true,
           std::optional<FuseTemplate> t = demo_template()) {
    DatasetBinding b;
    b.mounted.ns = "default";
    b.mounted.name = name;
    b.mounted.has_runtime = runtime;
    if (runtime) b.fuse = std::move(t);
    if (runtime && !b.fuse) b.fuse_error = "spec.fuse is disabled";
    datasets[name] = std::move(b);
  }
  DatasetResolver resolver() const {
    return [this](std::string_view ns, std::string_view claim) -> std::optional<DatasetBinding> {
      if (ns != "default") return std::nullopt;
      auto it = datasets.find(std::string(claim));
      if (it == datasets.end()) return std::nullopt;
      return it->second;
    };
  }
};

InjectionResult run(const World& w, const J& pod, InjectionOptions o = {}) {
  auto r = inject_pod(pod, w.resolver(), o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : InjectionResult{};
}

const char* kServerlessPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "train", "namespace": "default",
               "labels": {"serverless.fluid.io/inject": "true", "app": "train"}},
  "spec": {
    "restartPolicy": "Never",
    "containers": [{"name": "train", "image": "pytorch:2", "ports": [{"containerPort": 80}],
                    "livenessProbe": {"exec": {"command": ["true"]}},
                    "volumeMounts": [{"name": "data", "mountPath": "/data"},
                                     {"name": "scratch", "mountPath": "/tmp"}]}],
    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "ds"}},
                {"name": "scratch", "emptyDir": {}}]}})";

TEST(Injection, OptOutLabelSkipsEveryPlugin) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"]["fluid.io/enable-injection"] = "false";
  auto r = run(w, pod);
  EXPECT_EQ(r.profile, "skip");
  EXPECT_EQ(r.reason, "fluid.io/enable-injection=false");
  expect_same(r.pod, pod);
}

// Regression from fuzzing (tests/fuzz/crashers/pod_yaml): a kind or field
// of the wrong JSON type threw out of inject_object instead of an error.
TEST(Injection, FieldsOfTheWrongTypeAreErrorsNotExceptions) {
  World w;
  w.add("ds");
  auto r =
      inject_object(parse(R"({"kind": 5, "metadata": {"name": 7}})"), w.resolver(), {}, "m.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "m.yaml: kind: expected a string, got number");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"]["app"] = 5;
  pod["spec"]["containers"][0]["name"] = J::array({1});
  auto p = inject_pod(pod, w.resolver(), {}, "pod.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message().rfind("pod.yaml: ", 0), 0u) << p.status().message();
}

TEST(Injection, DoneLabelSkipsEveryPlugin) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"]["done.sidecar.fluid.io/inject"] = "true";
  auto r = run(w, pod);
  EXPECT_EQ(r.profile, "skip");
  expect_same(r.pod, pod);
}

TEST(Injection, ServerlessSidecarExactOutput) {
  World w;
  w.add("ds");
  auto r = run(w, parse(kServerlessPod));
  EXPECT_EQ(r.profile, "serverless-with-dataset");
  EXPECT_EQ(r.applied, (std::vector<std::string>{"FuseSidecar", "DatasetUsageInjector"}));
  expect_same(r.pod, parse(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "train", "namespace": "default",
    "labels": {"serverless.fluid.io/inject": "true", "app": "train",
               "dataset-namespace.sidecar.fluid.io/fluid-fuse-0": "default",
               "dataset-name.sidecar.fluid.io/fluid-fuse-0": "ds",
               "done.sidecar.fluid.io/inject": "true"},
    "annotations": {"fluid.io/datasets-in-use": "ds"}},
  "spec": {
    "restartPolicy": "Never",
    "containers": [
      {"name": "fluid-fuse-0", "image": "demo/fuse:1",
       "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN", "NET_ADMIN"]}},
       "ports": [{"name": "rpc", "containerPort": 9001}],
       "volumeMounts": [
         {"name": "thin-fuse-device-0", "mountPath": "/dev/fuse"},
         {"name": "thin-fuse-mount-0", "mountPath": "/runtime-mnt/demo/default/ds", "mountPropagation": "Bidirectional"},
         {"name": "check-mount-0", "mountPath": "/check-mount.sh", "subPath": "check-mount.sh", "readOnly": true}],
       "lifecycle": {"postStart": {"exec": {"command": ["bash", "-c",
         "time /check-mount.sh /runtime-mnt/demo/default/ds demo  >> /proc/1/fd/1"]}}}},
      {"name": "train", "image": "pytorch:2", "ports": [{"containerPort": 80}],
       "livenessProbe": {"exec": {"command": ["true"]}},
       "volumeMounts": [{"name": "data", "mountPath": "/data", "mountPropagation": "HostToContainer"},
                        {"name": "scratch", "mountPath": "/tmp"}]}],
    "volumes": [
      {"name": "data", "hostPath": {"path": "/runtime-mnt/demo/default/ds/demo-fuse"}},
      {"name": "scratch", "emptyDir": {}},
      {"name": "thin-fuse-device-0", "hostPath": {"path": "/dev/fuse"}},
      {"name": "thin-fuse-mount-0", "hostPath": {"path": "/runtime-mnt/demo/default/ds"}},
      {"name": "check-mount-0", "configMap": {"name": "demo-check-mount", "defaultMode": 493}}]}})"));
}

// Fluid's random-suffix host mount path mode: the dataset volume and the
// FUSE's host mount folder move under <root>/<pod>/<unique>, so a sidecar on
// an ordinary node never shares (and on exit unmounts) the mount point of the
// node's DaemonSet FUSE. Unique per admission, the same for the same review.
TEST(Injection, RandomSuffixModeGivesEachPodItsOwnHostMountFolder) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["annotations"]["default.fuse-sidecar.fluid.io/host-mount-path-mode"] =
      "random-suffix";
  InjectionOptions o;
  o.unique_token = "review-1";
  auto r = run(w, pod, o);
  std::string data, mount;
  for (const auto& v : r.pod["spec"]["volumes"]) {
    if (v["name"] == "data") data = v["hostPath"]["path"];
    if (v["name"] == "thin-fuse-mount-0") mount = v["hostPath"]["path"];
  }
  const std::string prefix = "/runtime-mnt/demo/default/ds/train/";
  ASSERT_EQ(data.rfind(prefix, 0), 0u) << data;
  const std::string unique = data.substr(prefix.size(), 16);
  EXPECT_EQ(unique.find_first_not_of("0123456789abcdef"), std::string::npos) << data;
  EXPECT_EQ(data, prefix + unique + "/demo-fuse");
  EXPECT_EQ(mount, prefix + unique) << "the FUSE mounts <its folder>/demo-fuse";
  // The container still mounts at the template's path: only the host side moves.
  const auto& fuse = r.pod["spec"]["containers"][0];
  EXPECT_EQ(fuse["volumeMounts"][1]["mountPath"], "/runtime-mnt/demo/default/ds");
  EXPECT_EQ(fuse["volumeMounts"][1]["name"], "thin-fuse-mount-0");

  auto again = run(w, pod, o);
  EXPECT_EQ(again.pod, r.pod) << "the same review gives the same pod";
  o.unique_token = "review-2";
  auto other = run(w, pod, o);
  EXPECT_NE(other.pod["spec"]["volumes"][0], r.pod["spec"]["volumes"][0]);

  // Without the annotation (or another mode) the paths are the template's.
  pod["metadata"]["annotations"]["default.fuse-sidecar.fluid.io/host-mount-path-mode"] = "shared";
  auto plain = run(w, pod, o);
  EXPECT_EQ(plain.pod["spec"]["volumes"][0]["hostPath"]["path"],
            "/runtime-mnt/demo/default/ds/demo-fuse");
}

TEST(Injection, DeprecatedSidecarLabelIsServerless) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"].erase("serverless.fluid.io/inject");
  pod["metadata"]["labels"]["fuse.sidecar.fluid.io/inject"] = "true";
  EXPECT_EQ(run(w, pod).profile, "serverless-with-dataset");
}

TEST(Injection, EciPlatformLabelGivesUnprivilegedSidecar) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"] = {{"alibabacloud.com/fluid-sidecar-target", "eci"},
                               {"alibabacloud.com/eci", "true"}};
  auto r = run(w, pod);
  EXPECT_EQ(r.profile, "serverless-with-dataset");
  const J& fuse = r.pod["spec"]["containers"][0];
  expect_same(fuse["securityContext"],
              parse(R"({"privileged": false, "capabilities": {"add": ["NET_ADMIN"]}})"));
  // No /dev/fuse device and no host mount volume: the platform provides FUSE.
  expect_same(fuse["volumeMounts"], parse(R"([
    {"name": "check-mount-0", "mountPath": "/check-mount.sh", "subPath": "check-mount.sh", "readOnly": true}])"));
  ASSERT_EQ(r.pod["spec"]["volumes"].size(), 3u);
  EXPECT_EQ(r.pod["spec"]["volumes"][2]["name"], "check-mount-0");
}

TEST(Injection, UnprivilegedLabelWithServerless) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"]["unprivileged.sidecar.fluid.io/inject"] = "true";
  auto r = run(w, pod);
  EXPECT_EQ(r.pod["spec"]["containers"][0]["securityContext"]["privileged"], false);
}

TEST(Injection, NativeSidecarIsAnAlwaysRestartingInitContainer) {
  World w;
  w.add("ds");
  InjectionOptions o;
  o.sidecar_mode = SidecarMode::kNativeSidecar;
  auto r = run(w, parse(kServerlessPod), o);
  ASSERT_EQ(r.pod["spec"]["containers"].size(), 1u);
  ASSERT_EQ(r.pod["spec"]["initContainers"].size(), 1u);
  const J& init = r.pod["spec"]["initContainers"][0];
  EXPECT_EQ(init["name"], "fluid-fuse-0");
  EXPECT_EQ(init["restartPolicy"], "Always");
  EXPECT_TRUE(init.contains("lifecycle"));
  EXPECT_EQ(r.pod["metadata"]["labels"]["dataset-name.sidecar.fluid.io/fluid-fuse-0"], "ds");
}

TEST(Injection, DatasetInInitContainerGetsShortInitFuse) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["spec"]["initContainers"] = parse(
      R"([{"name": "prep", "image": "busybox", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}])");
  auto r = run(w, pod);
  const J& init = r.pod["spec"]["initContainers"];
  ASSERT_EQ(init.size(), 2u);
  EXPECT_EQ(init[0]["name"], "fluid-init-fuse-0");
  EXPECT_EQ(init[0]["command"], parse(R"(["sleep"])"));
  EXPECT_EQ(init[0]["args"], parse(R"(["2s"])"));
  EXPECT_FALSE(init[0].contains("lifecycle"));
  EXPECT_EQ(init[1]["volumeMounts"][0]["mountPropagation"], "HostToContainer");
  EXPECT_EQ(r.pod["spec"]["containers"][0]["name"], "fluid-fuse-0");
  EXPECT_EQ(r.pod["metadata"]["labels"]["dataset-name.sidecar.fluid.io/fluid-init-fuse-0"], "ds");
}

TEST(Injection, TwoDatasetsTwoSidecarsNewestFirst) {
  World w;
  w.add("ds");
  w.add("ds2");
  J pod = parse(kServerlessPod);
  pod["spec"]["volumes"].push_back(
      parse(R"({"name": "more", "persistentVolumeClaim": {"claimName": "ds2"}})"));
  pod["spec"]["containers"][0]["volumeMounts"].push_back(
      parse(R"({"name": "more", "mountPath": "/more"})"));
  pod["metadata"]["annotations"] = {{"fluid.io/datasets-in-use", "zeta, ds"}};
  auto r = run(w, pod);
  const J& cs = r.pod["spec"]["containers"];
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0]["name"], "fluid-fuse-1");
  EXPECT_EQ(cs[1]["name"], "fluid-fuse-0");
  EXPECT_EQ(cs[0]["volumeMounts"][0]["name"], "thin-fuse-device-1");
  EXPECT_EQ(r.pod["metadata"]["annotations"]["fluid.io/datasets-in-use"], "ds,ds2,zeta");
  EXPECT_EQ(r.datasets, (std::vector<std::string>{"default/ds", "default/ds2"}));
}

TEST(Injection, ClashingVolumeNameGetsFluidSuffix) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["spec"]["volumes"].push_back(parse(R"({"name": "check-mount-0", "emptyDir": {}})"));
  auto r = run(w, pod);
  const J& vols = r.pod["spec"]["volumes"];
  EXPECT_EQ(vols.back()["name"], "check-mount-0-fluid");
  EXPECT_EQ(r.pod["spec"]["containers"][0]["volumeMounts"].back()["name"], "check-mount-0-fluid");
}

TEST(Injection, CacheDirLabelKeepsCacheVolumes) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"]["cachedir.sidecar.fluid.io/inject"] = "true";
  auto r = run(w, pod);
  const J& mounts = r.pod["spec"]["containers"][0]["volumeMounts"];
  EXPECT_EQ(mounts[2]["name"], "cache-dir-1-0");
}

TEST(Injection, PostStartOptOut) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["metadata"]["labels"]["poststart.sidecar.fluid.io/inject"] = "false";
  auto r = run(w, pod);
  EXPECT_FALSE(r.pod["spec"]["containers"][0].contains("lifecycle"));
  for (const auto& v : r.pod["spec"]["volumes"]) EXPECT_NE(v["name"], "check-mount-0");
}

// Batch pods: the sidecar's command runs under a watcher of the pod's
// annotations (downward API) that unmounts and exits on aqueduct.io/sidecar-exit.
TEST(Injection, BatchPodSidecarWatchesForTheExitAnnotation) {
  World w;
  FuseTemplate t = demo_template();
  t.container["command"] = J::array({"/bin/demo-fuse"});
  t.container["args"] = J::array({"--mount", "/runtime-mnt/demo/default/ds"});
  w.add("ds", true, t);
  w.add("other", true, t);
  J pod = parse(kServerlessPod);
  pod["spec"]["containers"][0]["volumeMounts"].push_back({{"name", "o"}, {"mountPath", "/o"}});
  pod["spec"]["volumes"].push_back(
      {{"name", "o"}, {"persistentVolumeClaim", {{"claimName", "other"}}}});
  auto r = run(w, pod);
  const J& containers = r.pod["spec"]["containers"];
  ASSERT_EQ(containers.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    const J& c = containers[i];
    ASSERT_EQ(c["command"].size(), 7u) << c.dump();
    EXPECT_EQ(c["command"][0], "/bin/sh");
    const std::string script = c["command"][2];
    EXPECT_NE(
        script.find("grep -q '^aqueduct.io/sidecar-exit=' /etc/aqueduct/pod-info/annotations"),
        std::string::npos);
    EXPECT_NE(script.find("umount '/runtime-mnt/demo/default/ds'"), std::string::npos);
    EXPECT_EQ(c["command"][4], "/bin/demo-fuse");  // the template's command and args follow
    EXPECT_EQ(c["command"][6], "/runtime-mnt/demo/default/ds");
    EXPECT_FALSE(c.contains("args"));
    EXPECT_EQ(c["volumeMounts"].back()["name"], "aqueduct-pod-info");
  }
  int info_volumes = 0;
  for (const auto& v : r.pod["spec"]["volumes"]) {
    if (v["name"] != "aqueduct-pod-info") continue;
    ++info_volumes;
    EXPECT_EQ(v["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"], "metadata.annotations");
  }
  EXPECT_EQ(info_volumes, 1);  // shared by both sidecars

  // A long-running pod's sidecar lives as long as the pod: left as it is.
  J serving = parse(kServerlessPod);
  serving["spec"]["restartPolicy"] = "Always";
  auto s = run(w, serving);
  EXPECT_EQ(s.pod["spec"]["containers"][0]["command"], J::array({"/bin/demo-fuse"}));
  for (const auto& v : s.pod["spec"]["volumes"]) EXPECT_NE(v["name"], "aqueduct-pod-info");
}

TEST(Injection, ExistingFuseContainerIsNotInjectedTwice) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  pod["spec"]["containers"].push_back(parse(R"({"name": "fluid-fuse-0", "image": "x"})"));
  auto r = run(w, pod);
  EXPECT_EQ(r.pod["spec"]["containers"].size(), 2u);
  EXPECT_EQ(r.applied, (std::vector<std::string>{"DatasetUsageInjector"}));
  EXPECT_FALSE(r.warnings.empty());
}

TEST(Injection, SingleArchSidecarAddsArchAffinity) {
  World w;
  w.add("ds", true, demo_template({Arch::kAmd64}));
  auto r = run(w, parse(kServerlessPod));
  EXPECT_EQ(r.applied,
            (std::vector<std::string>{"FuseSidecar", "ArchAffinity", "DatasetUsageInjector"}));
  expect_same(r.pod["spec"]["affinity"], parse(R"({"nodeAffinity": {
    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
      {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}]}}})"));
  InjectionOptions fluid_exact;
  fluid_exact.arch_affinity = false;
  EXPECT_FALSE(run(w, parse(kServerlessPod), fluid_exact).pod["spec"].contains("affinity"));
}

TEST(Injection, ServerlessDatasetWithoutFuseTemplateIsAnError) {
  World w;
  w.add("ds", true, std::nullopt);
  auto r = inject_pod(parse(kServerlessPod), w.resolver(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("default/ds"), std::string::npos);
  EXPECT_NE(r.status().message().find("spec.fuse is disabled"), std::string::npos);
}

TEST(Injection, ServerlessWithoutDatasetIsUntouched) {
  World w;
  J pod = parse(kServerlessPod);
  auto r = run(w, pod);
  EXPECT_EQ(r.profile, "serverless-without-dataset");
  expect_same(r.pod, pod);
}

const char* kServerfulPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web", "namespace": "default"},
  "spec": {"containers": [{"name": "app", "image": "nginx",
                           "volumeMounts": [{"name": "data", "mountPath": "/data"},
                                            {"name": "fixed", "mountPath": "/f", "mountPropagation": "None"}]}],
           "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "ds"}},
                       {"name": "fixed", "persistentVolumeClaim": {"claimName": "ds"}},
                       {"name": "other", "persistentVolumeClaim": {"claimName": "plain-pvc"}}]}})";

TEST(Injection, ServerfulWithDatasetExactOutput) {
  World w;
  w.add("ds");
  w.datasets["ds"].mounted.fuse_node_selector = {{"fuse-node", "yes"}};
  auto r = run(w, parse(kServerfulPod));
  EXPECT_EQ(r.profile, "serverful-with-dataset");
  EXPECT_EQ(r.applied,
            (std::vector<std::string>{"RequireNodeWithFuse", "NodeAffinityWithCache",
                                      "MountPropagationInjector", "DatasetUsageInjector"}));
  expect_same(r.pod, parse(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web", "namespace": "default",
               "annotations": {"fluid.io/datasets-in-use": "ds"}},
  "spec": {"containers": [{"name": "app", "image": "nginx",
             "volumeMounts": [{"name": "data", "mountPath": "/data", "mountPropagation": "HostToContainer"},
                              {"name": "fixed", "mountPath": "/f", "mountPropagation": "None"}]}],
           "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "ds"}},
                       {"name": "fixed", "persistentVolumeClaim": {"claimName": "ds"}},
                       {"name": "other", "persistentVolumeClaim": {"claimName": "plain-pvc"}}],
           "affinity": {"nodeAffinity": {
             "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
               {"matchExpressions": [{"key": "fuse-node", "operator": "In", "values": ["yes"]}]}]},
             "preferredDuringSchedulingIgnoredDuringExecution": [
               {"weight": 100, "preference": {"matchExpressions": [
                 {"key": "fluid.io/s-default-ds", "operator": "In", "values": ["true"]}]}}]}}}})"));
}

TEST(Injection, ServerfulRequiredDatasetGetsRequiredTerm) {
  World w;
  w.add("ds");
  J pod = parse(kServerfulPod);
  pod["metadata"]["labels"] = {{"fluid.io/dataset.ds.sched", "required"}};
  auto r = run(w, pod);
  expect_same(r.pod["spec"]["affinity"]["nodeAffinity"], parse(R"({
    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
      {"matchExpressions": [{"key": "fluid.io/s-default-ds", "operator": "In", "values": ["true"]}]}]}})"));
}

TEST(Injection, ServerfulWithoutDatasetPrefersNodesWithoutCache) {
  World w;
  J pod = parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"containers": [{"name": "c", "image": "i"}],
                             "affinity": {"podAntiAffinity": {"x": 1}}}})");
  auto r = run(w, pod);
  EXPECT_EQ(r.profile, "serverful-without-dataset");
  expect_same(r.pod["spec"]["affinity"], parse(R"({"podAntiAffinity": {"x": 1}, "nodeAffinity": {
    "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": {
      "matchExpressions": [{"key": "fluid.io/dataset-num", "operator": "DoesNotExist"}]}}]}})"));
}

TEST(Injection, ServerfulOptInNeedsTheLabel) {
  World w;
  w.add("ds");
  InjectionOptions o;
  o.serverful_opt_in = true;
  auto r = run(w, parse(kServerfulPod), o);
  EXPECT_EQ(r.profile, "skip");
  J pod = parse(kServerfulPod);
  pod["metadata"]["labels"] = {{"fuse.serverful.fluid.io/inject", "true"}};
  EXPECT_EQ(run(w, pod, o).profile, "serverful-with-dataset");
}

TEST(Injection, DatasetWithoutRuntimeIsWarnedAndIgnored) {
  World w;
  w.add("ds", false);
  auto r = run(w, parse(kServerfulPod));
  EXPECT_EQ(r.profile, "serverful-without-dataset");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("has no runtime"), std::string::npos);
}

TEST(Injection, BadPodsGiveFieldErrors) {
  World w;
  auto bad = [&](const char* text) {
    auto r = inject_pod(parse(text), w.resolver(), {}, "req");
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(bad("[1, 2]").find("expected a Pod object"), std::string::npos);
  EXPECT_NE(bad(R"({"kind": "Service", "spec": {}})").find("expected Pod"), std::string::npos);
  EXPECT_NE(bad(R"({"kind": "Pod", "metadata": {}})").find("spec"), std::string::npos);
  EXPECT_NE(bad(R"({"kind": "Pod", "spec": {"containers": [], "volumes": 7}})").find("volumes"),
            std::string::npos);
  EXPECT_NE(bad(R"({"kind": "Pod", "spec": {"containers": [{"image": "x"}]}})")
                .find("containers[0].name"),
            std::string::npos);
}

TEST(InjectObject, WorkloadTemplatesAndLists) {
  World w;
  w.add("ds");
  J pod = parse(kServerlessPod);
  J deploy = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "d"}, {"namespace", "default"}}},
      {"spec",
       {{"replicas", 2}, {"template", {{"metadata", pod["metadata"]}, {"spec", pod["spec"]}}}}}};
  deploy["spec"]["template"]["metadata"].erase("namespace");
  deploy["spec"]["template"]["metadata"].erase("name");
  J cron = {{"apiVersion", "batch/v1"},
            {"kind", "CronJob"},
            {"metadata", {{"name", "c"}}},
            {"spec", {{"jobTemplate", {{"spec", {{"template", deploy["spec"]["template"]}}}}}}}};
  J list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", {deploy, cron}}};
  auto r = inject_object(list, w.resolver(), {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->pods.size(), 2u);
  const J& tpl = r->object["items"][0]["spec"]["template"];
  EXPECT_EQ(tpl["spec"]["containers"][0]["name"], "fluid-fuse-0");
  EXPECT_FALSE(tpl["metadata"].contains("namespace"));  // the template stays namespace-free
  EXPECT_EQ(r->object["items"][1]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
                     [0]["name"],
            "fluid-fuse-0");
  EXPECT_EQ(r->object["items"][0]["spec"]["replicas"], 2);

  auto bad = inject_object(J{{"kind", "Service"}}, w.resolver(), {}, "svc.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("svc.yaml: kind"), std::string::npos);
  auto no_tpl = inject_object(J{{"kind", "Job"}, {"spec", J::object()}}, w.resolver(), {}, "j");
  ASSERT_FALSE(no_tpl.ok());
  EXPECT_NE(no_tpl.status().message().find("spec.template"), std::string::npos);
}

TEST(InjectObject, CheckMountConfigMapNamesTheEngine) {
  J cm = check_mount_config_map("team-a", "juicefs");
  EXPECT_EQ(cm["metadata"]["name"], "juicefs-check-mount");
  EXPECT_EQ(cm["metadata"]["namespace"], "team-a");
  EXPECT_NE(cm["data"]["check-mount.sh"].get<std::string>().find("/proc/self/mountinfo"),
            std::string::npos);
}

// The check script itself, run by bash on written mount tables: the hostPath
// bind of the directory (whose path names the engine) is not the FUSE mount.
TEST(InjectObject, CheckMountScriptLooksAtTheFileSystemNotThePath) {
  testing::TempDir dir;
  std::string script = dir.write(
      "check-mount.sh", check_mount_config_map("ns", "aqueduct")["data"]["check-mount.sh"]);
  const std::string bind =
      "1051 1040 253:0 /runtime-mnt/aqueduct/default/shards /runtime-mnt/aqueduct/default/shards "
      "rw,relatime - ext4 /dev/vda rw\n";
  const std::string fuse =
      "1060 1051 0:77 / /runtime-mnt/aqueduct/default/shards/aqueduct-fuse rw,nosuid,nodev - "
      "fuse.aqueduct aqueduct rw,user_id=0,group_id=0\n";
  const std::string elsewhere =
      "1070 1040 0:78 / /mnt/other rw - fuse.aqueduct aqueduct rw,user_id=0\n";
  auto run = [&](const std::string& table) {
    std::string info = dir.write("mountinfo", table);
    std::string cmd = "MOUNTINFO=" + info + " CHECK_MOUNT_ATTEMPTS=1 CHECK_MOUNT_INTERVAL=0 bash " +
                      script + " /runtime-mnt/aqueduct/default/shards aqueduct >/dev/null";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(run(bind), 1) << "the bind of the directory is not a FUSE mount";
  EXPECT_EQ(run(bind + elsewhere), 1) << "a FUSE mount elsewhere does not count";
  EXPECT_EQ(run(bind + fuse), 0);
  // Jindo's FUSE is recognised by its /dev/fuse source.
  std::string jindo =
      "1060 1051 0:77 / /runtime-mnt/jindo/default/ds/jindofs-fuse rw - fuse "
      "/dev/fuse rw\n";
  std::string info = dir.write("mountinfo", jindo);
  int rc =
      std::system(("MOUNTINFO=" + info + " CHECK_MOUNT_ATTEMPTS=1 CHECK_MOUNT_INTERVAL=0 bash " +
                   script + " /runtime-mnt/jindo/default/ds jindo >/dev/null")
                      .c_str());
  EXPECT_EQ(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, 0);
}

}  // namespace
}  // namespace aqueduct::core

namespace aqueduct::core {
namespace {

// Alongside Fluid's own webhook: only the engine's datasets are ours.
TEST(Injection, RestrictedToAnEngineOtherDatasetsAreLeftAlone) {
  World w;
  FuseTemplate aq = demo_template();
  aq.fs_type = "aqueduct";
  w.add("ours", true, aq);
  w.add("fluids");  // fs_type "demo": another engine's
  w.add("bare", false);
  const DatasetResolver only = restrict_to_engine(w.resolver(), "aqueduct");
  ASSERT_TRUE(only("default", "ours").has_value());
  EXPECT_EQ(only("default", "ours")->fuse->fs_type, "aqueduct");
  EXPECT_FALSE(only("default", "fluids").has_value());
  EXPECT_FALSE(only("default", "bare").has_value());
  EXPECT_FALSE(only("default", "unknown").has_value());
  // A serverless pod on another engine's dataset passes through unchanged.
  auto pod = parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default", "labels": {"serverless.fluid.io/inject": "true"}},
    "spec": {"containers": [{"name": "c", "image": "i", "volumeMounts": [{"name": "v", "mountPath": "/d"}]}],
             "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "fluids"}}]}})");
  auto r = inject_pod(pod, only, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->pod, pod);
}

}  // namespace
}  // namespace aqueduct::core
