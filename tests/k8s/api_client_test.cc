// The API client and informers against an in-process fake API server on
// 127.0.0.1 (tests/support/fake_apiserver.h).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/informer.h"
#include "aqueduct/k8s/kubeconfig.h"
#include "aqueduct/k8s/webhook_server.h"
#include "support/k8s_testing.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using aqueduct::testing::TempDir;
using namespace std::chrono_literals;

Json dataset(const std::string& name, const std::string& ns = "default") {
  return Json{{"apiVersion", "data.fluid.io/v1alpha1"},
              {"kind", "Dataset"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"spec", {{"mounts", Json::array({{{"mountPoint", "s3://bucket/" + name}}})}}}};
}

TEST(Kubeconfig, ReadsTokenCaClientCertAndNamesBadFields) {
  TempDir dir;
  dir.write("ca.crt", "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n");
  dir.write("config", R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority: ca.crt}
- name: c2
  cluster: {server: "https://k8s.example:443", insecure-skip-tls-verify: true}
users:
- name: u1
  user: {token: secret-token}
- name: u2
  user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: team}
- name: prod
  context: {cluster: c2, user: u2}
)");
  auto dev = load_kubeconfig(dir.file("config"));
  ASSERT_TRUE(dev.ok()) << dev.status().to_string();
  EXPECT_EQ(dev->server, "https://10.0.0.1:6443");
  EXPECT_EQ(dev->token, "secret-token");
  EXPECT_NE(dev->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(dev->default_namespace, "team");
  auto prod = load_kubeconfig(dir.file("config"), "prod");
  ASSERT_TRUE(prod.ok()) << prod.status().to_string();
  EXPECT_TRUE(prod->insecure_skip_tls_verify);
  EXPECT_EQ(prod->client_cert_pem, "cert");
  EXPECT_EQ(prod->client_key_pem, "key");

  auto missing = load_kubeconfig(dir.file("config"), "staging");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no context named \"staging\""), std::string::npos);
  dir.write("bad",
            "clusters: [{name: c, cluster: {server: ftp://x}}]\ncontexts: [{name: x, context: "
            "{cluster: c}}]\ncurrent-context: x\n");
  auto bad = load_kubeconfig(dir.file("bad"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("clusters[c].cluster.server"), std::string::npos)
      << bad.status().message();
  dir.write(
      "nofile",
      "clusters: [{name: c, cluster: {server: 'https://x', certificate-authority: /no/such/ca}}]\n"
      "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n");
  auto nofile = load_kubeconfig(dir.file("nofile"));
  ASSERT_FALSE(nofile.ok());
  EXPECT_NE(nofile.status().message().find("/no/such/ca"), std::string::npos);
  EXPECT_FALSE(load_kubeconfig(dir.file("absent")).ok());
  // Regressions: fields of the wrong shape and alias cycles are errors, not
  // crashes.
  dir.write("shape", "clusters: [{name: c, cluster: [1, 2]}]\ncontexts: 5\ncurrent-context: x\n");
  auto shape = load_kubeconfig(dir.file("shape"));
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find(dir.file("shape")), std::string::npos);
  dir.write("cycle", "x: &x {y: *x}\ncurrent-context: x\n");
  auto cycle = load_kubeconfig(dir.file("cycle"));
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("self-referencing alias"), std::string::npos)
      << cycle.status().message();
}

