// The runtime controllers against the fake API server.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <thread>

#include "aqueduct/k8s/runtime_controller.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace aqueduct::testing::collections;
using namespace std::chrono_literals;

Json dataset(const std::string& name) { return aqueduct::testing::fluid_dataset(name); }

Json runtime(const std::string& kind, const std::string& name, int replicas,
             const std::string& network = "") {
  Json spec = {
      {"replicas", replicas},
      {"tieredstore",
       {{"levels",
         Json::array({{{"mediumtype", "MEM"}, {"path", "/dev/shm"}, {"quota", "4Gi"}}})}}}};
  if (!network.empty()) spec["networkmode"] = network;
  return Json{{"apiVersion", "data.fluid.io/v1alpha1"},
              {"kind", kind},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "rt-" + name}}},
              {"spec", spec}};
}

Json status_of(const FakeApiServer& api, const char* coll, const std::string& name) {
  Json o = api.get(coll, "default", name);
  return o.is_object() && o.contains("status") ? o["status"] : Json::object();
}

TEST(RuntimeController, RendersWorkersAndLazyFuseFollowsReplicasAndReportsStatus) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("images"));
  api.put(kJuiceFs, runtime("JuiceFSRuntime", "images", 5));
  RuntimeController ctl(*client, {"AlluxioRuntime", "JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return status_of(api, kJuiceFs, "images").contains("selector"); }))
      << status_of(api, kJuiceFs, "images").dump();
  Json worker = api.get(kSts, "default", "images-worker");
  ASSERT_FALSE(worker.is_null());
  EXPECT_EQ(worker["spec"]["replicas"], 5);
  EXPECT_EQ(worker["metadata"]["ownerReferences"][0]["kind"], "JuiceFSRuntime");
  EXPECT_EQ(worker["spec"]["template"]["spec"]["hostNetwork"], true) << "HostNetwork by default";
  EXPECT_TRUE(api.get(kSts, "default", "images-master").is_null()) << "JuiceFS has no master";
  Json fuse = api.get(kDs, "default", "images-fuse");
  ASSERT_FALSE(fuse.is_null());
  EXPECT_EQ(fuse["spec"]["template"]["spec"]["nodeSelector"]["fluid.io/f-default-images"], "true");
  Json st = status_of(api, kJuiceFs, "images");
  EXPECT_EQ(st["desiredWorkerNumberScheduled"], 5);
  EXPECT_EQ(st["workerPhase"], "NotReady");
  EXPECT_NE(st["selector"].get<std::string>().find("fluid.io/dataset-id=default-images"),
            std::string::npos);
  EXPECT_EQ(ctl.stats().enabled_kinds, std::vector<std::string>{"JuiceFSRuntime"})
      << "AlluxioRuntime's controller stays off until one appears";
  // The check-mount script the injected sidecar mounts exists in the namespace.
  ASSERT_TRUE(eventually(
      [&] { return !api.get("v1/configmaps", "default", "juicefs-check-mount").is_null(); }));
  Json cm = api.get("v1/configmaps", "default", "juicefs-check-mount");
  EXPECT_NE(cm["data"]["check-mount.sh"].get<std::string>().find("#!/bin/bash"), std::string::npos)
      << cm.dump();
  // An edited script is put back.
  cm["data"]["check-mount.sh"] = "#!/bin/sh\nexit 0\n";
  api.put("v1/configmaps", cm);
  Json poke = api.get(kJuiceFs, "default", "images");
  poke["metadata"]["labels"]["poke"] = "1";
  api.put(kJuiceFs, poke);
  ASSERT_TRUE(eventually([&] {
    return api.get("v1/configmaps", "default", "juicefs-check-mount")["data"]["check-mount.sh"] !=
           "#!/bin/sh\nexit 0\n";
  }));

  // JuiceFS's format-and-mount scripts, which the workers and FUSE run.
  for (const char* name : {"images-worker-script", "images-fuse-script"}) {
    Json script = api.get("v1/configmaps", "default", name);
    ASSERT_FALSE(script.is_null()) << name;
    EXPECT_NE(script["data"]["script.sh"].get<std::string>().find("juicefs format"),
              std::string::npos)
        << script.dump();
    EXPECT_EQ(script["metadata"]["ownerReferences"][0]["kind"], "JuiceFSRuntime");
  }
  EXPECT_EQ(worker["spec"]["template"]["spec"]["containers"][0]["command"][1],
            "/root/script/script.sh");

  // Scaling the runtime (its scale subresource) scales the workers.
  Json rt = api.get(kJuiceFs, "default", "images");
  rt["spec"]["replicas"] = 2;
  api.put(kJuiceFs, rt);
  ASSERT_TRUE(eventually(
      [&] { return api.get(kSts, "default", "images-worker")["spec"]["replicas"] == 2; }));
  ASSERT_TRUE(eventually([&] {
    return status_of(api, kJuiceFs, "images").value("desiredWorkerNumberScheduled", 0) == 2;
  }));
  EXPECT_EQ(ctl.stats().scaled, 1u);

  // An Alluxio runtime turns its controller on and gets a master.
  api.put(kDatasets, dataset("logs"));
  api.put(kAlluxio, runtime("AlluxioRuntime", "logs", 1, "ContainerNetwork"));
  ASSERT_TRUE(eventually([&] { return !api.get(kSts, "default", "logs-master").is_null(); }));
  ASSERT_TRUE(eventually([&] { return !api.get(kDs, "default", "logs-fuse").is_null(); }));
  // The master's headless Service: "logs-master-0.default" resolves to it.
  Json master_svc = api.get("v1/services", "default", "logs-master-0");
  ASSERT_FALSE(master_svc.is_null());
  EXPECT_EQ(master_svc["spec"]["clusterIP"], "None");
  EXPECT_EQ(master_svc["spec"]["selector"]["statefulset.kubernetes.io/pod-name"], "logs-master-0");
  EXPECT_EQ(api.get(kSts, "default", "logs-worker")["spec"]["template"]["spec"]["hostNetwork"],
            false);
  EXPECT_EQ(api.get(kDs, "default", "logs-fuse")["spec"]["template"]["spec"]["hostNetwork"], false);
  EXPECT_EQ(ctl.stats().enabled_kinds.size(), 2u);
  ctl.stop();
}

TEST(RuntimeController, NodesHostingWorkersCarryTheCacheLabels) {
  FakeApiServer api;
  auto client = client_for(api);
  for (const char* n : {"n1", "n2", "n3"}) api.put("v1/nodes", Json{{"metadata", {{"name", n}}}});
  api.put(kDatasets, dataset("images"));
  api.put(kJuiceFs, runtime("JuiceFSRuntime", "images", 2));
  RuntimeController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  auto worker_pod = [](const std::string& name, const std::string& node) {
    return Json{{"metadata",
                 {{"name", name},
                  {"namespace", "default"},
                  {"labels",
                   {{"app", "juicefs"},
                    {"role", "juicefs-worker"},
                    {"release", "images"},
                    {"fluid.io/dataset-id", "default-images"}}}}},
                {"spec", {{"nodeName", node}}}};
  };
  api.put("v1/pods", worker_pod("images-worker-0", "n1"));
  api.put("v1/pods", worker_pod("images-worker-1", "n3"));
  auto labelled = [&](const std::string& n) {
    Json node = api.get("v1/nodes", "", n);
    return node["metadata"].contains("labels") &&
           node["metadata"]["labels"].contains("fluid.io/s-default-images");
  };
  ASSERT_TRUE(eventually([&] { return labelled("n1") && labelled("n3"); }));
  EXPECT_FALSE(labelled("n2"));
  Json n1 = api.get("v1/nodes", "", "n1")["metadata"]["labels"];
  EXPECT_EQ(n1["fluid.io/s-juicefs-default-images"], "true");
  // Fluid's capacity labels (one worker's tiers: 4Gi of memory), the count of
  // datasets cached on the node, and the Exclusive placement (Fluid's default).
  EXPECT_EQ(n1["fluid.io/s-h-juicefs-m-default-images"], "4GiB");
  EXPECT_EQ(n1["fluid.io/s-h-juicefs-d-default-images"], "0B");
  EXPECT_EQ(n1["fluid.io/s-h-juicefs-t-default-images"], "4GiB");
  EXPECT_EQ(n1["fluid.io/dataset-num"], "1");
  EXPECT_EQ(n1["fluid_exclusive"], "default_images");
  // Another dataset's labels on n3 stay; dataset-num counts both.
  api.put(
      "v1/nodes",
      Json{{"metadata",
            {{"name", "n3"},
             {"labels", {{"fluid.io/s-default-other", "true"}, {"fluid.io/dataset-num", "1"}}}}}});
  api.put("v1/pods", worker_pod("images-worker-1", "n3"));
  ASSERT_TRUE(eventually([&] {
    return api.get("v1/nodes", "", "n3")["metadata"]["labels"].value("fluid.io/dataset-num", "") ==
           "2";
  }));
  api.remove("v1/pods", "default", "images-worker-1");
  ASSERT_TRUE(eventually([&] { return !labelled("n3"); })) << "the label follows the worker";
  Json n3 = api.get("v1/nodes", "", "n3")["metadata"]["labels"];
  EXPECT_EQ(n3.value("fluid.io/dataset-num", ""), "1");
  EXPECT_EQ(n3.value("fluid.io/s-default-other", ""), "true");
  EXPECT_FALSE(n3.contains("fluid_exclusive"));
  EXPECT_FALSE(n3.contains("fluid.io/s-h-juicefs-t-default-images"));
  ctl.stop();
}

TEST(RuntimeController, AnUnreadableRuntimeIsReportedInItsStatus) {
  FakeApiServer api;
  auto client = client_for(api);
  api.put(kDatasets, dataset("x"));
  Json bad = runtime("JuiceFSRuntime", "x", 1);
  bad["spec"]["tieredstore"]["levels"][0]["quota"] = "lots";
  api.put(kJuiceFs, bad);
  RuntimeController ctl(*client, {"JuiceFSRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return status_of(api, kJuiceFs, "x").contains("conditions"); }));
  Json c = status_of(api, kJuiceFs, "x")["conditions"][0];
  EXPECT_EQ(c["reason"], "InvalidSpec");
  EXPECT_NE(c["message"].get<std::string>().find("quota"), std::string::npos);
  EXPECT_TRUE(api.get(kSts, "default", "x-worker").is_null());
  ctl.stop();
}

TEST(RuntimeController, AJindoRuntimeGetsARaftGroupItsServicesAndItsConfig) {
  FakeApiServer api;
  auto client = client_for(api);
  const char* jindo = "data.fluid.io/v1alpha1/jindoruntimes";
  Json ds = dataset("logs");
  ds["spec"]["mounts"][0]["options"]["fs.oss.endpoint"] = "oss-cn-hangzhou.aliyuncs.com";
  api.put(kDatasets, ds);
  Json rt = runtime("JindoRuntime", "logs", 2);
  rt["spec"]["master"] = {{"replicas", 3}};
  api.put(jindo, rt);
  RuntimeController ctl(*client, {"JindoRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return status_of(api, jindo, "logs").contains("selector"); }))
      << status_of(api, jindo, "logs").dump();
  Json master = api.get(kSts, "default", "logs-jindofs-master");
  ASSERT_FALSE(master.is_null());
  EXPECT_EQ(master["spec"]["replicas"], 3);
  for (int i = 0; i < 3; ++i) {
    Json svc = api.get("v1/services", "default", "logs-jindofs-master-" + std::to_string(i));
    ASSERT_FALSE(svc.is_null()) << i;
    EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  }
  EXPECT_EQ(api.get(kSts, "default", "logs-jindofs-worker")["spec"]["replicas"], 2);
  Json cm = api.get("v1/configmaps", "default", "logs-jindofs-config");
  ASSERT_FALSE(cm.is_null());
  EXPECT_NE(cm["data"]["jindocache.cfg"].get<std::string>().find("namespace.backend.type = raft"),
            std::string::npos);
  Json fuse = api.get(kDs, "default", "logs-fuse");
  ASSERT_FALSE(fuse.is_null());
  EXPECT_EQ(fuse["spec"]["template"]["spec"]["containers"][0]["name"], "jindo-fuse");
  EXPECT_EQ(status_of(api, jindo, "logs")["desiredWorkerNumberScheduled"], 2);
  ctl.stop();
}

TEST(RuntimeController, AThinRuntimeWaitsForItsProfileThenRendersItsFuse) {
  FakeApiServer api;
  auto client = client_for(api);
  const char* thin = "data.fluid.io/v1alpha1/thinruntimes";
  const char* profiles = "data.fluid.io/v1alpha1/thinruntimeprofiles";
  api.put(kDatasets, dataset("nfs"));
  Json rt = {{"apiVersion", "data.fluid.io/v1alpha1"},
             {"kind", "ThinRuntime"},
             {"metadata", {{"name", "nfs"}, {"namespace", "default"}, {"uid", "rt-nfs"}}},
             {"spec", {{"profileName", "nfs-profile"}}}};
  api.put(thin, rt);
  RuntimeController ctl(*client, {"ThinRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return status_of(api, thin, "nfs").contains("conditions"); }));
  Json c = status_of(api, thin, "nfs")["conditions"][0];
  EXPECT_EQ(c["reason"], "ProfileNotFound");
  EXPECT_NE(c["message"].get<std::string>().find("nfs-profile"), std::string::npos);
  EXPECT_TRUE(api.get(kDs, "default", "nfs-fuse").is_null());

  // The profile appearing is enough: its ThinRuntimes are reconciled again.
  api.put(profiles, Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                         {"kind", "ThinRuntimeProfile"},
                         {"metadata", {{"name", "nfs-profile"}}},
                         {"spec",
                          {{"fileSystemType", "fuse.nfs"},
                           {"fuse", {{"image", "nfs-fuse"}, {"imageTag", "v1"}}}}}});
  ASSERT_TRUE(eventually([&] { return !api.get(kDs, "default", "nfs-fuse").is_null(); }));
  Json fuse = api.get(kDs, "default", "nfs-fuse");
  EXPECT_EQ(fuse["spec"]["template"]["spec"]["containers"][0]["image"], "nfs-fuse:v1");
  ASSERT_TRUE(
      eventually([&] { return !api.get("v1/configmaps", "default", "nfs-fuse-conf").is_null(); }));
  Json conf = api.get("v1/configmaps", "default", "nfs-fuse-conf");
  EXPECT_NE(conf["data"]["config.json"].get<std::string>().find("\"targetPath\""),
            std::string::npos)
      << conf.dump();
  EXPECT_TRUE(api.get(kSts, "default", "nfs-worker").is_null()) << "Thin has no cache workers";
  ASSERT_TRUE(eventually([&] {
    return status_of(api, thin, "nfs")["conditions"][0].value("reason", "") == "WorkersReady";
  })) << status_of(api, thin, "nfs").dump();
  ctl.stop();
}

// The Secret's TLS files: PEM, a certificate for `worker_name` that the CA
// in the same Secret verifies, and its key.
void expect_worker_tls(const Json& data, const std::string& worker_name) {
  ASSERT_TRUE(data.contains("ca.crt") && data.contains("tls.crt") && data.contains("tls.key"))
      << data.dump();
  auto pem = [](const std::string& text) {
    return std::unique_ptr<BIO, decltype(&BIO_free)>(
        BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
  };
  const std::string ca_pem = data["ca.crt"], cert_pem = data["tls.crt"], key_pem = data["tls.key"];
  auto ca_bio = pem(ca_pem), cert_bio = pem(cert_pem), key_bio = pem(key_pem);
  std::unique_ptr<X509, decltype(&X509_free)> ca(
      PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr), &X509_free),
      cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  ASSERT_TRUE(ca && cert && key);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_check_host(cert.get(), worker_name.data(), worker_name.size(), 0, nullptr), 1)
      << worker_name;
  const std::string stranger = "x.other-worker.default.svc";
  EXPECT_NE(X509_check_host(cert.get(), stranger.data(), stranger.size(), 0, nullptr), 1);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1)
      << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

// A Dataset "shards" over HTTP with an AqueductRuntime of `replicas` workers.
void put_aqueduct_world(FakeApiServer& api, int replicas) {
  Json ds = dataset("shards");
  ds["spec"]["mounts"][0]["mountPoint"] = "http://data.local/shards";
  api.put(kDatasets, ds);
  api.put("data.fluid.io/v1alpha1/aqueductruntimes",
          runtime("AqueductRuntime", "shards", replicas));
}

TEST(RuntimeController, AqueductsOwnEngineGetsWorkersAServiceAndAFuseDaemonSet) {
  FakeApiServer api;
  auto client = client_for(api);
  put_aqueduct_world(api, 3);
  RuntimeController ctl(*client, {"AqueductRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] { return !api.get(kDs, "default", "shards-fuse").is_null(); }));
  Json sts = api.get(kSts, "default", "shards-worker");
  EXPECT_EQ(sts["spec"]["template"]["spec"]["containers"][0]["command"][1], "worker");
  Json svc = api.get("v1/services", "default", "shards-worker");
  ASSERT_FALSE(svc.is_null());
  EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  Json fuse = api.get(kDs, "default", "shards-fuse");
  EXPECT_EQ(fuse["spec"]["template"]["spec"]["containers"][0]["command"][2], "mount");
  EXPECT_EQ(ctl.stats().updated, 0u);
  // The workers' token: a Secret created once, with a random 256-bit token.
  Json secret = api.get("v1/secrets", "default", "shards-worker-token");
  ASSERT_FALSE(secret.is_null());
  const std::string token = secret["stringData"]["token"];
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  // ... and the workers' mutual TLS: a CA for this runtime alone, and a
  // certificate every worker's name matches that the CA verifies.
  expect_worker_tls(secret["stringData"], "shards-worker-2.shards-worker.default.svc");
  const std::string cert = secret["stringData"]["tls.crt"];

  // Scaled to 4: the FUSE clients are re-rendered to name the fourth worker.
  Json rt = api.get("data.fluid.io/v1alpha1/aqueductruntimes", "default", "shards");
  rt["spec"]["replicas"] = 4;
  api.put("data.fluid.io/v1alpha1/aqueductruntimes", rt);
  ASSERT_TRUE(eventually([&] {
    Json ds = api.get(kDs, "default", "shards-fuse");
    return ds["spec"]["template"]["spec"]["containers"][0]["command"].dump().find(
               "shards-worker-3.shards-worker.default.svc") != std::string::npos;
  }));
  EXPECT_TRUE(eventually(
      [&] { return api.get(kSts, "default", "shards-worker")["spec"]["replicas"] == 4; }));
  // The counter moves after the write the API shows: wait for it too.
  EXPECT_TRUE(eventually([&] { return ctl.stats().updated >= 1u; }));
  EXPECT_EQ(ctl.stats().updated, 1u);  // the DaemonSet; the workers' template did not change
  ctl.stop();
  // Never rewritten: the running workers and clients keep their token.
  EXPECT_EQ(api.get("v1/secrets", "default", "shards-worker-token")["stringData"]["token"], token);
  EXPECT_EQ(api.get("v1/secrets", "default", "shards-worker-token")["stringData"]["tls.crt"], cert);
}

// A token Secret from before the workers used mutual TLS gets the TLS files
// added, and keeps its token (running clients keep working with it).
TEST(RuntimeController, AnOlderTokenSecretGainsTlsAndKeepsItsToken) {
  FakeApiServer api;
  auto client = client_for(api);
  put_aqueduct_world(api, 2);
  api.put("v1/secrets",
          Json{{"apiVersion", "v1"},
               {"kind", "Secret"},
               {"metadata", {{"name", "shards-worker-token"}, {"namespace", "default"}}},
               {"type", "Opaque"},
               {"stringData", {{"token", "the-old-token"}}}});
  RuntimeController ctl(*client, {"AqueductRuntime"});
  ctl.start_informers();
  ASSERT_TRUE(ctl.wait_synced(5s));
  ctl.start();
  ASSERT_TRUE(eventually([&] {
    return api.get("v1/secrets", "default", "shards-worker-token")["stringData"].contains(
        "tls.crt");
  }));
  ctl.stop();
  Json secret = api.get("v1/secrets", "default", "shards-worker-token");
  EXPECT_EQ(secret["stringData"]["token"], "the-old-token");
  expect_worker_tls(secret["stringData"], "shards-worker-1.shards-worker.default.svc");
}

}  // namespace
}  // namespace aqueduct::k8s
