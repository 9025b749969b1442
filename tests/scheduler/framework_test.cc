#include "aqueduct/scheduler/framework.h"

#include <gtest/gtest.h>

#include "support/fake_cluster.h"

namespace aqueduct::scheduler {
namespace {

using testing::FakeClusterView;
using testing::NodeBuilder;
using testing::PodBuilder;

std::unique_ptr<Framework> make(Profile p, Framework::Stopwatch sw = nullptr) {
  auto f = Framework::create(p, builtin_plugins(), std::move(sw));
  EXPECT_TRUE(f.ok()) << f.status().message();
  return std::move(f).value();
}

// An ActionSink that records binds and fails every `fail_every`-th one.
class RecordingSink : public core::ActionSink {
 public:
  explicit RecordingSink(int fail_every = 0) : fail_every_(fail_every) {}
  core::Status bind(std::string_view pod, std::string_view node) override {
    ++calls_;
    if (fail_every_ > 0 && calls_ % fail_every_ == 0)
      return core::Status(core::StatusCode::kUnavailable, "api down");
    binds.emplace_back(std::string(pod), std::string(node));
    return core::Status::ok();
  }
  core::Status patch_pod(std::string_view, const core::Pod&) override { return core::Status::ok(); }
  core::Status scale_runtime(std::string_view, std::int32_t) override { return core::Status::ok(); }
  core::Status place_cache_worker(std::string_view, std::string_view) override {
    return core::Status::ok();
  }
  core::Status remove_cache_worker(std::string_view, std::string_view) override {
    return core::Status::ok();
  }
  core::Status start_data_load(const core::DataLoad&) override { return core::Status::ok(); }
  std::vector<std::pair<std::string, std::string>> binds;

 private:
  int fail_every_;
  int calls_ = 0;
};

TEST(Framework, GangIsAllOrNothing) {
  FakeClusterView v;
  v.add_node(NodeBuilder("a").cpu(8).mem_gi(64).gpu(4).build());
  v.add_node(NodeBuilder("b").cpu(8).mem_gi(64).gpu(4).build());
  v.add_node(NodeBuilder("c").cpu(1).mem_gi(64).gpu(8).build());
  auto fw = make(default_profile());
  core::Pod p0 = PodBuilder("p0").cpu(2).gpu(4).build(),
            p1 = PodBuilder("p1").cpu(2).gpu(4).build(),
            p2 = PodBuilder("p2").cpu(2).gpu(4).build();
  std::vector<const core::Pod*> two{&p0, &p1}, three{&p0, &p1, &p2};
  GangDecision ok = fw->place(v, two);
  ASSERT_TRUE(ok.placed);
  EXPECT_NE(ok.nodes[0], ok.nodes[1]) << "the second pod sees the first one's reservation";
  GangDecision no = fw->place(v, three);
  EXPECT_FALSE(no.placed);
  EXPECT_TRUE(no.nodes.empty());
  EXPECT_EQ(no.reason,
            "0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient nvidia.com/gpu. (pod 3 of "
            "a gang of 3)");
  // Nothing was bound or left reserved: the two-pod gang still fits afterwards.
  EXPECT_TRUE(fw->place(v, two).placed);
}

TEST(Framework, WeightsCombineNormalizedScoresAndExplainOrdersNodes) {
  Profile p;
  p.plugins = {{"NodeResourcesFit", 1, {}}, {"Cost", 3, {}}};
  p.percentage_of_nodes_to_score = 100;
  auto fw = make(p);
  FakeClusterView v;
  v.add_node(NodeBuilder("cheap-small").cpu(4).mem_gi(8).price(1).build());
  v.add_node(NodeBuilder("dear-big").cpu(64).mem_gi(256).price(4).build());
  core::Pod pod = PodBuilder("p").cpu(2).mem_gi(4).build();
  std::vector<const core::Pod*> pods{&pod};
  GangDecision g = fw->place(v, pods, true);
  ASSERT_TRUE(g.placed);
  // cheap-small: fit 50, cost 75 -> 50 + 225 = 275; dear-big: fit 97, cost 0 -> 97.
  EXPECT_EQ(v.nodes()[g.nodes[0]].node->meta.name, "cheap-small");
  const auto& scores = g.pods[0].scores;
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores[0].total, 275);
  EXPECT_EQ(scores[0].by_plugin, (std::vector<std::int64_t>{50, 75}));
  EXPECT_EQ(scores[1].total, 97);
  EXPECT_EQ(fw->score_plugin_names(), (std::vector<std::string>{"NodeResourcesFit", "Cost"}));
}

TEST(Framework, RecordsRejectionsAndTimePerPlugin) {
  std::uint64_t fake_ns = 0;
  auto fw = make(default_profile(), [&] { return fake_ns += 10; });
  FakeClusterView v;
  v.add_node(NodeBuilder("a").cpu(1).mem_gi(1).build());
  v.add_node(NodeBuilder("b").cpu(8).mem_gi(8).label("x", "y").build());
  core::Pod pod = PodBuilder("p").cpu(2).selector("x", "z").build();
  std::vector<const core::Pod*> pods{&pod};
  GangDecision g = fw->place(v, pods);
  EXPECT_EQ(g.reason,
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node "
            "affinity/selector.");
  std::map<std::string, PluginStats> by;
  for (const auto& s : fw->stats()) by[s.name] = s;
  EXPECT_EQ(by["NodeResourcesFit"].rejections, 1u);
  EXPECT_EQ(by["NodeAffinity"].rejections, 1u);
  EXPECT_EQ(by["NodeResourcesFit"].calls, 2u);
  EXPECT_EQ(by["NodeResourcesFit"].nanos, 20u);  // each call timed at 10 fake ns
}

TEST(Framework, AdaptiveSamplingRotatesTheStartNode) {
  auto fw = make(default_profile());
  FakeClusterView v;
  for (int i = 0; i < 1000; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "n%04d", i);
    v.add_node(NodeBuilder(name).cpu(8).mem_gi(8).build());
  }
  core::Pod pod = PodBuilder("p").cpu(1).build();
  std::vector<const core::Pod*> pods{&pod};
  (void)fw->place(v, pods);
  // 1,000 nodes: 50 - 1000/125 = 42% -> 420 feasible nodes evaluated.
  std::uint64_t calls = 0;
  for (const auto& s : fw->stats()) {
    if (s.name == "NodeResourcesFit") calls = s.calls;
  }
  EXPECT_EQ(calls, 420u + 420u);  // 420 filter calls and 420 score calls
  GangDecision second = fw->place(v, pods);
  EXPECT_GE(second.nodes[0], 420u) << "the next cycle starts where the last one stopped";
}

