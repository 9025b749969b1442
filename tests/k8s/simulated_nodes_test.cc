// Simulated nodes (`aqueduct sim nodes`) and the sidecar-termination rule
// against the fake API server: nodes registered Ready, pods bound to them run
// through the job model to Succeeded or Failed, FUSE sidecars end when the
// rule says so.
#include "aqueduct/k8s/simulated_nodes.h"

#include <gtest/gtest.h>

#include "aqueduct/k8s/sidecar_exit.h"
#include "aqueduct/sim/pod_run_model.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::client_for;
using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace aqueduct::testing::collections;
using namespace std::chrono_literals;

core::Node sim_node(const std::string& name, core::Arch arch = core::Arch::kAmd64) {
  core::Node n;
  n.meta.name = name;
  n.arch = arch;
  n.allocatable = {8000, 32LL << 30, 1000, 110};
  n.nic_bandwidth = 1e9;
  n.taints.push_back({"virtual-kubelet.io/provider", "eci", core::TaintEffect::kNoSchedule});
  return n;
}

PodRunModel job_model() {
  return [](const PodRunRequest& r) -> core::Result<PodRunPlan> {
    sim::PodCacheFacts f{r.has_dataset, r.cached_here, r.cached_elsewhere, r.has_runtime};
    AQ_ASSIGN_OR_RETURN(sim::PodRun run, sim::model_pod_run(r.annotations, *r.node, f, "u", {}));
    return PodRunPlan{run.start_delay, run.run, run.exit_code, false};
  };
}