TEST(ApiClient, CreateGetReplacePatchDeleteWithKubernetesErrors) {
  FakeApiServer api;
  auto c = client_for(api);
  const auto& ds = resources::datasets();
  auto made = c->create(ds.collection("default"), dataset("imagenet"));
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_FALSE((*made)["metadata"]["resourceVersion"].get<std::string>().empty());
  auto again = c->create(ds.collection("default"), dataset("imagenet"));
  EXPECT_EQ(again.status().code(), core::StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);

  auto got = c->get(ds.object("default", "imagenet"));
  ASSERT_TRUE(got.ok());
  Json stale = *got;
  Json changed = *got;
  changed["spec"]["owner"] = "a";
  ASSERT_TRUE(c->replace(ds.object("default", "imagenet"), changed).ok());
  stale["spec"]["owner"] = "b";
  auto conflict = c->replace(ds.object("default", "imagenet"), stale);
  EXPECT_EQ(conflict.status().code(), core::StatusCode::kAborted) << conflict.status().to_string();

  auto merged = c->patch(ds.object("default", "imagenet"),
                         Json{{"metadata", {{"labels", {{"team", "vision"}}}}}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ((*merged)["metadata"]["labels"]["team"], "vision");
  auto jp = c->patch(ds.object("default", "imagenet"),
                     Json::array({{{"op", "replace"}, {"path", "/spec/owner"}, {"value", "c"}}}),
                     PatchType::kJson);
  ASSERT_TRUE(jp.ok()) << jp.status().to_string();
  EXPECT_EQ((*jp)["spec"]["owner"], "c");
  auto status =
      c->patch(ds.object("default", "imagenet", "status"), Json{{"status", {{"phase", "Bound"}}}});
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(api.get("data.fluid.io/v1alpha1/datasets", "default", "imagenet")["status"]["phase"],
            "Bound");

  EXPECT_EQ(c->get(ds.object("default", "nope")).status().code(), core::StatusCode::kNotFound);
  api.fail_next(1, 503);
  auto unavailable = c->get(ds.object("default", "imagenet"));
  EXPECT_EQ(unavailable.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(unavailable.status().message().find("HTTP 503"), std::string::npos);
  ASSERT_TRUE(c->remove(ds.object("default", "imagenet")).is_ok());
  EXPECT_TRUE(c->remove(ds.object("default", "imagenet")).is_ok())
      << "deleting what is gone is fine";
  EXPECT_TRUE(api.list("data.fluid.io/v1alpha1/datasets").empty());
}

TEST(ApiClient, UpdateRetriesOnConflicts) {
  FakeApiServer api;
  auto c = client_for(api);
  const auto& ds = resources::datasets();
  api.put("data.fluid.io/v1alpha1/datasets", dataset("d"));
  int calls = 0;
  auto r = c->update(ds.object("default", "d"), [&](Json& obj) {
    if (++calls <= 2) {  // someone else writes in between, twice
      Json other = api.get("data.fluid.io/v1alpha1/datasets", "default", "d");
      other["spec"]["touched"] = calls;
      api.put("data.fluid.io/v1alpha1/datasets", other);
    }
    obj["spec"]["owner"] = "me";
    return core::Status::ok();
  });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(calls, 3);
  Json now = api.get("data.fluid.io/v1alpha1/datasets", "default", "d");
  EXPECT_EQ(now["spec"]["owner"], "me");
  EXPECT_EQ(now["spec"]["touched"], 2) << "the retry started from the other writer's version";
}

TEST(ApiClient, HttpsWithCaAndTokenChecksBoth) {
  TempDir dir;
  ASSERT_TRUE(write_self_signed_certificate(dir.file("tls.crt"), dir.file("tls.key"), {"localhost"},
                                            {"127.0.0.1"}, 1)
                  .is_ok());
  FakeApiServer api("t0ken", dir.file("tls.crt"), dir.file("tls.key"));
  std::ifstream in(dir.file("tls.crt"));
  std::string ca((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ClusterConfig cfg;
  cfg.server = api.url();
  cfg.ca_pem = ca;
  cfg.token = "t0ken";
  auto good = ApiClient::create(cfg);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE((*good)->get(resources::nodes().collection()).ok());

  cfg.token = "wrong";
  auto wrong_token = ApiClient::create(cfg);
  ASSERT_TRUE(wrong_token.ok());
  EXPECT_EQ((*wrong_token)->get(resources::nodes().collection()).status().code(),
            core::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(write_self_signed_certificate(dir.file("other.crt"), dir.file("other.key"),
                                            {"localhost"}, {"127.0.0.1"}, 1)
                  .is_ok());
  std::ifstream oin(dir.file("other.crt"));
  cfg.ca_pem.assign((std::istreambuf_iterator<char>(oin)), std::istreambuf_iterator<char>());
  cfg.token = "t0ken";
  auto untrusted = ApiClient::create(cfg);
  ASSERT_TRUE(untrusted.ok());
  EXPECT_EQ((*untrusted)->get(resources::nodes().collection()).status().code(),
            core::StatusCode::kUnavailable)
      << "a server certificate not signed by the CA is refused";
  cfg.insecure_skip_tls_verify = true;
  auto insecure = ApiClient::create(cfg);
  ASSERT_TRUE(insecure.ok());
  EXPECT_TRUE((*insecure)->get(resources::nodes().collection()).ok());
}

TEST(ApiClient, WatchStreamsEventsAndBookmarksUntilTheHandlerStops) {
  FakeApiServer api;
  api.set_bookmark_interval(50ms);
  auto c = client_for(api);
  const auto& ds = resources::datasets();
  auto list = c->get(ds.collection());
  ASSERT_TRUE(list.ok());
  const std::string rv = (*list)["metadata"]["resourceVersion"];
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    api.put("data.fluid.io/v1alpha1/datasets", dataset("a"));
    api.put("data.fluid.io/v1alpha1/datasets", dataset("b", "other"));
    api.remove("data.fluid.io/v1alpha1/datasets", "default", "a");
  });
  std::vector<std::string> seen;
  int bookmarks = 0;
  auto end = c->watch(ds.collection(), rv, 10, [&](const WatchEvent& e) {
    if (e.type == "BOOKMARK") {
      ++bookmarks;
    } else {
      seen.push_back(e.type + " " + key_of(e.object));
    }
    // Until the three events and a bookmark have come (in whatever order a
    // loaded machine delivers them).
    return seen.size() < 3 || bookmarks == 0;
  });
  writer.join();
  ASSERT_TRUE(end.ok()) << end.status().to_string();
  EXPECT_EQ(seen,
            (std::vector<std::string>{"ADDED default/a", "ADDED other/b", "DELETED default/a"}));
  EXPECT_GE(bookmarks, 1);
  EXPECT_FALSE(end->gone);
  EXPECT_GT(std::stol(end->resource_version), std::stol(rv));
}

TEST(ApiClient, WatchFromACompactedVersionIsGoneAndCancelEndsAWatchAtOnce) {
  FakeApiServer api;
  auto c = client_for(api);
  api.put("v1/pods", Json{{"metadata", {{"name", "p"}, {"namespace", "default"}}}});
  api.compact();
  auto end =
      c->watch(resources::pods().collection(), "1", 10, [](const WatchEvent&) { return true; });
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->gone);

  WatchCancel cancel;
  std::thread t([&] {
    std::this_thread::sleep_for(100ms);
    cancel.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  auto ended = c->watch(
      resources::pods().collection(), "", 30, [](const WatchEvent&) { return true; }, &cancel);
  t.join();
  EXPECT_TRUE(ended.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Informer, ListsThenFollowsAddsUpdatesDeletes) {
  FakeApiServer api;
  auto c = client_for(api);
  api.put("data.fluid.io/v1alpha1/datasets", dataset("before"));
  Informer inf(*c, resources::datasets().collection());
  std::mutex mu;
  std::vector<std::string> seen;
  inf.add_handler([&](ChangeType t, const Json& o, const Json* old) {
    std::lock_guard<std::mutex> lock(mu);
    const char* name = t == ChangeType::kAdded     ? "add"
                       : t == ChangeType::kUpdated ? "update"
                                                   : "delete";
    seen.push_back(std::string(name) + " " + key_of(o) + (old ? " (had old)" : ""));
  });
  inf.start();
  ASSERT_TRUE(inf.wait_synced(5s));
  api.put("data.fluid.io/v1alpha1/datasets", dataset("x"));
  Json x = api.get("data.fluid.io/v1alpha1/datasets", "default", "x");
  x["spec"]["owner"] = "me";
  api.put("data.fluid.io/v1alpha1/datasets", x);
  api.remove("data.fluid.io/v1alpha1/datasets", "default", "before");
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size() >= 4;
  }));
  inf.stop();
  EXPECT_EQ(seen, (std::vector<std::string>{"add default/before", "add default/x",
                                            "update default/x (had old)",
                                            "delete default/before (had old)"}));
  auto snap = inf.snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap.begin()->second["spec"]["owner"], "me");
}

TEST(Informer, ReconnectsAfterADroppedWatchWithoutLosingEvents) {
  FakeApiServer api;
  auto c = client_for(api);
  Informer inf(*c, resources::pods().collection());
  inf.set_backoff(20ms, 100ms);
  inf.start();
  ASSERT_TRUE(inf.wait_synced(5s));
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(eventually([&] {
      return api.open_watches() == 1 &&
             inf.stats().watches == static_cast<std::uint64_t>(round + 1);
    }));
    api.drop_watches();
    // Written while the informer may be reconnecting: it resumes from its version.
    api.put("v1/pods",
            Json{{"metadata", {{"name", "p" + std::to_string(round)}, {"namespace", "ns"}}}});
  }
  ASSERT_TRUE(eventually([&] { return inf.snapshot().size() == 3; }));
  EXPECT_EQ(inf.stats().lists, 1u) << "a reconnect resumes the watch; it does not list again";
  EXPECT_GE(inf.stats().watches, 3u);
  inf.stop();
}

TEST(Informer, RelistsWhenTheVersionIsGoneAndReportsWhatChangedMeanwhile) {
  FakeApiServer api;
  auto c = client_for(api);
  api.put("v1/nodes", Json{{"metadata", {{"name", "n1"}}}});
  api.put("v1/nodes", Json{{"metadata", {{"name", "n2"}}}});
  Informer inf(*c, resources::nodes().collection());
  inf.set_backoff(20ms, 100ms);
  std::mutex mu;
  std::vector<std::string> seen;
  int resyncs = 0;
  inf.add_handler([&](ChangeType t, const Json& o, const Json*) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back((t == ChangeType::kDeleted ? "delete " : "upsert ") + key_of(o));
  });
  inf.on_resync([&] {
    std::lock_guard<std::mutex> lock(mu);
    ++resyncs;
  });
  api.fail_next(2, 500);  // the first lists fail: retried with backoff
  inf.start();
  ASSERT_TRUE(inf.wait_synced(5s));
  // While no watch is open, n1 goes, n3 comes, and history is compacted.
  inf.set_watch_timeout(1);
  api.drop_watches();
  api.remove("v1/nodes", "", "n1");
  api.put("v1/nodes", Json{{"metadata", {{"name", "n3"}}}});
  api.compact();
  api.drop_watches();
  ASSERT_TRUE(eventually([&] {
    auto s = inf.snapshot();
    return s.size() == 2 && s.count("n3") && s.count("n2");
  }));
  inf.stop();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(seen.begin(), seen.end(), "delete n1"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "upsert n3"), seen.end());
  EXPECT_GE(resyncs, 1);
}

}  // namespace
}  // namespace aqueduct::k8s
