// ThinRuntime as Fluid's Thin engine renders it: the FUSE client its
// ThinRuntimeProfile describes (the runtime's own fields winning), told what
// to mount by config.json in the "<runtime>-fuse-conf" ConfigMap, where every
// encryptOption is the path of its Secret's file, never its value. The golden
// file holds the whole rendering of Fluid's MinIO sample
// (docs/en/samples/thinruntime.md).
#include <gtest/gtest.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct/runtime_adapters/runtime_workloads.h"
#include "support/golden.h"

namespace aqueduct::runtime_adapters {
namespace {

using Json = nlohmann::ordered_json;

core::FluidObjects load(const std::string& yaml, core::Diagnostics* diags_out = nullptr) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_yaml(yaml, "thin.yaml", diags);
  if (diags_out) {
    *diags_out = diags;
  } else {
    EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  }
  return objs;
}

constexpr const char* kProfile = R"(apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntimeProfile
metadata: {name: minio-profile}
spec:
  fileSystemType: fuse
  fuse:
    image: registry.example/fluid-minio-goofys
    imageTag: demo
    imagePullPolicy: IfNotPresent
    command:
      - sh
      - -c
      - "python3 /fluid-config-parse.py && chmod u+x ./mount-minio.sh && ./mount-minio.sh"
)";

constexpr const char* kDataset = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: minio-demo, namespace: team}
spec:
  mounts:
  - mountPoint: minio://my-first-bucket
    name: minio
    options:
      minio-url: http://minio:9000
    encryptOptions:
      - name: minio-access-key
        valueFrom: {secretKeyRef: {name: minio-secret, key: minio-access-key}}
      - name: minio-access-secret
        valueFrom: {secretKeyRef: {name: minio-secret, key: minio-access-secret}}
)";

constexpr const char* kRuntime = R"(apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntime
metadata: {name: minio-demo, namespace: team}
spec:
  profileName: minio-profile
)";

// Documents as one multi-document YAML text.
std::string docs(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "---\n") + p;
  return out;
}

Json rendering(const core::FluidObjects& objs) {
  auto w =
      render_runtime_workloads(objs.datasets.at(0), objs.runtimes.at(0), "ThinRuntime", "uid-1");
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  if (!w.ok()) return nullptr;
  EXPECT_FALSE(w->worker) << "Thin runs no cache workers";
  Json out = {{"fuse", w->fuse}, {"configMaps", Json::array()}};
  for (const auto& cm : w->config_maps) out["configMaps"].push_back(cm);
  return out;
}

std::string env(const Json& container, const std::string& name) {
  for (const auto& e : container["env"])
    if (e["name"] == name) return e.value("value", "");
  return "<absent>";
}