Json pod(const std::string& name, const std::string& node, const std::string& restart,
         Json annotations = Json::object(), bool sidecar = false) {
  Json containers = Json::array({{{"name", "app"}, {"image", "busybox"}}});
  if (sidecar)
    containers.insert(containers.begin(), Json{{"name", "fluid-fuse-0"}, {"image", "fuse"}});
  Json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata",
             {{"name", name},
              {"namespace", "default"},
              {"uid", "uid-" + name},
              {"labels", {{"done.sidecar.fluid.io/inject", sidecar ? "true" : "false"}}},
              {"annotations", annotations}}},
            {"spec", {{"restartPolicy", restart}, {"containers", containers}}},
            {"status", {{"phase", "Pending"}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

std::string phase(const FakeApiServer& api, const std::string& name) {
  return aqueduct::testing::status_phase(api.get(kPods, "default", name));
}

Json container_state(const FakeApiServer& api, const std::string& pod, const std::string& c) {
  Json p = api.get(kPods, "default", pod);
  for (const auto& cs : p["status"].value("containerStatuses", Json::array()))
    if (cs["name"] == c) return cs["state"];
  return Json();
}

struct Rig {
  FakeApiServer api;
  std::unique_ptr<ApiClient> client = client_for(api);
  std::unique_ptr<SimulatedNodes> nodes;
  explicit Rig(std::vector<core::Node> ns = {sim_node("eci-0"), sim_node("eci-1")}) {
    SimulatedNodesConfig cfg;
    cfg.time_scale = 100;  // one virtual second is 10 ms
    cfg.heartbeat = 50ms;
    nodes = std::make_unique<SimulatedNodes>(*client, std::move(ns), job_model(), cfg);
  }
};

TEST(SimulatedNodes, RegistersReadyNodesWithTheirCapacityAndTaints) {
  Rig rig;
  // A node left from an earlier run, tainted not-ready by the apiserver, is taken back.
  rig.api.put(
      kNodes,
      {{"apiVersion", "v1"},
       {"kind", "Node"},
       {"metadata", {{"name", "eci-1"}, {"labels", {{kSimulatedNodeLabel, "true"}}}}},
       {"spec",
        {{"taints",
          Json::array({{{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoSchedule"}}})}}}});
  ASSERT_TRUE(rig.nodes->register_nodes().is_ok());
  for (const char* name : {"eci-0", "eci-1"}) {
    Json n = rig.api.get(kNodes, "", name);
    EXPECT_EQ(n["metadata"]["labels"]["kubernetes.io/hostname"], name);
    EXPECT_EQ(n["metadata"]["labels"]["kubernetes.io/arch"], "amd64");
    EXPECT_EQ(n["metadata"]["labels"][kSimulatedNodeLabel], "true");
    EXPECT_EQ(n["status"]["allocatable"]["cpu"], "8000m");
    EXPECT_EQ(n["status"]["allocatable"]["nvidia.com/gpu"], "1");
    EXPECT_EQ(n["status"]["nodeInfo"]["architecture"], "amd64");
    ASSERT_EQ(n["spec"]["taints"].size(), 1u) << n["spec"].dump();
    EXPECT_EQ(n["spec"]["taints"][0]["key"], "virtual-kubelet.io/provider");
    bool ready = false;
    for (const auto& c : n["status"]["conditions"])
      ready = ready || (c["type"] == "Ready" && c["status"] == "True");
    EXPECT_TRUE(ready);
  }
  // Heartbeats keep the Ready condition fresh.
  rig.nodes->start();
  EXPECT_TRUE(eventually([&] { return rig.nodes->stats().heartbeats >= 2; }));
}

TEST(SimulatedNodes, RefusesToTakeOverARealNode) {
  Rig rig;
  rig.api.put(kNodes, {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "eci-0"}}}});
  core::Status st = rig.nodes->register_nodes();
  EXPECT_EQ(st.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("node eci-0 exists and is not a simulated node"), std::string::npos);
}

TEST(SimulatedNodes, BatchPodsRunThroughTheJobModelToTheirOutcome) {
  Rig rig;
  ASSERT_TRUE(rig.nodes->register_nodes().is_ok());
  rig.nodes->start();
  rig.api.put(kPods, pod("ok", "eci-0", "Never", {{"sim.aqueduct.io/duration", "30s"}}));
  rig.api.put(kPods, pod("bad", "eci-1", "Never",
                         {{"sim.aqueduct.io/duration", "5s"}, {"sim.aqueduct.io/exit-code", "3"}}));
  rig.api.put(kPods, pod("unbound", "", "Never"));
  rig.api.put(kPods, pod("elsewhere", "real-node", "Never"));
  ASSERT_TRUE(eventually([&] { return phase(rig.api, "ok") == "Running"; }));
  Json running = rig.api.get(kPods, "default", "ok");
  EXPECT_TRUE(running["status"]["containerStatuses"][0]["state"].contains("running"));
  EXPECT_EQ(running["status"]["containerStatuses"][0]["ready"], true);
  EXPECT_FALSE(running["status"].value("podIP", "").empty());
  ASSERT_TRUE(eventually([&] { return phase(rig.api, "bad") == "Failed"; }));
  EXPECT_EQ(container_state(rig.api, "bad", "app")["terminated"]["exitCode"], 3);
  EXPECT_EQ(container_state(rig.api, "bad", "app")["terminated"]["reason"], "Error");
  ASSERT_TRUE(eventually([&] { return phase(rig.api, "ok") == "Succeeded"; }));
  EXPECT_EQ(container_state(rig.api, "ok", "app")["terminated"]["exitCode"], 0);
  EXPECT_EQ(phase(rig.api, "unbound"), "Pending");
  EXPECT_EQ(phase(rig.api, "elsewhere"), "Pending");
  auto s = rig.nodes->stats();
  EXPECT_EQ(s.pods_started, 2u);
  EXPECT_EQ(s.pods_succeeded, 1u);
  EXPECT_EQ(s.pods_failed, 1u);
}

TEST(SimulatedNodes, ServingPodsRunUntilDeletedGracefully) {
  Rig rig;
  ASSERT_TRUE(rig.nodes->register_nodes().is_ok());
  rig.nodes->start();
  rig.api.put(kPods, pod("web", "eci-0", "Always", {{"sim.aqueduct.io/duration", "1s"}}));
  ASSERT_TRUE(eventually([&] { return phase(rig.api, "web") == "Running"; }));
  std::this_thread::sleep_for(100ms);  // 10 virtual seconds: still serving
  EXPECT_EQ(phase(rig.api, "web"), "Running");
  Json p = rig.api.get(kPods, "default", "web");
  p["metadata"]["deletionTimestamp"] = "2026-11-29T00:00:00Z";
  rig.api.put(kPods, p);
  EXPECT_TRUE(eventually([&] { return rig.api.get(kPods, "default", "web").is_null(); }));
  // The counter moves after the delete the API shows: wait for it too.
  EXPECT_TRUE(eventually([&] { return rig.nodes->stats().pods_deleted >= 1u; }));
  EXPECT_EQ(rig.nodes->stats().pods_deleted, 1u);
}

TEST(SimulatedNodes, OnFailureRestartsTheAppContainer) {
  Rig rig;
  ASSERT_TRUE(rig.nodes->register_nodes().is_ok());
  rig.nodes->start();
  rig.api.put(kPods, pod("retry", "eci-0", "OnFailure",
                         {{"sim.aqueduct.io/duration", "1s"}, {"sim.aqueduct.io/exit-code", "1"}}));
  ASSERT_TRUE(eventually([&] { return rig.nodes->stats().container_restarts >= 2; }));
  EXPECT_EQ(phase(rig.api, "retry"), "Running");
  EXPECT_TRUE(eventually([&] {
    Json p = rig.api.get(kPods, "default", "retry");
    return p["status"]["containerStatuses"][0].value("restartCount", 0) >= 2;
  }));
}

TEST(SimulatedNodes, ABadRunDescriptionFailsThePodAndSaysWhy) {
  Rig rig;
  ASSERT_TRUE(rig.nodes->register_nodes().is_ok());
  rig.nodes->start();
  rig.api.put(kPods, pod("typo", "eci-0", "Never", {{"sim.aqueduct.io/duration", "soon"}}));
  ASSERT_TRUE(eventually([&] { return phase(rig.api, "typo") == "Failed"; }));
  bool named = false;
  for (const auto& line : rig.nodes->take_log())
    named = named || line.find("sim.aqueduct.io/duration \"soon\"") != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_EQ(rig.nodes->stats().model_errors, 1u);
}

TEST(SidecarExitRule, OnlyBatchPodsWhoseAppsEndedWhileASidecarRuns) {
  auto with_states = [](Json p, const std::string& app_state, int code, bool sidecar_running) {
    Json app = app_state == "terminated" ? Json{{"terminated", {{"exitCode", code}}}}
                                         : Json{{"running", Json::object()}};
    Json side = sidecar_running ? Json{{"running", Json::object()}}
                                : Json{{"terminated", {{"exitCode", 0}}}};
    p["status"]["containerStatuses"] = Json::array(
        {{{"name", "fluid-fuse-0"}, {"state", side}}, {{"name", "app"}, {"state", app}}});
    return p;
  };
  std::string why;
  EXPECT_TRUE(
      sidecar_exit_due(with_states(pod("a", "n", "Never", {}, true), "terminated", 2, true), &why));
  EXPECT_EQ(why, "app exited 2");
  EXPECT_FALSE(sidecar_exit_due(with_states(pod("a", "n", "Never", {}, true), "running", 0, true)));
  EXPECT_FALSE(
      sidecar_exit_due(with_states(pod("a", "n", "Always", {}, true), "terminated", 0, true)));
  EXPECT_FALSE(
      sidecar_exit_due(with_states(pod("a", "n", "OnFailure", {}, true), "terminated", 1, true)));
  EXPECT_TRUE(
      sidecar_exit_due(with_states(pod("a", "n", "OnFailure", {}, true), "terminated", 0, true)));
  EXPECT_FALSE(
      sidecar_exit_due(with_states(pod("a", "n", "Never", {}, true), "terminated", 0, false)));
  EXPECT_FALSE(sidecar_exit_due(with_states(
      pod("a", "n", "Never", {{"aqueduct.io/sidecar-exit", "t"}}, true), "terminated", 0, true)));
  EXPECT_FALSE(sidecar_exit_due(with_states(pod("a", "n", "Never"), "terminated", 0, true)));
}

// The rule and the simulated kubelet together: the app ends, the controller
// annotates the pod, the sidecar ends, the pod Succeeds.
TEST(SidecarExitRule, AServerlessJobPodCompletesWhenItsSidecarEnds) {
  Rig rig;
  ASSERT_TRUE(rig.nodes->register_nodes().is_ok());
  rig.nodes->start();
  // Injection swapped the claim for the sidecar's mount and named the dataset.
  rig.api.put(kPods, pod("job-1", "eci-0", "Never",
                         {{"sim.aqueduct.io/duration", "2s"},
                          {"sim.aqueduct.io/read", "100Mi"},
                          {"fluid.io/datasets-in-use", "images"}},
                         true));
  ASSERT_TRUE(
      eventually([&] { return container_state(rig.api, "job-1", "app").contains("terminated"); }));
  // Without the rule the sidecar keeps the pod Running.
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(phase(rig.api, "job-1"), "Running");
  EXPECT_TRUE(container_state(rig.api, "job-1", "fluid-fuse-0").contains("running"));

  SidecarExitController rule(*rig.client);
  rule.start_informers();
  ASSERT_TRUE(rule.wait_synced(5s));
  rule.start();
  ASSERT_TRUE(eventually([&] { return phase(rig.api, "job-1") == "Succeeded"; }));
  Json p = rig.api.get(kPods, "default", "job-1");
  EXPECT_TRUE(p["metadata"]["annotations"].contains("aqueduct.io/sidecar-exit"));
  EXPECT_EQ(container_state(rig.api, "job-1", "fluid-fuse-0")["terminated"]["exitCode"], 0);
  EXPECT_EQ(rig.nodes->stats().sidecars_ended, 1u);
  EXPECT_EQ(rig.nodes->stats().model_errors, 0u);
  EXPECT_TRUE(eventually([&] {  // the Event is written after the annotation
    for (const auto& e : rig.api.list("v1/events"))
      if (e.value("reason", "") == "SidecarExit") return true;
    return false;
  }));
  EXPECT_EQ(rule.exits_requested(), 1u);
}

}  // namespace
}  // namespace aqueduct::k8s
