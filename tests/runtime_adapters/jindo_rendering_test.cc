// JindoRuntime as Fluid's JindoCache engine renders it: masters named by a
// headless Service each, workers and jindo-fuse configured by the
// <rt>-jindofs-config ConfigMap (jindocache.cfg, cacheset.xml, jindosdk.cfg),
// credentials projected from their Secrets into /token and never read. The
// golden files hold the whole rendering of Fluid's own e2e samples
// (test/gha-e2e/jindo: an S3 bucket on MinIO, two OSS buckets).
#include <gtest/gtest.h>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "aqueduct/runtime_adapters/runtime_workloads.h"
#include "support/golden.h"

namespace aqueduct::runtime_adapters {
namespace {

using Json = nlohmann::ordered_json;

core::FluidObjects load(const std::string& yaml) {
  core::Diagnostics diags;
  auto objs = core::load_fluid_yaml(yaml, "jindo.yaml", diags);
  EXPECT_FALSE(diags.has_errors()) << diags.to_status().to_string();
  return objs;
}

constexpr const char* kS3 = R"(apiVersion: v1
kind: Secret
metadata: {name: access-key, namespace: default}
type: Opaque
stringData: {fs.s3.accessKeyId: minioadmin, fs.s3.accessKeySecret: minioadmin}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: jindo-demo}
spec:
  mounts:
    - mountPoint: s3://mybucket/subpath/
      options:
       fs.s3.endpoint: "minio.default.svc.cluster.local:9000"
       fs.s3.region: "us-east-1"
      encryptOptions:
        - name: fs.s3.accessKeyId
          valueFrom: {secretKeyRef: {name: access-key, key: fs.s3.accessKeyId}}
        - name: fs.s3.accessKeySecret
          valueFrom: {secretKeyRef: {name: access-key, key: fs.s3.accessKeySecret}}
      name: minio
      path: /
  accessModes: [ReadOnlyMany]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: jindo-demo}
spec:
  replicas: 1
  tieredstore:
    levels:
      - {mediumtype: SSD, path: /var/lib/docker/jindo, quota: 1Gi, high: "0.99", low: "0.95"}
)";

constexpr const char* kMultiOss = R"(apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: jindo-multi-oss-demo}
spec:
  sharedOptions: {fs.oss.endpoint: "oss-cn-hangzhou.aliyuncs.com"}
  mounts:
    - mountPoint: oss://bucket-a/
      options: {fs.oss.endpoint: "oss-cn-hangzhou.aliyuncs.com"}
      encryptOptions:
        - {name: fs.oss.accessKeyId, valueFrom: {secretKeyRef: {name: access-key-a, key: fs.oss.accessKeyId}}}
        - {name: fs.oss.accessKeySecret, valueFrom: {secretKeyRef: {name: access-key-a, key: fs.oss.accessKeySecret}}}
      name: bucketa
      path: /bucketa
    - mountPoint: oss://bucket-b/
      options: {fs.oss.endpoint: "oss-cn-beijing.aliyuncs.com"}
      encryptOptions:
        - {name: fs.oss.accessKeyId, valueFrom: {secretKeyRef: {name: access-key-b, key: fs.oss.accessKeyId}}}
        - {name: fs.oss.accessKeySecret, valueFrom: {secretKeyRef: {name: access-key-b, key: fs.oss.accessKeySecret}}}
      name: bucketb
      path: /bucketb
  accessModes: [ReadWriteMany]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: jindo-multi-oss-demo}
spec:
  jindoVersion: {imagePullPolicy: IfNotPresent}
  fuse:
    args: [-oauto_cache, -oattr_timeout=0, -oentry_timeout=0, -onegative_timeout=0]
    imagePullPolicy: IfNotPresent
  replicas: 1
  tieredstore:
    levels:
      - {mediumtype: SSD, path: /var/lib/docker/jindo, quota: 1Gi, high: "0.99", low: "0.95"}
)";