TEST(ThinRendering, MinioSampleRunsTheProfilesClientWithConfigJson) {
  Json r = rendering(load(docs({kProfile, kDataset, kRuntime})));
  ASSERT_FALSE(r.is_null());
  const Json& pod = r["fuse"]["spec"]["template"]["spec"];
  const Json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], "registry.example/fluid-minio-goofys:demo");
  EXPECT_EQ(c["command"][2],
            "python3 /fluid-config-parse.py && chmod u+x ./mount-minio.sh && ./mount-minio.sh");
  EXPECT_FALSE(c.contains("args"));
  EXPECT_EQ(env(c, "MOUNT_POINT"), "/runtime-mnt/thin/team/minio-demo/thin-fuse");
  EXPECT_EQ(env(c, "FLUID_RUNTIME_NS"), "team");
  EXPECT_EQ(env(c, "MOUNT_OPTIONS"), "<absent>") << "no options: none passed";
  EXPECT_EQ(c["lifecycle"]["preStop"]["exec"]["command"],
            Json::array({"umount", "/runtime-mnt/thin/team/minio-demo/thin-fuse"}));
  EXPECT_TRUE(pod["hostNetwork"].get<bool>());

  // config.json: the mount, the secrets as file paths, the target, read-only.
  ASSERT_EQ(r["configMaps"].size(), 1u);
  const Json& cm = r["configMaps"][0];
  EXPECT_EQ(cm["metadata"]["name"], "minio-demo-fuse-conf");
  const Json config = Json::parse(cm["data"]["config.json"].get<std::string>());
  const Json& opts = config["mounts"][0]["options"];
  EXPECT_EQ(config["mounts"][0]["mountPoint"], "minio://my-first-bucket");
  EXPECT_EQ(opts["minio-url"], "http://minio:9000");
  EXPECT_EQ(opts["minio-access-key"], "/etc/fluid/secrets/minio-secret/minio-access-key");
  EXPECT_EQ(opts["minio-access-secret"], "/etc/fluid/secrets/minio-secret/minio-access-secret");
  EXPECT_EQ(config["targetPath"], "/runtime-mnt/thin/team/minio-demo/thin-fuse");
  EXPECT_EQ(config["accessModes"], Json::array({"ReadOnlyMany"}));
  // The Secret is mounted once, where the paths point; the FUSE reads config.json.
  int secret_volumes = 0;
  for (const auto& v : pod["volumes"]) {
    secret_volumes += v.contains("secret");
    if (v["name"] == "thin-conf") {
      EXPECT_EQ(v["configMap"]["name"], "minio-demo-fuse-conf");
    }
  }
  EXPECT_EQ(secret_volumes, 1);
  bool secret_mounted = false, conf_mounted = false;
  for (const auto& m : c["volumeMounts"]) {
    secret_mounted |= m["mountPath"] == "/etc/fluid/secrets/minio-secret";
    conf_mounted |= m["mountPath"] == "/etc/fluid/config";
  }
  EXPECT_TRUE(secret_mounted);
  EXPECT_TRUE(conf_mounted);
  aqueduct::testing::expect_golden(r, "thin-minio.json");
}

TEST(ThinRendering, TheRuntimesOwnFieldsWinOverTheProfiles) {
  const std::string profile = R"(apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntimeProfile
metadata: {name: nfs}
spec:
  fileSystemType: fuse.nfs-fuse
  fuse:
    image: nfs-fuse
    imageTag: v1
    args: ["--profile-arg"]
    networkMode: ContainerNetwork
    nodeSelector: {storage: nfs}
    env: [{name: FROM_PROFILE, value: "p"}]
    options: {timeo: "600", nolock: ""}
)";
  const std::string runtime = R"(apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntime
metadata: {name: minio-demo, namespace: team}
spec:
  profileName: nfs
  tieredstore:
    levels: [{mediumtype: SSD, path: /mnt/thin-cache, quota: 10Gi}]
  fuse:
    imageTag: v2
    args: ["--runtime-arg"]
    env: [{name: FROM_RUNTIME, value: "r"}]
    options: {timeo: "30", vers: "4.1"}
)";
  std::string ds = kDataset;
  ds.replace(ds.find("spec:\n"), 6, "spec:\n  accessModes: [ReadOnlyMany]\n");
  auto objs = load(docs({profile, ds, runtime}));
  Json r = rendering(objs);
  ASSERT_FALSE(r.is_null());
  const Json& pod = r["fuse"]["spec"]["template"]["spec"];
  const Json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], "nfs-fuse:v2") << "the profile's image, the runtime's tag";
  EXPECT_EQ(c["args"], Json::array({"--runtime-arg"}));
  EXPECT_FALSE(c.contains("command"));
  EXPECT_EQ(env(c, "MOUNT_OPTIONS"), "nolock,ro,timeo=30,vers=4.1");
  // Env: the engine's, the profile's, the runtime's, then the mount point.
  std::vector<std::string> names;
  for (const auto& e : c["env"]) names.push_back(e["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"FLUID_RUNTIME_TYPE", "FLUID_RUNTIME_NS",
                                             "FLUID_RUNTIME_NAME", "FROM_PROFILE", "FROM_RUNTIME",
                                             "MOUNT_POINT", "MOUNT_OPTIONS"}));
  EXPECT_FALSE(pod["hostNetwork"].get<bool>()) << "the profile's ContainerNetwork";
  EXPECT_EQ(pod["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(pod["nodeSelector"]["storage"], "nfs");
  EXPECT_EQ(pod["nodeSelector"]["fluid.io/f-team-minio-demo"], "true");
  bool cache = false;
  for (const auto& m : c["volumeMounts"]) cache |= m["mountPath"] == "/mnt/thin-cache";
  EXPECT_TRUE(cache) << "the first tier is the client's cache folder";
  const Json config = Json::parse(r["configMaps"][0]["data"]["config.json"].get<std::string>());
  EXPECT_EQ(config["runtimeOptions"], (Json{{"timeo", "30"}, {"vers", "4.1"}}))
      << "runtimeOptions are the runtime's own";

  // The sidecar's mount check looks for the profile's file system type.
  auto t = render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->fs_type, "thin");
  EXPECT_EQ(t->mount_type, "fuse.nfs-fuse");
}

