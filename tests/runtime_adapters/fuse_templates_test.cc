// Each engine's FUSE sidecar template, rendered from Fluid YAML.
#include "aqueduct/runtime_adapters/fuse_templates.h"

#include <gtest/gtest.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"

namespace aqueduct::runtime_adapters {
namespace {

core::FluidObjects load(const std::string& yaml) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_yaml(yaml, "test.yaml", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  return objs;
}

std::string dataset(const std::string& name, const std::string& extra = "") {
  return "apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata:\n  name: " + name +
         "\n  namespace: team\nspec:\n  mounts:\n    - mountPoint: s3://bucket/data\n      name: "
         "data\n" +
         extra + "---\n";
}

const char* kMetaurl =
    "      encryptOptions:\n        - name: metaurl\n          valueFrom:\n            "
    "secretKeyRef:\n              name: jfs\n              key: url\n";

core::Result<core::FuseTemplate> render(const core::FluidObjects& objs) {
  return render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
}

bool has_volume(const core::FuseTemplate& t, const std::string& name) {
  for (const auto& v : t.volumes) {
    if (v["name"] == name) return true;
  }
  return false;
}

TEST(FuseTemplates, JuiceFsFromDatasetAndRuntime) {
  auto objs = load(dataset("imagenet", kMetaurl) + R"(apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: imagenet, namespace: team}
spec:
  replicas: 5
  tieredstore:
    levels:
      - {mediumtype: SSD, path: /mnt/jfs, quota: 40Gi}
  fuse:
    image: registry.local/juicefs-fuse
    imageTag: v1.2
    env: [{name: EXTRA, value: "1"}]
)");
  auto t = render(objs);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->fs_type, "juicefs");
  EXPECT_EQ(t->host_mount_path, "/runtime-mnt/juicefs/team/imagenet/juicefs-fuse");
  EXPECT_EQ(t->container_mount_path, "/runtime-mnt/juicefs/team/imagenet");
  EXPECT_EQ(t->arches, (std::vector<core::Arch>{core::Arch::kAmd64, core::Arch::kArm64}));
  EXPECT_EQ(t->container["image"], "registry.local/juicefs-fuse:v1.2");
  EXPECT_EQ(t->container["securityContext"]["privileged"], true);
  // The FUSE runs its script (format, then mount) from the runtime's ConfigMap.
  EXPECT_EQ(t->container["command"], core::Json::array({"sh", "/root/script/script.sh"}));
  bool script = false;
  for (const auto& v : t->volumes)
    script |= v.contains("configMap") && v["configMap"]["name"] == "imagenet-fuse-script";
  EXPECT_TRUE(script);
  bool metaurl = false, extra = false;
  for (const auto& e : t->container["env"]) {
    if (e["name"] == "METAURL") {
      metaurl = e["valueFrom"]["secretKeyRef"]["name"] == "jfs" &&
                e["valueFrom"]["secretKeyRef"]["key"] == "url";
    }
    if (e["name"] == "EXTRA") extra = e["value"] == "1";
  }
  EXPECT_TRUE(metaurl);
  EXPECT_TRUE(extra);
  EXPECT_TRUE(has_volume(*t, "juicefs-fuse-mount"));
  EXPECT_TRUE(has_volume(*t, "cache-dir-1"));
}

TEST(FuseTemplates, JuiceFsWithoutCredentialsIsAnError) {
  auto objs = load(dataset("d") +
                   "apiVersion: data.fluid.io/v1alpha1\nkind: JuiceFSRuntime\nmetadata: {name: d, "
                   "namespace: team}\nspec: {}\n");
  auto t = render(objs);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("Dataset team/d: spec.mounts[].encryptOptions"),
            std::string::npos);
}

TEST(FuseTemplates, AlluxioIsAmd64WithDeviceAndMount) {
  auto objs = load(dataset("d") + R"(apiVersion: data.fluid.io/v1alpha1
kind: AlluxioRuntime
metadata: {name: d, namespace: team}
spec:
  replicas: 2
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 2Gi}
)");
  auto t = render(objs);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->arches, (std::vector<core::Arch>{core::Arch::kAmd64}));
  EXPECT_EQ(t->host_mount_path, "/runtime-mnt/alluxio/team/d/alluxio-fuse");
  EXPECT_EQ(t->container["args"][2], "/runtime-mnt/alluxio/team/d/alluxio-fuse");
  EXPECT_TRUE(has_volume(*t, "alluxio-fuse-device"));
  EXPECT_TRUE(has_volume(*t, "alluxio-fuse-mount"));
  EXPECT_TRUE(has_volume(*t, "mem-0-0"));
}

