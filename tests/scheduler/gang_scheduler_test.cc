#include "aqueduct/scheduler/gang_scheduler.h"

#include <gtest/gtest.h>

#include "support/fake_cluster.h"

namespace aqueduct::scheduler {
namespace {

using testing::FakeClusterView;
using testing::NodeBuilder;
using testing::PodBuilder;

std::unique_ptr<GangScheduler> make(const char* name) {
  auto s = builtin_schedulers().create(name);
  EXPECT_TRUE(s.ok());
  return std::move(s).value();
}

TEST(GangScheduler, LeastAllocatedSpreadsMostAllocatedPacks) {
  FakeClusterView v;
  core::Resources used;
  used.cpu_milli = 4000;
  used.memory_bytes = 8LL << 30;
  v.add_node(NodeBuilder("a").cpu(8).mem_gi(16).build(), used);
  v.add_node(NodeBuilder("b").cpu(8).mem_gi(16).build());
  core::Pod p = PodBuilder("p").cpu(1).mem_gi(1).build();
  std::vector<const core::Pod*> pods{&p};
  auto spread = make("least-allocated")->place(v, pods);
  ASSERT_TRUE(spread.placed);
  EXPECT_EQ(spread.node_indexes[0], 1u);
  auto pack = make("most-allocated")->place(v, pods);
  ASSERT_TRUE(pack.placed);
  EXPECT_EQ(pack.node_indexes[0], 0u);
}

TEST(GangScheduler, GangIsAllOrNothingWithKubernetesReason) {
  FakeClusterView v;
  v.add_node(NodeBuilder("a").cpu(8).mem_gi(64).gpu(4).build());
  v.add_node(NodeBuilder("b").cpu(8).mem_gi(64).gpu(4).build());
  v.add_node(NodeBuilder("c").cpu(1).mem_gi(64).gpu(8).build());
  core::Pod p0 = PodBuilder("p0").cpu(2).gpu(4).build();
  core::Pod p1 = PodBuilder("p1").cpu(2).gpu(4).build();
  core::Pod p2 = PodBuilder("p2").cpu(2).gpu(4).build();
  std::vector<const core::Pod*> two{&p0, &p1};
  auto ok = make("least-allocated")->place(v, two);
  ASSERT_TRUE(ok.placed);
  EXPECT_NE(ok.node_indexes[0], ok.node_indexes[1]);
  std::vector<const core::Pod*> three{&p0, &p1, &p2};
  auto no = make("least-allocated")->place(v, three);
  EXPECT_FALSE(no.placed);
  EXPECT_TRUE(no.node_indexes.empty());
  EXPECT_EQ(no.reason,
            "0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient nvidia.com/gpu. (gang of "
            "3 pods)");
}

TEST(FilterNode, SelectorTaintsArch) {
  core::Node n = NodeBuilder("n")
                     .cpu(4)
                     .mem_gi(4)
                     .label("pool", "gpu")
                     .arch(core::Arch::kArm64)
                     .taint("dedicated", core::TaintEffect::kNoSchedule)
                     .build();
  core::Resources none;
  EXPECT_EQ(
      filter_node(n, none, PodBuilder("p").selector("pool", "cpu").tolerate("dedicated").build()),
      "node(s) didn't match Pod's node affinity/selector");
  EXPECT_EQ(filter_node(n, none, PodBuilder("p").build()),
            "node(s) had untolerated taint {dedicated: }");
  EXPECT_EQ(filter_node(n, none,
                        PodBuilder("p").tolerate("dedicated").arches({core::Arch::kAmd64}).build()),
            "node(s) had arch arm64 that the pod's images do not support");
  EXPECT_EQ(
      filter_node(n, none, PodBuilder("p").tolerate("dedicated").selector("pool", "gpu").build()),
      "");
}

TEST(SchedulerRegistry, UnknownName) {
  auto s = builtin_schedulers().create("random");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("least-allocated, most-allocated"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::scheduler
