// JuiceFS as Fluid's JuiceFS engine renders it: edition from the secrets,
// the format (community) or auth (enterprise) command, mount options from the
// dataset, the mount point's sub path, the first tier level and the runtime's
// fuse/worker options, secrets only as references, and the scripts the pods
// run from ConfigMaps. The golden files hold the whole rendering of Fluid's
// sample runtimes; AQ_UPDATE_GOLDEN=1 writes them anew after a deliberate
// change (review the diff).
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
  auto objs = core::load_fluid_yaml(yaml, "juicefs.yaml", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  return objs;
}

// Fluid's community sample (docs/en/samples/juicefs_runtime.md), with a sub
// path, object storage keys, two cache folders and every option kind.
constexpr const char* kCommunity = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: jfsdemo, namespace: team}
spec:
  accessModes: [ReadOnlyMany]
  mounts:
    - name: minio
      mountPoint: "juicefs:///demo"
      options: {bucket: "http://minio:9000/minio/test", storage: minio, trash-days: "1"}
      encryptOptions:
        - {name: metaurl, valueFrom: {secretKeyRef: {name: jfs-secret, key: metaurl}}}
        - {name: access-key, valueFrom: {secretKeyRef: {name: jfs-secret, key: access-key}}}
        - {name: secret-key, valueFrom: {secretKeyRef: {name: jfs-secret, key: secret-key}}}
---
apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: jfsdemo, namespace: team}
spec:
  replicas: 2
  configs: ["inodes=1000000"]
  tieredstore:
    levels:
      - {mediumtype: SSD, path: "/mnt/cache1:/mnt/cache2", quota: 40Gi, low: "0.1"}
  fuse:
    options: {max-uploads: "50"}
  worker:
    options: {buffer-size: "300"}
)";

// The enterprise edition: a token, the volume's bucket, a second bucket's key.
constexpr const char* kEnterprise = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: jfsee, namespace: team}
spec:
  accessModes: [ReadWriteMany]
  mounts:
    - name: ee-vol
      mountPoint: "juicefs:///"
      options: {bucket: "http://oss.example/vol"}
      encryptOptions:
        - {name: token, valueFrom: {secretKeyRef: {name: jfs-ee, key: token}}}
        - {name: access-key, valueFrom: {secretKeyRef: {name: jfs-ee, key: ak}}}
        - {name: secret-key, valueFrom: {secretKeyRef: {name: jfs-ee, key: sk}}}
        - {name: access-key2, valueFrom: {secretKeyRef: {name: jfs-ee, key: ak2}}}
---
apiVersion: data.fluid.io/v1alpha1
kind: JuiceFSRuntime
metadata: {name: jfsee, namespace: team}
spec:
  replicas: 1
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 8Gi}
)";

Json rendering(const core::FluidObjects& objs) {
  auto w =
      render_runtime_workloads(objs.datasets.at(0), objs.runtimes.at(0), "JuiceFSRuntime", "uid-1");
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  if (!w.ok()) return nullptr;
  Json out = {{"worker", *w->worker}, {"fuse", w->fuse}, {"configMaps", Json::array()}};
  for (const auto& cm : w->config_maps) out["configMaps"].push_back(cm);
  return out;
}

std::string script(const Json& r, const std::string& name) {
  for (const auto& cm : r["configMaps"])
    if (cm["metadata"]["name"] == name) return cm["data"]["script.sh"];
  return "";
}

std::string env_ref(const Json& container, const std::string& name) {
  for (const auto& e : container["env"])
    if (e["name"] == name)
      return e.contains("valueFrom")
                 ? e["valueFrom"]["secretKeyRef"]["name"].get<std::string>() + "/" +
                       e["valueFrom"]["secretKeyRef"]["key"].get<std::string>()
                 : e.value("value", "");
  return "";
}

using aqueduct::testing::expect_golden;

