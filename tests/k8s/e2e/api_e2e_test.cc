// The API client and informers against a real kube-apiserver (started by
// tests/k8s/e2e/run_e2e.py through scripts/control-plane.sh, which sets
// AQ_E2E_KUBECONFIG; the CRDs are applied first).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/cluster_informers.h"
#include "aqueduct/k8s/extender.h"
#include "aqueduct/k8s/informer.h"
#include "aqueduct/k8s/kubeconfig.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

using namespace std::chrono_literals;

class RealApi : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* kc = std::getenv("AQ_E2E_KUBECONFIG");
    if (!kc || !*kc) GTEST_SKIP() << "AQ_E2E_KUBECONFIG is not set (run tests/k8s/e2e/run_e2e.py)";
    auto cfg = load_kubeconfig(kc);
    ASSERT_TRUE(cfg.ok()) << cfg.status().to_string();
    auto c = ApiClient::create(*cfg);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    client = std::move(*c);
  }
  std::unique_ptr<ApiClient> client;
};

Json dataset(const std::string& name) {
  return Json{{"apiVersion", "data.fluid.io/v1alpha1"},
              {"kind", "Dataset"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", {{"mounts", Json::array({{{"mountPoint", "s3://bucket/" + name}}})}}}};
}

template <typename F>
bool eventually(F f, std::chrono::milliseconds limit = 10000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

TEST_F(RealApi, CrudStatusAndConflictsOnACustomResource) {
  const auto& ds = resources::datasets();
  (void)client->remove(ds.object("default", "e2e-crud"));
  auto made = client->create(ds.collection("default"), dataset("e2e-crud"));
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ(client->create(ds.collection("default"), dataset("e2e-crud")).status().code(),
            core::StatusCode::kAlreadyExists);
  Json stale = *made;
  auto patched = client->patch(ds.object("default", "e2e-crud"),
                               Json{{"metadata", {{"labels", {{"a", "b"}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.status().to_string();
  stale["metadata"]["labels"] = {{"a", "c"}};
  EXPECT_EQ(client->replace(ds.object("default", "e2e-crud"), stale).status().code(),
            core::StatusCode::kAborted);
  auto updated = client->update(ds.object("default", "e2e-crud"), [](Json& o) {
    o["metadata"]["labels"]["a"] = "d";
    return core::Status::ok();
  });
  ASSERT_TRUE(updated.ok()) << updated.status().to_string();
  auto st = client->patch(ds.object("default", "e2e-crud", "status"),
                          Json{{"status", {{"phase", "NotBound"}, {"conditions", Json::array()}}}});
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_EQ((*st)["status"]["phase"], "NotBound");
  // The status subresource ignores spec, the main resource ignores status.
  auto main =
      client->patch(ds.object("default", "e2e-crud"), Json{{"status", {{"phase", "Bound"}}}});
  ASSERT_TRUE(main.ok());
  EXPECT_EQ((*main)["status"]["phase"], "NotBound");
  auto bad =
      client->create(ds.collection("default"),
                     Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                          {"kind", "Dataset"},
                          {"metadata", {{"name", "e2e-bad"}}},
                          {"spec", {{"mounts", Json::array({{{"name", "no-mount-point"}}})}}}});
  EXPECT_EQ(bad.status().code(), core::StatusCode::kInvalidArgument) << bad.status().to_string();
  EXPECT_NE(bad.status().message().find("mountPoint"), std::string::npos) << bad.status().message();
  ASSERT_TRUE(client->remove(ds.object("default", "e2e-crud")).is_ok());
}

TEST_F(RealApi, ScaleSubresourceOfARuntime) {
  auto rt = resources::runtime("JuiceFSRuntime");
  ASSERT_TRUE(rt.ok());
  (void)client->remove(rt->object("default", "e2e-scale"));
  auto made =
      client->create(rt->collection("default"), Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                                                     {"kind", "JuiceFSRuntime"},
                                                     {"metadata", {{"name", "e2e-scale"}}},
                                                     {"spec", {{"replicas", 5}}}});
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  auto scale = client->get(rt->object("default", "e2e-scale", "scale"));
  ASSERT_TRUE(scale.ok()) << scale.status().to_string();
  EXPECT_EQ((*scale)["spec"]["replicas"], 5);
  auto scaled =
      client->patch(rt->object("default", "e2e-scale", "scale"), Json{{"spec", {{"replicas", 2}}}});
  ASSERT_TRUE(scaled.ok()) << scaled.status().to_string();
  auto now = client->get(rt->object("default", "e2e-scale"));
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)["spec"]["replicas"], 2);
  ASSERT_TRUE(client->remove(rt->object("default", "e2e-scale")).is_ok());
}

TEST_F(RealApi, InformerFollowsCreatesUpdatesDeletesAndBindings) {
  Informer datasets(*client, resources::datasets().collection());
  std::mutex mu;
  std::vector<std::string> seen;
  datasets.add_handler([&](ChangeType t, const Json& o, const Json*) {
    if (key_of(o).rfind("default/e2e-inf", 0) != 0) return;
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(std::string(t == ChangeType::kAdded     ? "add"
                               : t == ChangeType::kUpdated ? "update"
                                                           : "delete") +
                   " " + key_of(o));
  });
  datasets.start();
  ASSERT_TRUE(datasets.wait_synced(10s));
  const auto& ds = resources::datasets();
  ASSERT_TRUE(client->create(ds.collection("default"), dataset("e2e-inf")).ok());
  ASSERT_TRUE(
      client->patch(ds.object("default", "e2e-inf"), Json{{"metadata", {{"labels", {{"x", "1"}}}}}})
          .ok());
  ASSERT_TRUE(client->remove(ds.object("default", "e2e-inf")).is_ok());
  EXPECT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size() >= 3;
  }));
  datasets.stop();
  EXPECT_EQ(seen, (std::vector<std::string>{"add default/e2e-inf", "update default/e2e-inf",
                                            "delete default/e2e-inf"}));

  // A pod bound through the binding subresource, seen by a pod informer.
  Informer pods(*client, resources::pods().collection("default"));
  pods.start();
  ASSERT_TRUE(pods.wait_synced(10s));
  (void)client->remove(resources::pods().object("default", "e2e-bind"));
  ASSERT_TRUE(eventually([&] { return !pods.get("default/e2e-bind").has_value(); }));
  auto pod = client->create(
      resources::pods().collection("default"),
      Json{{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata", {{"name", "e2e-bind"}}},
           {"spec",
            {{"schedulerName", "none"},
             {"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}});
  ASSERT_TRUE(pod.ok()) << pod.status().to_string();
  auto bound = client->create(
      resources::pods().object("default", "e2e-bind", "binding"),
      Json{{"apiVersion", "v1"},
           {"kind", "Binding"},
           {"metadata", {{"name", "e2e-bind"}}},
           {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-a"}}}});
  ASSERT_TRUE(bound.ok()) << bound.status().to_string();
  ASSERT_TRUE(eventually([&] {
    auto p = pods.get("default/e2e-bind");
    return p && (*p)["spec"].value("nodeName", "") == "node-a";
  }));
  pods.stop();
  Json del{{"gracePeriodSeconds", 0}};
  (void)client->request("DELETE", resources::pods().object("default", "e2e-bind"), del.dump());
}

}  // namespace
}  // namespace aqueduct::k8s

// The real kube-scheduler with Aqueduct's extender (in this process, its
// world from informers on the same apiserver) places pods on the node that
// holds their dataset's cache.
namespace aqueduct::k8s {
namespace {

// A port free right now (bound, read, closed).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Deletes an object and waits until it is gone (finalizers may hold it).
void remove_and_wait(ApiClient& c, const std::string& path) {
  (void)c.request("DELETE", path, Json{{"gracePeriodSeconds", 0}}.dump());
  ASSERT_TRUE(eventually([&] { return c.get(path).status().code() == core::StatusCode::kNotFound; },
                         30000ms))
      << path << " is still there";
}

Json e2e_node(const std::string& name, std::map<std::string, std::string> labels) {
  Json l = Json::object();
  l["kubernetes.io/hostname"] = name;
  l["kubernetes.io/arch"] = "amd64";
  l["kubernetes.io/os"] = "linux";
  for (auto& [k, v] : labels) l[k] = v;
  return Json{
      {"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}, {"labels", l}}}};
}

TEST_F(RealApi, RealSchedulerWithTheExtenderPlacesPodsNextToTheirCache) {
  const char* bin = std::getenv("AQ_E2E_BIN");
  if (!bin || !*bin) GTEST_SKIP() << "AQ_E2E_BIN (the control plane's binaries) is not set";
  aqueduct::testing::TempDir dir;
  // The extender, its world from informers.
  auto informers = ClusterInformers::create(*client, {"JuiceFSRuntime"});
  ASSERT_TRUE(informers.ok());
  (*informers)->start();
  ASSERT_TRUE((*informers)->wait_synced(10s));
  auto profile = scheduler::preset_profile("data-aware");
  ASSERT_TRUE(profile.ok());
  ClusterInformers* inf = informers->get();
  auto ext = Extender::create(*profile, [inf] { return inf->snapshot_input(); });
  ASSERT_TRUE(ext.ok());
  std::atomic<int> calls{0};
  ExtenderServerConfig scfg;
  scfg.host = "127.0.0.1";
  scfg.port = 0;
  scfg.log = [&](const std::string&) { ++calls; };
  auto server = ExtenderServer::start(**ext, scfg);
  ASSERT_TRUE(server.ok());

  // A second kube-scheduler, "aqueduct-e2e", wired to the extender.
  const int health = free_port();
  int metrics = free_port();
  while (metrics == health) metrics = free_port();
  std::ofstream(dir.file("scheduler.yaml"))
      << "apiVersion: kubescheduler.config.k8s.io/v1beta1\n"
      << "kind: KubeSchedulerConfiguration\n"
      << "clientConnection: {kubeconfig: \"" << std::getenv("AQ_E2E_KUBECONFIG") << "\"}\n"
      << "leaderElection: {leaderElect: false}\n"
      << "healthzBindAddress: 127.0.0.1:" << health << "\n"
      << "metricsBindAddress: 127.0.0.1:" << metrics << "\n"
      << "profiles: [{schedulerName: aqueduct-e2e}]\n"
      << "extenders:\n"
      << "- urlPrefix: http://127.0.0.1:" << (*server)->port() << "\n"
      << "  filterVerb: filter\n  prioritizeVerb: prioritize\n  weight: 5\n"
      << "  nodeCacheCapable: false\n  ignorable: false\n";
  // Everything the child needs is made before fork: other threads may hold
  // the allocator's lock, so the child only opens, dups and execs.
  const std::string exe = std::string(bin) + "/kube-scheduler";
  const std::string cfg = "--config=" + dir.file("scheduler.yaml");
  const std::string log_path = dir.file("scheduler.log");
  pid_t sched = ::fork();
  if (sched == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    ::dup2(fd, 1);
    ::execl(exe.c_str(), exe.c_str(), cfg.c_str(), "--secure-port=0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(sched, 0);
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{sched};

  // Three Ready nodes; e2e-n1 holds the dataset's cache (Fluid's node label).
  const auto& nodes = resources::nodes();
  for (int i = 0; i < 3; ++i) {
    const std::string name = "e2e-n" + std::to_string(i);
    remove_and_wait(*client, nodes.object("", name));
    std::map<std::string, std::string> labels;
    if (i == 1) labels["fluid.io/s-default-e2e-data"] = "true";
    auto made = client->create(nodes.collection(), e2e_node(name, labels));
    ASSERT_TRUE(made.ok()) << made.status().to_string();
    auto put = client->update(nodes.object("", name, "status"), [](Json& st) {
      st["status"] = {{"capacity", {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}}},
                      {"allocatable", {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}}},
                      {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}};
      return core::Status::ok();
    });
    ASSERT_TRUE(put.ok()) << put.status().to_string();
    // New nodes get the node.kubernetes.io/not-ready taint at creation; with
    // no kubelet to report, it is lifted here, as a node turning Ready would.
    auto untainted = client->update(nodes.object("", name), [](Json& n) {
      Json kept = Json::array();
      for (const auto& t : n["spec"].value("taints", Json::array())) {
        if (t.value("key", "") != "node.kubernetes.io/not-ready") kept.push_back(t);
      }
      n["spec"]["taints"] = kept;
      return core::Status::ok();
    });
    ASSERT_TRUE(untainted.ok()) << untainted.status().to_string();
  }
  const auto& pods = resources::pods();
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    const std::string name = "e2e-train-" + std::to_string(i);
    names.push_back(name);
    (void)client->request("DELETE", pods.object("default", name),
                          Json{{"gracePeriodSeconds", 0}}.dump());
  }
  ASSERT_TRUE(eventually([&] {
    for (const auto& n : names) {
      if (client->get(pods.object("default", n)).ok()) return false;
    }
    return true;
  }));
  // Left over from an earlier run on the same apiserver: users before the claim, the claim before
  // the volume.
  remove_and_wait(*client, resources::persistent_volume_claims().object("default", "e2e-data"));
  remove_and_wait(*client, resources::persistent_volumes().object("", "default-e2e-data"));
  // The dataset, its runtime and its bound PV/PVC (what the Dataset controller makes).
  const auto& ds = resources::datasets();
  remove_and_wait(*client, ds.object("default", "e2e-data"));
  ASSERT_TRUE(
      client
          ->create(ds.collection("default"),
                   Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                        {"kind", "Dataset"},
                        {"metadata", {{"name", "e2e-data"}}},
                        {"spec", {{"mounts", Json::array({{{"mountPoint", "oss://b/data"}}})}}}})
          .ok());
  auto rt = resources::runtime("JuiceFSRuntime");
  remove_and_wait(*client, rt->object("default", "e2e-data"));
  ASSERT_TRUE(client
                  ->create(rt->collection("default"), Json{{"apiVersion", "data.fluid.io/v1alpha1"},
                                                           {"kind", "JuiceFSRuntime"},
                                                           {"metadata", {{"name", "e2e-data"}}},
                                                           {"spec", {{"replicas", 1}}}})
                  .ok());
  remove_and_wait(*client, resources::persistent_volumes().object("", "default-e2e-data"));
  ASSERT_TRUE(client
                  ->create(resources::persistent_volumes().collection(),
                           Json{{"apiVersion", "v1"},
                                {"kind", "PersistentVolume"},
                                {"metadata", {{"name", "default-e2e-data"}}},
                                {"spec",
                                 {{"capacity", {{"storage", "100Gi"}}},
                                  {"accessModes", Json::array({"ReadOnlyMany"})},
                                  {"storageClassName", "fluid"},
                                  {"hostPath", {{"path", "/runtime-mnt/juicefs/default/e2e-data"}}},
                                  {"claimRef", {{"namespace", "default"}, {"name", "e2e-data"}}}}}})
                  .ok());
  remove_and_wait(*client, resources::persistent_volume_claims().object("default", "e2e-data"));
  ASSERT_TRUE(client
                  ->create(resources::persistent_volume_claims().collection("default"),
                           Json{{"apiVersion", "v1"},
                                {"kind", "PersistentVolumeClaim"},
                                {"metadata", {{"name", "e2e-data"}}},
                                {"spec",
                                 {{"accessModes", Json::array({"ReadOnlyMany"})},
                                  {"storageClassName", "fluid"},
                                  {"volumeName", "default-e2e-data"},
                                  {"resources", {{"requests", {{"storage", "100Gi"}}}}}}}})
                  .ok());
  ASSERT_TRUE(eventually(
      [&] {
        auto pvc = client->get(resources::persistent_volume_claims().object("default", "e2e-data"));
        return pvc.ok() && (*pvc)["status"].value("phase", "") == "Bound";
      },
      30000ms))
      << "the PV controller did not bind the claim";
  ASSERT_TRUE(eventually([&] {
    auto in = inf->snapshot_input();
    return in.nodes.size() >= 3 && !in.datasets.empty() && !in.runtimes.empty();
  }));

  for (const auto& name : names) {
    auto made = client->create(
        pods.collection("default"),
        Json{{"apiVersion", "v1"},
             {"kind", "Pod"},
             {"metadata", {{"name", name}}},
             {"spec",
              {{"schedulerName", "aqueduct-e2e"},
               {"automountServiceAccountToken", false},
               {"containers",
                Json::array({{{"name", "train"},
                              {"image", "busybox"},
                              {"resources", {{"requests", {{"cpu", "500m"}}}}},
                              {"volumeMounts",
                               Json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}})},
               {"volumes",
                Json::array({{{"name", "data"},
                              {"persistentVolumeClaim", {{"claimName", "e2e-data"}}}}})}}}});
    ASSERT_TRUE(made.ok()) << made.status().to_string();
  }
  for (const auto& name : names) {
    std::string node;
    bool bound = eventually(
        [&] {
          auto p = client->get(pods.object("default", name));
          if (p.ok()) node = (*p)["spec"].value("nodeName", "");
          return !node.empty();
        },
        60000ms);
    if (!bound) {
      std::ifstream log(dir.file("scheduler.log"));
      std::string all((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      FAIL() << name << " was not scheduled; kube-scheduler said:\n"
             << all.substr(all.size() > 4000 ? all.size() - 4000 : 0);
    }
    EXPECT_EQ(node, "e2e-n1") << name;
  }
  EXPECT_GE(calls.load(), 6)
      << "kube-scheduler asked the extender to filter and prioritize each pod";
  for (const auto& name : names) {
    (void)client->request("DELETE", pods.object("default", name),
                          Json{{"gracePeriodSeconds", 0}}.dump());
  }
  (*server)->stop();
  (*informers)->stop();
}

}  // namespace
}  // namespace aqueduct::k8s