TEST(FuseTemplates, JindoNamesItsVolumesForFluidsRules) {
  auto objs = load(dataset("d") + R"(apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: d, namespace: team}
spec:
  replicas: 1
  tieredstore:
    levels:
      - {mediumtype: SSD, path: /mnt/disk1, quota: 10Gi}
)");
  auto t = render(objs);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->host_mount_path, "/runtime-mnt/jindo/team/d/jindofs-fuse");
  for (const char* v :
       {"jindofs-fuse-device", "jindofs-fuse-mount", "bigboot-config", "datavolume-1"}) {
    EXPECT_TRUE(has_volume(*t, v)) << v;
  }
}

TEST(FuseTemplates, ThinNeedsAnImage) {
  const std::string thin =
      "apiVersion: data.fluid.io/v1alpha1\nkind: ThinRuntime\nmetadata: {name: d, namespace: "
      "team}\nspec:\n";
  auto bad = render(load(dataset("d") + thin));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("spec.fuse.image"), std::string::npos);
  auto unknown = render(load(dataset("d") + thin + "  profileName: nfs\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("spec.profileName"), std::string::npos)
      << unknown.status().message();
  auto good =
      render(load(dataset("d") + thin +
                  "  fuse:\n    image: nfs-fuse\n    imageTag: v1\n    args: [\"-o\", \"ro\"]\n"));
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  EXPECT_EQ(good->container["image"], "nfs-fuse:v1");
  EXPECT_EQ(good->container["args"][1], "ro");
  EXPECT_EQ(good->host_mount_path, "/runtime-mnt/thin/team/d/thin-fuse");
  EXPECT_EQ(good->mount_type, "fuse") << "no profile: a plain FUSE mount";
}

TEST(FuseTemplates, EnginesWithoutSidecarAndDisabledFuse) {
  auto goose = render(load(dataset("d") +
                           "apiVersion: data.fluid.io/v1alpha1\nkind: GooseFSRuntime\nmetadata: "
                           "{name: d, namespace: team}\nspec: {replicas: 1}\n"));
  ASSERT_FALSE(goose.ok());
  EXPECT_NE(goose.status().message().find("GooseFSRuntime team/d: Fluid has removed the GooseFS"),
            std::string::npos)
      << goose.status().message();
  auto objs = load(dataset("d", kMetaurl) +
                   "apiVersion: data.fluid.io/v1alpha1\nkind: JuiceFSRuntime\nmetadata: {name: d, "
                   "namespace: team}\nspec: {}\n");
  objs.runtimes[0].fuse.disabled = true;
  auto off = render(objs);
  ASSERT_FALSE(off.ok());
  EXPECT_NE(off.status().message().find("disabled"), std::string::npos);
}

TEST(FuseTemplates, StaticResolverAndInjection) {
  auto objs = load(dataset("d", kMetaurl) + dataset("bare") +
                   "apiVersion: data.fluid.io/v1alpha1\nkind: JuiceFSRuntime\nmetadata: {name: d, "
                   "namespace: team}\nspec: {}\n");
  auto resolve = static_dataset_resolver(objs);
  EXPECT_FALSE(resolve("team", "unknown").has_value());
  EXPECT_FALSE(resolve("other", "d").has_value());
  ASSERT_TRUE(resolve("team", "bare").has_value());
  EXPECT_FALSE(resolve("team", "bare")->mounted.has_runtime);
  auto pod = core::Json::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "team", "labels": {"serverless.fluid.io/inject": "true"}},
    "spec": {"containers": [{"name": "c", "image": "i", "volumeMounts": [{"name": "v", "mountPath": "/d"}]}],
             "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "d"}}]}})");
  auto r = core::inject_pod(pod, resolve, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const auto& fuse = r->pod["spec"]["containers"][0];
  EXPECT_EQ(fuse["name"], "fluid-fuse-0");
  EXPECT_EQ(fuse["image"], "juicedata/juicefs-fuse:ce-v1.3.0");
  EXPECT_FALSE(fuse.contains("ports"));  // the metrics port is dropped, as Fluid does
  EXPECT_EQ(r->pod["spec"]["volumes"][0]["hostPath"]["path"],
            "/runtime-mnt/juicefs/team/d/juicefs-fuse");
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
