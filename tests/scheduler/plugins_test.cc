// Table-driven tests of Kubernetes node-selection semantics and of every plugin.
#include <gtest/gtest.h>

#include "aqueduct/core/scheduling/node_matching.h"
#include "aqueduct/scheduler/framework.h"
#include "support/fake_cluster.h"

namespace aqueduct::scheduler {
namespace {

using core::SelectorOp;
using testing::FakeClusterView;
using testing::NodeBuilder;
using testing::PodBuilder;
using testing::req;
using testing::term;

struct ReqCase {
  const char* name;
  core::NodeSelectorRequirement r;
  bool matches;  // against labels {zone: a, gpus: 8}
};

TEST(NodeMatching, RequirementOperators) {
  std::map<std::string, std::string> labels{{"zone", "a"}, {"gpus", "8"}};
  const ReqCase cases[] = {
      {"In hit", req("zone", SelectorOp::kIn, {"b", "a"}), true},
      {"In miss", req("zone", SelectorOp::kIn, {"b"}), false},
      {"In absent key", req("rack", SelectorOp::kIn, {"a"}), false},
      {"NotIn hit", req("zone", SelectorOp::kNotIn, {"b"}), true},
      {"NotIn miss", req("zone", SelectorOp::kNotIn, {"a"}), false},
      {"NotIn absent key matches", req("rack", SelectorOp::kNotIn, {"a"}), true},
      {"Exists", req("zone", SelectorOp::kExists), true},
      {"Exists absent", req("rack", SelectorOp::kExists), false},
      {"DoesNotExist", req("rack", SelectorOp::kDoesNotExist), true},
      {"DoesNotExist present", req("zone", SelectorOp::kDoesNotExist), false},
      {"Gt", req("gpus", SelectorOp::kGt, {"4"}), true},
      {"Gt equal", req("gpus", SelectorOp::kGt, {"8"}), false},
      {"Lt", req("gpus", SelectorOp::kLt, {"16"}), true},
      {"Lt non-integer label", req("zone", SelectorOp::kLt, {"16"}), false},
      {"Gt absent", req("rack", SelectorOp::kGt, {"1"}), false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(core::requirement_matches(c.r, labels), c.matches) << c.name;
}

TEST(NodeMatching, TermsAndAndOr) {
  core::Node n = NodeBuilder("n1").label("zone", "a").label("disk", "ssd").build();
  EXPECT_TRUE(core::term_matches(
      term({req("zone", SelectorOp::kIn, {"a"}), req("disk", SelectorOp::kExists)}), n));
  EXPECT_FALSE(core::term_matches(
      term({req("zone", SelectorOp::kIn, {"a"}), req("gpu", SelectorOp::kExists)}), n));
  EXPECT_FALSE(core::term_matches(term({}), n)) << "an empty term selects nothing";
  core::NodeSelectorTerm by_name;
  by_name.match_fields.push_back(req("metadata.name", SelectorOp::kIn, {"n1"}));
  EXPECT_TRUE(core::term_matches(by_name, n));
  // Required terms are ORed; nodeSelector must hold as well.
  core::Pod p = PodBuilder("p")
                    .require({term({req("zone", SelectorOp::kIn, {"b"})}),
                              term({req("disk", SelectorOp::kIn, {"ssd"})})})
                    .build();
  EXPECT_TRUE(core::pod_node_selection_matches(p, n));
  p.node_selector["zone"] = "b";
  EXPECT_FALSE(core::pod_node_selection_matches(p, n));
  core::Pod none = PodBuilder("q").require({}).build();
  EXPECT_FALSE(core::pod_node_selection_matches(none, n))
      << "nodeSelectorTerms: [] is unsatisfiable";
  core::NodeAffinity a;
  a.preferred = {{30, term({req("zone", SelectorOp::kIn, {"a"})})},
                 {20, term({req("disk", SelectorOp::kExists)})},
                 {50, term({req("gpu", SelectorOp::kExists)})}};
  EXPECT_EQ(core::preferred_affinity_score(a, n), 50);
}

struct TolCase {
  const char* name;
  core::Toleration tol;
  core::Taint taint;
  bool matches;
};

TEST(NodeMatching, Tolerations) {
  using E = core::TaintEffect;
  const TolCase cases[] = {
      {"Equal same value", {"k", "Equal", "v", "", -1}, {"k", "v", E::kNoSchedule}, true},
      {"Equal other value", {"k", "Equal", "w", "", -1}, {"k", "v", E::kNoSchedule}, false},
      {"Exists any value", {"k", "Exists", "", "", -1}, {"k", "v", E::kNoExecute}, true},
      {"Exists other key", {"j", "Exists", "", "", -1}, {"k", "v", E::kNoSchedule}, false},
      {"empty key Exists: everything",
       {"", "Exists", "", "", -1},
       {"k", "v", E::kNoSchedule},
       true},
      {"effect must match",
       {"k", "Exists", "", "NoExecute", -1},
       {"k", "v", E::kNoSchedule},
       false},
      {"effect matches", {"k", "Exists", "", "NoSchedule", -1}, {"k", "v", E::kNoSchedule}, true},
      {"empty effect: all effects",
       {"k", "Equal", "v", "", -1},
       {"k", "v", E::kPreferNoSchedule},
       true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(core::toleration_matches(c.tol, c.taint), c.matches) << c.name;
}

// One framework per plugin, to see its filter verdicts and normalized scores.
struct Harness {
  FakeClusterView view;
  std::unique_ptr<Framework> fw;
  explicit Harness(std::vector<PluginConfig> plugins) {
    Profile p;
    p.plugins = std::move(plugins);
    p.percentage_of_nodes_to_score = 100;
    auto f = Framework::create(p, builtin_plugins());
    EXPECT_TRUE(f.ok()) << f.status().message();
    fw = std::move(f).value();
  }
  PodDecision run(const core::Pod& pod) {
    std::vector<const core::Pod*> pods{&pod};
    GangDecision g = fw->place(view, pods, true);
    return g.pods.at(0);
  }
  // node name -> normalized score of the single score plugin
  std::map<std::string, std::int64_t> scores(const core::Pod& pod) {
    std::map<std::string, std::int64_t> out;
    for (const auto& s : run(pod).scores)
      out[view.nodes()[s.node].node->meta.name] = s.by_plugin.at(0);
    return out;
  }
};

TEST(Plugins, NodeResourcesFitFilterAndStrategies) {
  Harness h({{"NodeResourcesFit", 1, {}}});
  core::Resources used;
  used.cpu_milli = 6000;
  used.memory_bytes = 12LL << 30;
  used.pods = 1;
  h.view.add_node(NodeBuilder("a").cpu(8).mem_gi(16).build(), used);
  h.view.add_node(NodeBuilder("b").cpu(8).mem_gi(16).build());
  h.view.add_node(NodeBuilder("c").cpu(1).mem_gi(64).gpu(1).build());
  auto s = h.scores(PodBuilder("p").cpu(2).mem_gi(4).build());
  EXPECT_EQ(s.size(), 2u);  // c: Insufficient cpu
  EXPECT_EQ(s["a"], 0);     // (0/8 + 0/16)/2 left
  EXPECT_EQ(s["b"], 75);    // (6/8 + 12/16)/2
  PodDecision d = h.run(PodBuilder("p").cpu(2).gpu(2).build());
  EXPECT_EQ(d.reason,
            "0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient nvidia.com/gpu.");
  Harness most({{"NodeResourcesFit", 1, {{"strategy", "MostAllocated"}}}});
  most.view.add_node(NodeBuilder("a").cpu(8).mem_gi(16).build(), used);
  most.view.add_node(NodeBuilder("b").cpu(8).mem_gi(16).build());
  auto m = most.scores(PodBuilder("p").cpu(2).mem_gi(4).build());
  EXPECT_EQ(m["a"], 100);
  EXPECT_EQ(m["b"], 25);
  EXPECT_FALSE(Framework::create({"x", {{"NodeResourcesFit", 1, {{"strategy", "Random"}}}}, 0},
                                 builtin_plugins())
                   .ok());
}

TEST(Plugins, NodeAffinityFilterAndPreferredScore) {
  Harness h({{"NodeAffinity", 1, {}}});
  h.view.add_node(NodeBuilder("a").label("zone", "z1").label("ssd", "true").build());
  h.view.add_node(NodeBuilder("b").label("zone", "z1").build());
  h.view.add_node(NodeBuilder("c").label("zone", "z2").label("ssd", "true").build());
  core::Pod p = PodBuilder("p")
                    .require({term({req("zone", SelectorOp::kIn, {"z1"})})})
                    .prefer(10, term({req("ssd", SelectorOp::kExists)}))
                    .build();
  auto s = h.scores(p);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s["a"], 100);
  EXPECT_EQ(s["b"], 0);
  PodDecision d = h.run(PodBuilder("q").selector("zone", "z9").build());
  EXPECT_EQ(d.reason,
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
}

TEST(Plugins, TaintTolerationFilterAndScore) {
  Harness h({{"TaintToleration", 1, {}}});
  h.view.add_node(NodeBuilder("a").taint("gpu", core::TaintEffect::kNoSchedule, "true").build());
  h.view.add_node(NodeBuilder("b").taint("spot", core::TaintEffect::kPreferNoSchedule).build());
  h.view.add_node(NodeBuilder("c").build());
  h.view.add_node(NodeBuilder("d").taint("evict", core::TaintEffect::kNoExecute).build());
  auto s = h.scores(PodBuilder("p").build());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s["b"], 0);
  EXPECT_EQ(s["c"], 100);
  PodDecision d = h.run(PodBuilder("p").tolerate("spot").build());
  EXPECT_TRUE(d.placed);
  auto t = h.scores(PodBuilder("p").toleration({"gpu", "Equal", "true", "NoSchedule", -1}).build());
  EXPECT_EQ(t.size(), 3u);
  Harness none({{"TaintToleration", 1, {}}});
  none.view.add_node(NodeBuilder("a").taint("gpu", core::TaintEffect::kNoSchedule, "true").build());
  EXPECT_EQ(none.run(PodBuilder("p").build()).reason,
            "0/1 nodes are available: 1 node(s) had untolerated taint {gpu: true}.");
}

TEST(Plugins, BalancedAllocation) {
  Harness h({{"NodeResourcesBalancedAllocation", 1, {}}});
  h.view.add_node(NodeBuilder("a").cpu(10).mem_gi(10).build());
  h.view.add_node(NodeBuilder("b").cpu(10).mem_gi(100).build());
  auto s = h.scores(PodBuilder("p").cpu(5).mem_gi(5).build());
  EXPECT_EQ(s["a"], 100);  // 50% and 50%: no spread
  EXPECT_EQ(s["b"], 77);   // 50% and 5%: sd 0.225
}

TEST(Plugins, NodeArch) {
  Harness h({{"NodeArch", 1, {}}});
  h.view.add_node(NodeBuilder("arm").arch(core::Arch::kArm64).build());
  h.view.add_node(NodeBuilder("x86").build());
  PodDecision d = h.run(PodBuilder("p").arches({core::Arch::kArm64}).build());
  EXPECT_EQ(h.view.nodes()[d.node].node->meta.name, "arm");
  Harness only_arm({{"NodeArch", 1, {}}});
  only_arm.view.add_node(NodeBuilder("arm").arch(core::Arch::kArm64).build());
  EXPECT_EQ(
      only_arm.run(PodBuilder("p").arches({core::Arch::kAmd64}).build()).reason,
      "0/1 nodes are available: 1 node(s) had arch arm64 that the pod's images do not support.");
}

TEST(Plugins, DataLocalityTiers) {
  Harness h({{"DataLocality", 1, {}}});
  h.view.add_node(NodeBuilder("a").zone("z1").region("r1").build());
  h.view.add_node(NodeBuilder("b").zone("z1").region("r1").build());
  h.view.add_node(NodeBuilder("c").zone("z2").region("r1").build());
  h.view.add_node(NodeBuilder("d").zone("z3").region("r2").build());
  h.view.add_dataset("imagenet");
  h.view.cache("imagenet", "a", 100LL << 20);
  auto s = h.scores(PodBuilder("p").claim("imagenet").build());
  EXPECT_EQ(s["a"], 100);
  EXPECT_EQ(s["b"], 50);  // same zone
  EXPECT_EQ(s["c"], 20);  // same region
  EXPECT_EQ(s["d"], 0);
  auto none = h.scores(PodBuilder("q").build());
  EXPECT_EQ(none["a"], 0);
  EXPECT_FALSE(
      Framework::create({"x", {{"DataLocality", 1, {{"zoneWeight", "2"}}}}, 0}, builtin_plugins())
          .ok());
}

TEST(Plugins, DataLocalityHintsCacheNodesUnderSampling) {
  // 1,000 nodes score only ~42% by default; the node with the data is always evaluated.
  Profile p;
  p.plugins = {{"DataLocality", 1, {}}};
  auto fw = std::move(Framework::create(p, builtin_plugins())).value();
  FakeClusterView v;
  for (int i = 0; i < 1000; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "n%04d", i);
    v.add_node(NodeBuilder(name).zone("z").build());
  }
  v.add_dataset("ds");
  v.cache("ds", "n0999", 1 << 30);
  core::Pod pod = PodBuilder("p").claim("ds").build();
  std::vector<const core::Pod*> pods{&pod};
  GangDecision g = fw->place(v, pods);
  ASSERT_TRUE(g.placed);
  EXPECT_EQ(v.nodes()[g.nodes[0]].node->meta.name, "n0999");
}

TEST(Plugins, BandwidthPressureAndCost) {
  Harness h({{"BandwidthPressure", 1, {}}});
  h.view.add_node(NodeBuilder("busy").build());
  h.view.add_node(NodeBuilder("idle").build());
  h.view.set_io(0, 0.8);
  h.view.add_dataset("ds");
  auto s = h.scores(PodBuilder("p").claim("ds").build());
  EXPECT_EQ(s["busy"], 19);  // 100 x (1 - 0.8), truncated
  EXPECT_EQ(s["idle"], 100);
  Harness c({{"Cost", 1, {}}});
  c.view.add_node(NodeBuilder("eci").price(4).build());
  c.view.add_node(NodeBuilder("ecs").price(1).build());
  auto cs = c.scores(PodBuilder("p").build());
  EXPECT_EQ(cs["eci"], 0);
  EXPECT_EQ(cs["ecs"], 75);
}

}  // namespace
}  // namespace aqueduct::scheduler

namespace aqueduct::scheduler {
namespace {

TEST(Plugins, BandwidthPressureCountsOnlyTheCurrentGang) {
  Profile p;
  p.plugins = {{"BandwidthPressure", 1, {}}};
  p.percentage_of_nodes_to_score = 100;
  auto fw = std::move(Framework::create(p, builtin_plugins())).value();
  testing::FakeClusterView v;
  v.add_node(testing::NodeBuilder("a").cpu(8).mem_gi(8).build());
  v.add_node(testing::NodeBuilder("b").cpu(8).mem_gi(8).build());
  v.add_dataset("ds");
  core::Pod p0 = testing::PodBuilder("p0").claim("ds").build(),
            p1 = testing::PodBuilder("p1").claim("ds").build();
  std::vector<const core::Pod*> gang{&p0, &p1};
  GangDecision g = fw->place(v, gang, true);
  ASSERT_TRUE(g.placed);
  EXPECT_NE(g.nodes[0], g.nodes[1]) << "the second pod sees the first one's reserved load";
  // A later round starts clean: both nodes score 100 again.
  std::vector<const core::Pod*> one{&p0};
  GangDecision next = fw->place(v, one, true);
  ASSERT_EQ(next.pods[0].scores.size(), 2u);
  EXPECT_EQ(next.pods[0].scores[0].total, next.pods[0].scores[1].total);
}

}  // namespace
}  // namespace aqueduct::scheduler