struct Rendered {
  Json all;
  std::string cfg, cachesets, sdk;
};

Rendered rendering(const core::FluidObjects& objs) {
  auto w =
      render_runtime_workloads(objs.datasets.at(0), objs.runtimes.at(0), "JindoRuntime", "uid-1");
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  if (!w.ok()) return {};
  Rendered r;
  r.all = {{"master", *w->master},
           {"masterServices", w->master_services},
           {"worker", *w->worker},
           {"fuse", w->fuse},
           {"configMaps", w->config_maps}};
  EXPECT_EQ(w->config_maps.size(), 1u);
  const Json& data = w->config_maps.at(0)["data"];
  r.cfg = data["jindocache.cfg"];
  r.cachesets = data["cacheset.xml"];
  r.sdk = data["jindosdk.cfg"];
  return r;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

std::string env(const Json& container, const std::string& name) {
  for (const auto& e : container["env"])
    if (e["name"] == name) return e.contains("value") ? e["value"].get<std::string>() : "<ref>";
  return "<absent>";
}

TEST(JindoRendering, S3SampleConfiguresStoreCacheAndClient) {
  auto objs = load(kS3);
  Rendered r = rendering(objs);
  ASSERT_FALSE(r.all.is_null());
  // Ports agree everywhere they appear.
  const Json& master = r.all["master"]["spec"]["template"]["spec"]["containers"][0];
  const int rpc = master["ports"][0]["containerPort"];
  const std::string address = "jindo-demo-jindofs-master-0.default:" + std::to_string(rpc);
  EXPECT_EQ(env(master, "CLIENT_NAMESPACE_RPC_ADDRESS"), address);
  EXPECT_TRUE(has_line(r.cfg, "namespace.rpc.port = " + std::to_string(rpc))) << r.cfg;
  EXPECT_TRUE(has_line(r.cfg, "fs.jindocache.namespace.rpc.address = " + address)) << r.cfg;
  EXPECT_EQ(r.all["masterServices"].size(), 1u);
  EXPECT_EQ(r.all["masterServices"][0]["metadata"]["name"], "jindo-demo-jindofs-master-0");
  EXPECT_EQ(r.all["masterServices"][0]["spec"]["ports"][0]["port"], rpc);
  // The store, the cache folders, the watermarks, SSD (no RAM cache).
  for (const char* line :
       {"jindocache.s3.endpoint = minio.default.svc.cluster.local:9000",
        "jindocache.s3.region = us-east-1",
        "namespace.meta-dir = /var/lib/docker/jindo/default/jindo-demo/jindocache/server",
        "storage.data-dirs = /var/lib/docker/jindo/default/jindo-demo/jindocache",
        "storage.data-dirs.capacities = 1g", "storage.watermark.high.ratio = 0.99",
        "storage.watermark.low.ratio = 0.95", "fs.jindocache.ram.cache.enable = false",
        "fs.jindocache.read.only.enable = true",
        "fs.s3.credentials.provider = com.aliyun.jindodata.oss.auth.CustomCredentialsProvider",
        "fs.s3.provider.endpoint = secrets:///token/"})
    EXPECT_TRUE(has_line(r.cfg, line)) << line << "\n" << r.cfg;
  EXPECT_FALSE(has_line(r.cfg, "storage.ram.cache.size = 1g")) << "an SSD tier";
  EXPECT_NE(r.cachesets.find("<name>minio</name>\n      <path>s3://mybucket/subpath/</path>"),
            std::string::npos)
      << r.cachesets;
  EXPECT_TRUE(has_line(r.sdk, "fs.jindocache.namespace.rpc.address = " + address)) << r.sdk;
  // Credentials: the Secret's keys as files under /token, never its values.
  EXPECT_EQ(r.all.dump().find("minioadmin"), std::string::npos);
  const Json& fuse = r.all["fuse"]["spec"]["template"]["spec"];
  bool projected = false;
  for (const auto& v : fuse["volumes"]) {
    if (v["name"] != "jindofs-secret-token") continue;
    projected = true;
    const Json& src = v["projected"]["sources"][0]["secret"];
    EXPECT_EQ(src["name"], "access-key");
    EXPECT_EQ(src["items"], Json::parse(R"([{"key":"fs.s3.accessKeyId","path":"AccessKeyId"},
                                            {"key":"fs.s3.accessKeySecret","path":"AccessKeySecret"}])"));
  }
  EXPECT_TRUE(projected);
  // The client: read-only options, the mount under /jfs, lazy on the node.
  const Json& fc = fuse["containers"][0];
  EXPECT_EQ(fc["args"],
            Json::array({"-okernel_cache", "-oro", "-oattr_timeout=7200", "-oentry_timeout=7200",
                         "-onegative_timeout=7200", "-ono_symlink"}));
  EXPECT_EQ(env(fc, "FLUID_FUSE_MOUNTPOINT"), "/jfs/jindofs-fuse");
  EXPECT_EQ(fuse["nodeSelector"]["fluid.io/f-default-jindo-demo"], "true");
  auto t = render_fuse_template(objs.datasets.at(0), objs.runtimes.at(0));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->host_mount_path, "/runtime-mnt/jindo/default/jindo-demo/jindofs-fuse");
  EXPECT_EQ(t->container_mount_path, "/jfs");
  aqueduct::testing::expect_golden(r.all, "jindo-s3.json");
}