TEST(JuiceFsRendering, CommunityFormatsThenMountsWithFluidsOptions) {
  Json r = rendering(load(kCommunity));
  ASSERT_FALSE(r.is_null());
  const std::string fuse = script(r, "jfsdemo-fuse-script");
  const std::string worker = script(r, "jfsdemo-worker-script");
  // The volume is formatted first (idempotent: --no-update is not added when
  // storage and bucket are given, so a changed bucket is written).
  EXPECT_NE(fuse.find("/usr/local/bin/juicefs format --inodes=1000000 "
                      "--access-key=${ACCESS_KEY} --secret-key=${SECRET_KEY} --storage=minio "
                      "--bucket=http://minio:9000/minio/test --trash-days=1 ${METAURL} minio\n"),
            std::string::npos)
      << fuse;
  EXPECT_NE(fuse.find("exec /bin/mount.juicefs ${METAURL} "
                      "/runtime-mnt/juicefs/team/jfsdemo/juicefs-fuse -o "
                      "attr-cache=7200,cache-dir=/mnt/cache1:/mnt/cache2,cache-size=40960,"
                      "entry-cache=7200,free-space-ratio=0.1,max-uploads=50,"
                      "metrics=0.0.0.0:9567,ro,subdir=/demo,trash-days=1\n"),
            std::string::npos)
      << fuse;
  // Workers: the cache options and their own, not the dataset's or read-only.
  EXPECT_NE(worker.find("-o buffer-size=300,cache-dir=/mnt/cache1:/mnt/cache2,cache-size=40960,"
                        "free-space-ratio=0.1,metrics=0.0.0.0:9567,subdir=/demo\n"),
            std::string::npos)
      << worker;
  const Json& wc = r["worker"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(wc["command"], Json::array({"sh", "/root/script/script.sh"}));
  EXPECT_EQ(env_ref(wc, "METAURL"), "jfs-secret/metaurl");
  EXPECT_EQ(env_ref(wc, "ACCESS_KEY"), "jfs-secret/access-key");
  EXPECT_EQ(env_ref(wc, "SECRET_KEY"), "jfs-secret/secret-key");
  EXPECT_EQ(env_ref(wc, "JFS_FOREGROUND"), "1");
  EXPECT_EQ(wc["image"], "juicedata/juicefs-fuse:ce-v1.3.0");
  const Json& fc = r["fuse"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(env_ref(fc, "METAURL"), "jfs-secret/metaurl");
  // Both cache folders are the host's, for the workers and the FUSE alike.
  int caches = 0;
  for (const auto& v : r["worker"]["spec"]["template"]["spec"]["volumes"])
    caches += v.contains("hostPath") &&
              v["hostPath"]["path"].get<std::string>().rfind("/mnt/cache", 0) == 0;
  EXPECT_EQ(caches, 2);
  EXPECT_EQ(r.dump().find("\"value\":\"redis"), std::string::npos) << "no secret values";
  expect_golden(r, "juicefs-community.json");
}

TEST(JuiceFsRendering, EnterpriseAuthenticatesOnceAndSharesACacheGroup) {
  Json r = rendering(load(kEnterprise));
  ASSERT_FALSE(r.is_null());
  const std::string fuse = script(r, "jfsee-fuse-script");
  const std::string worker = script(r, "jfsee-worker-script");
  EXPECT_NE(fuse.find("if [ ! -f /root/.juicefs/ee-vol.conf ]; then"), std::string::npos) << fuse;
  EXPECT_NE(fuse.find("/usr/bin/juicefs auth --token=${TOKEN} --accesskey=${ACCESS_KEY} "
                      "--secretkey=${SECRET_KEY} --bucket=http://oss.example/vol "
                      "--access-key2=${access_key2} ee-vol\n"),
            std::string::npos)
      << fuse;
  EXPECT_NE(
      fuse.find("exec /sbin/mount.juicefs ee-vol /runtime-mnt/juicefs/team/jfsee/juicefs-fuse "
                "-o cache-dir=/dev/shm,cache-group=team-jfsee,cache-size=8192,foreground,"
                "no-sharing,no-update\n"),
      std::string::npos)
      << fuse;
  EXPECT_NE(worker.find("-o cache-dir=/dev/shm,cache-group=team-jfsee,cache-size=8192,foreground,"
                        "no-update\n"),
            std::string::npos)
      << worker;
  const Json& wc = r["worker"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(env_ref(wc, "TOKEN"), "jfs-ee/token");
  EXPECT_EQ(env_ref(wc, "access_key2"), "jfs-ee/ak2");
  EXPECT_EQ(env_ref(wc, "METAURL"), "");
  EXPECT_EQ(wc["image"], "juicedata/juicefs-fuse:ee-5.2.10-eb0a8b3");
  expect_golden(r, "juicefs-enterprise.json");
}

TEST(JuiceFsRendering, TheScriptsAreValidShell) {
  aqueduct::testing::TempDir dir;
  for (const char* yaml : {kCommunity, kEnterprise}) {
    Json r = rendering(load(yaml));
    for (const auto& cm : r["configMaps"]) {
      const std::string path = dir.write("script.sh", cm["data"]["script.sh"]);
      const std::string cmd = "bash -n " + path;
      EXPECT_EQ(std::system(cmd.c_str()), 0) << cm["data"]["script.sh"].get<std::string>();
    }
  }
}

TEST(JuiceFsRendering, QuotasAndBadOptionsAreCheckedNamingTheField) {
  std::string with_quota = kCommunity;
  with_quota.replace(with_quota.find("trash-days: \"1\""), 15, "quota: 2Gi");
  Json r = rendering(load(with_quota));
  EXPECT_NE(script(r, "jfsdemo-fuse-script")
                .find("/usr/local/bin/juicefs quota set ${METAURL} --path /demo --capacity 2\n"),
            std::string::npos)
      << script(r, "jfsdemo-fuse-script");

  std::string root_quota = with_quota;
  root_quota.replace(root_quota.find("juicefs:///demo"), 15, "juicefs:///");
  auto objs = load(root_quota);
  auto bad = render_fuse_template(objs.datasets[0], objs.runtimes[0]);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("options.quota"), std::string::npos);

  std::string bad_env = kCommunity;
  bad_env.replace(bad_env.find("name: access-key,"), 17, "name: \"key!\",");
  objs = load(bad_env);
  bad = render_fuse_template(objs.datasets[0], objs.runtimes[0]);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("encryptOptions \"key!\""), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
