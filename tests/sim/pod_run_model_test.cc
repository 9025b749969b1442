// The run model `aqueduct sim nodes` gives pods: the simulator's job model in
// its analytical form.
#include "aqueduct/sim/pod_run_model.h"

#include <gtest/gtest.h>

namespace aqueduct::sim {
namespace {

core::Node node(double speed = 1.0) {
  core::Node n;
  n.meta.name = "n1";
  n.speed_factor = speed;
  n.nic_bandwidth = 1e9;
  return n;
}

double run_s(const std::map<std::string, std::string>& a, const core::Node& n,
             PodCacheFacts f = {true, false, false, false}) {
  auto r = model_pod_run(a, n, f, "uid-1", PodRunModelSpec{});
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? core::to_seconds(r->run) : -1;
}

TEST(PodRunModel, DurationScalesWithNodeSpeed) {
  EXPECT_DOUBLE_EQ(run_s({{"sim.aqueduct.io/duration", "90s"}}, node()), 90);
  EXPECT_DOUBLE_EQ(run_s({{"sim.aqueduct.io/duration", "90s"}}, node(2.0)), 45);
}

TEST(PodRunModel, UndescribedBatchPodsRunTheDefault) {
  auto r = model_pod_run({}, node(), {}, "u", PodRunModelSpec{});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->described);
  EXPECT_DOUBLE_EQ(core::to_seconds(r->run), 10);
}

TEST(PodRunModel, ReadsAreFasterFromCacheThanFromTheStore) {
  const std::map<std::string, std::string> a = {{"sim.aqueduct.io/read", "10Gi"},
                                                {"sim.aqueduct.io/epochs", "3"}};
  const double cold = run_s(a, node(), {true, false, false, false});
  const double runtime = run_s(a, node(), {true, false, false, true});
  const double remote = run_s(a, node(), {true, false, true, true});
  const double local = run_s(a, node(), {true, true, false, true});
  // The store: 100 MiB/s per stream; the NIC 1 GB/s; memory 8 GiB/s.
  EXPECT_NEAR(cold, 3 * 10.0 * 1024 / 100, 1e-6);
  EXPECT_NEAR(runtime, 10.0 * 1024 / 100 + 2 * 10.0 * (1 << 30) / 1e9, 1e-6);
  EXPECT_NEAR(remote, 3 * 10.0 * (1 << 30) / 1e9, 1e-6);
  EXPECT_NEAR(local, 3 * 10.0 / 8, 1e-6);
  EXPECT_GT(cold, runtime);
  EXPECT_GT(runtime, remote);
  EXPECT_GT(remote, local);
}

TEST(PodRunModel, ComputeBoundEpochsAndStreams) {
  // 4 streams of 100 MiB/s = 400 MiB/s from the store; computing takes 200 MiB/s.
  const std::map<std::string, std::string> a = {{"sim.aqueduct.io/read", "2Gi"},
                                                {"sim.aqueduct.io/streams", "4"},
                                                {"sim.aqueduct.io/compute-rate", "200MiB/s"}};
  EXPECT_NEAR(run_s(a, node()), 2048.0 / 200, 1e-6);
  EXPECT_NEAR(run_s(a, node(2.0)), 2048.0 / 400, 1e-6);  // faster node: I/O bound
}

TEST(PodRunModel, ExitCodeAndStartDelayAreRepeatable) {
  core::Node n = node();
  n.pod_start_median = core::from_seconds(20);
  n.pod_start_sigma = 0.5;
  PodRunModelSpec spec;
  auto a = model_pod_run({{"sim.aqueduct.io/exit-code", "3"}}, n, {}, "uid-a", spec);
  auto b = model_pod_run({{"sim.aqueduct.io/exit-code", "3"}}, n, {}, "uid-a", spec);
  auto c = model_pod_run({}, n, {}, "uid-c", spec);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->exit_code, 3);
  EXPECT_EQ(a->start_delay, b->start_delay);
  EXPECT_NE(a->start_delay, c->start_delay);
  EXPECT_GT(a->start_delay.count(), 0);
}

TEST(PodRunModel, BadAnnotationsNameTheKey) {
  struct Case {
    std::map<std::string, std::string> a;
    PodCacheFacts f;
    std::string want;
  };
  const std::vector<Case> cases = {
      {{{"sim.aqueduct.io/duration", "soon"}}, {}, "sim.aqueduct.io/duration \"soon\""},
      {{{"sim.aqueduct.io/read", "-1Gi"}}, {true}, "sim.aqueduct.io/read"},
      {{{"sim.aqueduct.io/epochs", "0"}}, {}, "sim.aqueduct.io/epochs"},
      {{{"sim.aqueduct.io/exit-code", "1.5"}}, {}, "sim.aqueduct.io/exit-code"},
      {{{"sim.aqueduct.io/compute-rate", "fast"}}, {}, "sim.aqueduct.io/compute-rate"},
      {{{"sim.aqueduct.io/read", "1Gi"}}, {false}, "mounts no dataset"},
  };
  for (const auto& c : cases) {
    auto r = model_pod_run(c.a, node(), c.f, "u", PodRunModelSpec{});
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace aqueduct::sim