TEST(JindoRendering, TwoOssBucketsEachGetTheirOwnCredentialFiles) {
  Rendered r = rendering(load(kMultiOss));
  ASSERT_FALSE(r.all.is_null());
  for (const char* line : {"jindocache.oss.bucket.bucket-a.endpoint = oss-cn-hangzhou.aliyuncs.com",
                           "jindocache.oss.bucket.bucket-b.endpoint = oss-cn-beijing.aliyuncs.com",
                           "fs.oss.bucket.bucket-a.provider.endpoint = secrets:///token/bucket-a/",
                           "fs.oss.bucket.bucket-b.provider.endpoint = secrets:///token/bucket-b/",
                           "fs.oss.bucket.bucket-b.endpoint = oss-cn-beijing.aliyuncs.com"})
    EXPECT_TRUE(has_line(r.cfg, line)) << line << "\n" << r.cfg;
  EXPECT_FALSE(has_line(r.cfg, "fs.jindocache.read.only.enable = true")) << "ReadWriteMany";
  EXPECT_EQ(r.cfg.find("\nfs.oss.endpoint = "), std::string::npos)
      << "two endpoints: no client default";
  EXPECT_NE(r.cachesets.find("<name>bucketb</name>"), std::string::npos);
  const Json& fuse = r.all["fuse"]["spec"]["template"]["spec"];
  Json items = Json::array();
  for (const auto& v : fuse["volumes"])
    if (v["name"] == "jindofs-secret-token")
      for (const auto& s : v["projected"]["sources"]) items.push_back(s["secret"]);
  EXPECT_EQ(items, Json::parse(R"([
    {"name":"access-key-a","items":[{"key":"fs.oss.accessKeyId","path":"bucket-a/AccessKeyId"},
                                    {"key":"fs.oss.accessKeySecret","path":"bucket-a/AccessKeySecret"}]},
    {"name":"access-key-b","items":[{"key":"fs.oss.accessKeyId","path":"bucket-b/AccessKeyId"},
                                    {"key":"fs.oss.accessKeySecret","path":"bucket-b/AccessKeySecret"}]}])"));
  const Json& fc = fuse["containers"][0];
  EXPECT_EQ(fc["args"], Json::array({"-oauto_cache", "-oattr_timeout=0", "-oentry_timeout=0",
                                     "-onegative_timeout=0"}))
      << "the runtime's own arguments, as given";
  EXPECT_EQ(fc["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(r.all["master"]["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent")
      << "jindoVersion's pull policy";
  aqueduct::testing::expect_golden(r.all, "jindo-multi-oss.json");
}

TEST(JindoRendering, ThreeMastersFormARaftGroupAndAMemTierIsRam) {
  std::string yaml = kS3;
  yaml.replace(yaml.find("  replicas: 1\n"), 14,
               "  replicas: 2\n  master: {replicas: 3, properties: {namespace.filelet.threads: "
               "\"400\"}}\n");
  yaml.replace(yaml.find("mediumtype: SSD, path: /var/lib/docker/jindo, quota: 1Gi"), 56,
               "mediumtype: MEM, path: \"/dev/shm/a,/dev/shm/b\", quotaList: \"2Gi,512Mi\"");
  Rendered r = rendering(load(yaml));
  ASSERT_FALSE(r.all.is_null());
  EXPECT_EQ(r.all["master"]["spec"]["replicas"], 3);
  EXPECT_EQ(r.all["masterServices"].size(), 3u);
  EXPECT_EQ(r.all["worker"]["spec"]["replicas"], 2);
  EXPECT_TRUE(has_line(r.cfg, "namespace.backend.type = raft")) << r.cfg;
  EXPECT_TRUE(has_line(r.cfg, "namespace.filelet.threads = 400")) << "the runtime's own wins";
  EXPECT_TRUE(has_line(r.cfg, "storage.ram.cache.size = 2g,512m")) << r.cfg;
  EXPECT_TRUE(has_line(r.cfg,
                       "storage.data-dirs = /dev/shm/a/default/jindo-demo/jindocache,"
                       "/dev/shm/b/default/jindo-demo/jindocache"))
      << r.cfg;
  const Json& master = r.all["master"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(master["ports"].size(), 2u) << "rpc and raft";
  const std::string raft_conf = env(master, "NAMESPACE_BACKEND_RAFT_INITIAL_CONF");
  EXPECT_NE(raft_conf.find("jindo-demo-jindofs-master-2.default:"), std::string::npos) << raft_conf;
  const std::string addresses = env(master, "CLIENT_NAMESPACE_RPC_ADDRESS");
  EXPECT_EQ(std::count(addresses.begin(), addresses.end(), ','), 2) << addresses;
}

TEST(JindoRendering, BadMountsAreErrorsNamingTheField) {
  auto expect_error = [](const std::string& yaml, const std::string& want) {
    auto objs = load(yaml);
    auto w =
        render_runtime_workloads(objs.datasets.at(0), objs.runtimes.at(0), "JindoRuntime", "uid-1");
    ASSERT_FALSE(w.ok()) << want;
    EXPECT_NE(w.status().message().find(want), std::string::npos) << w.status().message();
  };
  const std::string rt =
      "---\napiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime\nmetadata: {name: d}\n";
  const std::string ds =
      "apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: d}\nspec:\n  mounts:\n";
  expect_error(ds + "    - {mountPoint: \"oss://b/\", name: m}\n" + rt,
               "spec.mounts[0].options: fs.oss.endpoint is required for OSS");
  expect_error(
      ds + "    - {mountPoint: \"s3://b/\", name: m, options: {metaPolicy: SOMETIMES}}\n" + rt,
      "spec.mounts[0].options.metaPolicy: expected ONCE or ALWAYS, got \"SOMETIMES\"");
  expect_error(ds +
                   "    - {mountPoint: \"s3://b/\", name: m, options: {metaPolicy: ALWAYS, "
                   "cacheStrategy: DHT}}\n" +
                   rt,
               "cacheStrategy: DHT needs metaPolicy ONCE");
  expect_error(
      ds + "    - {mountPoint: \"s3://b/\", name: m, options: {readCacheReplica: two}}\n" + rt,
      "readCacheReplica: expected a number, got \"two\"");
  expect_error(ds + "    - {mountPoint: \"pvc://claim\", name: m}\n" + rt,
               "pvc:// mounts are not rendered for JindoRuntime");
}

}  // namespace
}  // namespace aqueduct::runtime_adapters