TEST(ThinRendering, HostVolumesTheMountsAskForAreMountedIntoTheClient) {
  std::string ds = kDataset;
  ds.replace(ds.find("      minio-url: http://minio:9000\n"), 35,
             "      minio-url: http://minio:9000\n      fluid.fuse.hostvolume: "
             "/data/minio:/mnt/minio\n");
  auto objs = load(docs({kProfile, ds, kRuntime}));
  auto t = render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  bool volume = false, mount = false;
  for (const auto& v : t->volumes)
    volume |= v["name"] == "fluid-fuse-hostvolume-0" && v["hostPath"]["path"] == "/data/minio";
  for (const auto& m : t->container["volumeMounts"])
    mount |= m["name"] == "fluid-fuse-hostvolume-0" && m["mountPath"] == "/mnt/minio";
  EXPECT_TRUE(volume && mount) << t->container.dump();

  ds.replace(ds.find("/data/minio:/mnt/minio"), 22, "data/minio");
  auto bad_objs = load(docs({kProfile, ds, kRuntime}));
  auto bad = render_fuse_template(bad_objs.datasets.at(0), bad_objs.runtimes.at(0));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "spec.mounts[0].options.fluid.fuse.hostvolume: expected /host/path or "
                "/host/path:/path/in/pod, got \"data/minio\""),
            std::string::npos)
      << bad.status().message();
}

TEST(ThinRendering, AProfileInAnotherFileIsFoundWhenTheObjectsMeet) {
  core::FluidObjects objs = load(docs({kDataset, kRuntime}));
  auto before = render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("spec.profileName: ThinRuntimeProfile "
                                           "\"minio-profile\" not found"),
            std::string::npos)
      << before.status().message();
  core::Diagnostics diags;
  core::check_references(objs, diags, /*complete=*/true);
  EXPECT_NE(diags.to_status().message().find(
                "spec.profileName: ThinRuntimeProfile \"minio-profile\" is not defined"),
            std::string::npos)
      << diags.to_status().message();

  objs.append(load(kProfile));
  auto after = render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  EXPECT_EQ(after->container["image"], "registry.example/fluid-minio-goofys:demo");
  core::Diagnostics ok;
  core::check_references(objs, ok, true);
  EXPECT_FALSE(ok.has_errors()) << ok.to_status().message();
}

TEST(ThinRendering, BadProfilesAreErrorsNamingTheField) {
  core::Diagnostics diags;
  load(R"(apiVersion: data.fluid.io/v1alpha1
kind: ThinRuntimeProfile
metadata: {name: p}
spec:
  fileSystemType: "fuse; rm -rf /"
  fuse: {image: x}
)",
       &diags);
  EXPECT_NE(diags.to_status().message().find("spec.fileSystemType"), std::string::npos)
      << diags.to_status().message();
  core::Diagnostics missing;
  load(
      "apiVersion: data.fluid.io/v1alpha1\nkind: ThinRuntimeProfile\nmetadata: {name: p}\n"
      "spec:\n  fuse: {image: x}\n",
      &missing);
  EXPECT_NE(missing.to_status().message().find("fileSystemType"), std::string::npos)
      << missing.to_status().message();
  core::Diagnostics dup;
  core::check_references(load(docs({kProfile, kProfile})), dup, true);
  EXPECT_NE(dup.to_status().message().find("duplicate ThinRuntimeProfile minio-profile"),
            std::string::npos);
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