TEST(Framework, BindsThroughTheSinkAndReportsFailures) {
  auto fw = make(default_profile());
  FakeClusterView v;
  v.add_node(NodeBuilder("a").cpu(8).mem_gi(8).build());
  core::Pod p0 = PodBuilder("p0").cpu(1).build(), p1 = PodBuilder("p1").cpu(1).build();
  p0.meta.namespace_ = p1.meta.namespace_ = "ml";
  std::vector<const core::Pod*> pods{&p0, &p1};
  GangDecision g = fw->place(v, pods);
  RecordingSink sink;
  ASSERT_TRUE(fw->bind(sink, v, pods, g).is_ok());
  ASSERT_EQ(sink.binds.size(), 2u);
  EXPECT_EQ(sink.binds[0], (std::pair<std::string, std::string>{"ml/p0", "a"}));
  RecordingSink flaky(2);
  core::Status s = fw->bind(flaky, v, pods, g);
  EXPECT_EQ(s.code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "binding ml/p1: api down");
}

TEST(Framework, ConfigErrors) {
  auto reg = builtin_plugins();
  EXPECT_NE(Framework::create({"x", {{"Nope", 1, {}}}, 0}, reg)
                .status()
                .message()
                .find("unknown scheduler plugin"),
            std::string::npos);
  EXPECT_FALSE(Framework::create({"x", {{"Cost", 1, {}}, {"Cost", 1, {}}}, 0}, reg).ok());
  EXPECT_FALSE(Framework::create({"x", {{"Cost", 101, {}}}, 0}, reg).ok());
  EXPECT_FALSE(Framework::create({"x", {}, 101}, reg).ok());
  EXPECT_FALSE(Framework::create({"x", {{"Cost", 1, {{"a", "b"}}}}, 0}, reg).ok());
  EXPECT_FALSE(preset_profile("fastest").ok());
  EXPECT_TRUE(preset_profile("data-aware").ok());
}

TEST(Framework, NoNodes) {
  auto fw = make(default_profile());
  FakeClusterView v;
  core::Pod pod = PodBuilder("p").build();
  std::vector<const core::Pod*> pods{&pod};
  EXPECT_EQ(fw->place(v, pods).reason, "0/0 nodes are available: no nodes.");
}

}  // namespace
}  // namespace aqueduct::scheduler
