// Fluid's node labels and the affinity its webhook plugins inject (core/fluid).
#include <gtest/gtest.h>

#include "aqueduct/core/fluid/fluid_affinity.h"
#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/core/scheduling/node_matching.h"
#include "support/fake_cluster.h"

namespace aqueduct::core {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;
using testing::req;
using testing::term;

Dataset dataset(const std::string& name, PlacementMode mode = PlacementMode::kExclusive) {
  Dataset d;
  d.meta.name = name;
  d.meta.namespace_ = "ml";
  d.placement = mode;
  return d;
}

Runtime runtime(RuntimeEngine e) {
  Runtime r;
  r.engine = e;
  return r;
}

std::string str(const NodeSelectorTerm& t) {
  std::string s;
  for (const auto& e : t.match_expressions) {
    s += (s.empty() ? "" : " & ") + e.key + " " + selector_op_name(e.op);
    for (const auto& v : e.values) s += " " + v;
  }
  return s;
}

TEST(FluidLabels, NamesAndCapacities) {
  EXPECT_EQ(dataset_label("ml", "imagenet"), "fluid.io/s-ml-imagenet");
  EXPECT_EQ(engine_dataset_label(RuntimeEngine::kJuiceFs, "ml", "imagenet"),
            "fluid.io/s-juicefs-ml-imagenet");
  EXPECT_EQ(capacity_label(RuntimeEngine::kAlluxio, 't', "ml", "imagenet"),
            "fluid.io/s-h-alluxio-t-ml-imagenet");
  EXPECT_EQ(fuse_label("ml", "imagenet"), "fluid.io/f-ml-imagenet");
  EXPECT_EQ(format_capacity(1LL << 30), "1GiB");
  EXPECT_EQ(format_capacity(3LL << 29), "1.5GiB");
  EXPECT_EQ(format_capacity(500LL << 20), "500MiB");
  EXPECT_EQ(format_capacity(0), "0B");
}

TEST(FluidLabels, WorkerLabelsAndDatasetCount) {
  Node n = NodeBuilder("n").build();
  Dataset a = dataset("a", PlacementMode::kShared), b = dataset("b", PlacementMode::kShared);
  label_node_for_worker(n, a, runtime(RuntimeEngine::kAlluxio), 2LL << 30, 8LL << 30);
  label_node_for_worker(n, b, runtime(RuntimeEngine::kJuiceFs), 1LL << 30, 0);
  const auto& l = n.meta.labels;
  EXPECT_EQ(l.at("fluid.io/s-ml-a"), "true");
  EXPECT_EQ(l.at("fluid.io/s-alluxio-ml-a"), "true");
  EXPECT_EQ(l.at("fluid.io/s-h-alluxio-m-ml-a"), "2GiB");
  EXPECT_EQ(l.at("fluid.io/s-h-alluxio-d-ml-a"), "8GiB");
  EXPECT_EQ(l.at("fluid.io/s-h-alluxio-t-ml-a"), "10GiB");
  EXPECT_EQ(l.at("fluid.io/dataset-num"), "2");
  EXPECT_FALSE(l.count("fluid_exclusive"));
  label_node_for_worker(n, a, runtime(RuntimeEngine::kAlluxio), 2LL << 30,
                        8LL << 30);  // same worker again
  EXPECT_EQ(l.at("fluid.io/dataset-num"), "2");
  unlabel_node_for_worker(n, a, runtime(RuntimeEngine::kAlluxio));
  EXPECT_EQ(l.at("fluid.io/dataset-num"), "1");
  EXPECT_FALSE(l.count("fluid.io/s-h-alluxio-t-ml-a"));
  unlabel_node_for_worker(n, b, runtime(RuntimeEngine::kJuiceFs));
  EXPECT_FALSE(l.count("fluid.io/dataset-num"));
}

TEST(FluidLabels, ExclusiveAndSharedPlacement) {
  Node empty = NodeBuilder("e").build();
  Node shared = NodeBuilder("s").build();
  label_node_for_worker(shared, dataset("other", PlacementMode::kShared),
                        runtime(RuntimeEngine::kAlluxio), 1, 0);
  Node owned = NodeBuilder("o").build();
  label_node_for_worker(owned, dataset("owner"), runtime(RuntimeEngine::kAlluxio), 1, 0);
  EXPECT_EQ(owned.meta.labels.at("fluid_exclusive"), "ml_owner");
  Dataset excl = dataset("x"), sh = dataset("y", PlacementMode::kShared);
  EXPECT_EQ(worker_placement_conflict(empty, excl), "");
  EXPECT_EQ(worker_placement_conflict(shared, excl),
            "node(s) already cache other datasets (placement Exclusive)");
  EXPECT_EQ(worker_placement_conflict(shared, sh), "");
  EXPECT_EQ(worker_placement_conflict(owned, sh),
            "node(s) are held exclusively by dataset ml_owner");
  EXPECT_EQ(worker_placement_conflict(owned, dataset("owner")), "");
  Dataset pinned = dataset("p", PlacementMode::kShared);
  pinned.node_affinity.has_required = true;
  pinned.node_affinity.required = {term({req("ssd", SelectorOp::kExists)})};
  EXPECT_EQ(worker_placement_conflict(empty, pinned),
            "node(s) didn't match the dataset's nodeAffinity");
}

MountedDataset mounted(const std::string& name, std::vector<NodeSelectorTerm> cache_affinity = {}) {
  MountedDataset m;
  m.ns = "ml";
  m.name = name;
  m.has_runtime = true;
  m.cache_affinity = std::move(cache_affinity);
  return m;
}

TEST(FluidAffinity, PreferredTieredLocalityByDefault) {
  Pod p = PodBuilder("p").claim("imagenet").build();
  std::vector<MountedDataset> ds{
      mounted("imagenet", {term({req("topology.kubernetes.io/zone", SelectorOp::kIn, {"z1"}),
                                 req("topology.kubernetes.io/region", SelectorOp::kIn, {"r1"})})})};
  ASSERT_TRUE(node_affinity_with_cache(p, ds, TieredLocality{}));
  EXPECT_FALSE(p.node_affinity.has_required);
  ASSERT_EQ(p.node_affinity.preferred.size(), 3u);
  EXPECT_EQ(p.node_affinity.preferred[0].weight, 100);
  EXPECT_EQ(str(p.node_affinity.preferred[0].preference), "fluid.io/s-ml-imagenet In true");
  EXPECT_EQ(p.node_affinity.preferred[1].weight, 50);
  EXPECT_EQ(str(p.node_affinity.preferred[1].preference), "topology.kubernetes.io/zone In z1");
  EXPECT_EQ(p.node_affinity.preferred[2].weight, 20);
}

TEST(FluidAffinity, RequiredWhenThePodAsksAndOrOfSeveralNames) {
  Pod p = PodBuilder("p")
              .claim("imagenet")
              .label("fluid.io/dataset.imagenet.sched", "required")
              .build();
  TieredLocality tl;
  tl.required = {"fluid.io/node", "topology.kubernetes.io/zone"};
  std::vector<MountedDataset> ds{
      mounted("imagenet", {term({req("topology.kubernetes.io/zone", SelectorOp::kIn, {"z1"})})})};
  ASSERT_TRUE(node_affinity_with_cache(p, ds, tl));
  ASSERT_TRUE(p.node_affinity.has_required);
  ASSERT_EQ(p.node_affinity.required.size(), 2u) << "the names are ORed: one term each";
  EXPECT_EQ(str(p.node_affinity.required[0]), "fluid.io/s-ml-imagenet In true");
  EXPECT_EQ(str(p.node_affinity.required[1]), "topology.kubernetes.io/zone In z1");
  EXPECT_TRUE(p.node_affinity.preferred.empty());
  // A node in zone z1 without the cache qualifies, one in z2 does not.
  Node z1 = NodeBuilder("a").zone("z1").build(), z2 = NodeBuilder("b").zone("z2").build();
  EXPECT_TRUE(pod_node_selection_matches(p, z1));
  EXPECT_FALSE(pod_node_selection_matches(p, z2));
}

TEST(FluidAffinity, SkipsPodsThatAlreadyNameALocalityKey) {
  Pod p = PodBuilder("p")
              .claim("imagenet")
              .prefer(5, term({req("topology.kubernetes.io/zone", SelectorOp::kIn, {"z9"})}))
              .build();
  EXPECT_FALSE(node_affinity_with_cache(p, std::vector<MountedDataset>{mounted("imagenet")},
                                        TieredLocality{}));
  EXPECT_EQ(p.node_affinity.preferred.size(), 1u);
  Pod none = PodBuilder("q").claim("raw").build();
  MountedDataset no_runtime = mounted("raw");
  no_runtime.has_runtime = false;
  EXPECT_FALSE(
      node_affinity_with_cache(none, std::vector<MountedDataset>{no_runtime}, TieredLocality{}));
}

TEST(FluidAffinity, MergeOfRequiredTerms) {
  auto t = [](const char* k) { return term({req(k, SelectorOp::kExists)}); };
  // No existing terms: the new ones.
  Pod a = PodBuilder("a").build();
  inject_required_terms({t("n1"), t("n2")}, a);
  ASSERT_EQ(a.node_affinity.required.size(), 2u);
  // Existing non-empty terms: each existing AND each new.
  Pod b = PodBuilder("b").require({t("e1"), NodeSelectorTerm{}, t("e2")}).build();
  inject_required_terms({t("n1"), NodeSelectorTerm{}, t("n2")}, b);
  std::vector<std::string> got;
  for (const auto& x : b.node_affinity.required) got.push_back(str(x));
  EXPECT_EQ(got, (std::vector<std::string>{"e1 Exists & n1 Exists", "e1 Exists & n2 Exists",
                                           "e2 Exists & n1 Exists", "e2 Exists & n2 Exists"}));
  // Only empty existing terms: replaced by the non-empty new ones.
  Pod c = PodBuilder("c").require({NodeSelectorTerm{}}).build();
  inject_required_terms({NodeSelectorTerm{}, t("n1")}, c);
  ASSERT_EQ(c.node_affinity.required.size(), 1u);
  EXPECT_EQ(str(c.node_affinity.required[0]), "n1 Exists");
  // Only empty new terms: unchanged.
  Pod d = PodBuilder("d").require({t("e1")}).build();
  inject_required_terms({NodeSelectorTerm{}}, d);
  EXPECT_EQ(str(d.node_affinity.required[0]), "e1 Exists");
}

TEST(FluidAffinity, PreferNodesWithoutCacheAndRequireFuse) {
  Pod p = PodBuilder("p").build();
  ASSERT_TRUE(prefer_nodes_without_cache(p));
  ASSERT_EQ(p.node_affinity.preferred.size(), 1u);
  EXPECT_EQ(p.node_affinity.preferred[0].weight, 100);
  EXPECT_EQ(str(p.node_affinity.preferred[0].preference), "fluid.io/dataset-num DoesNotExist");
  MountedDataset m = mounted("imagenet");
  m.fuse_node_selector = {{"fuse", "enabled"}};
  Pod q = PodBuilder("q").require({term({req("zone", SelectorOp::kIn, {"a"})})}).build();
  ASSERT_TRUE(require_node_with_fuse(q, std::vector<MountedDataset>{m}));
  ASSERT_EQ(q.node_affinity.required.size(), 1u);
  EXPECT_EQ(str(q.node_affinity.required[0]), "zone In a & fuse In enabled");
}

TEST(FluidAffinity, CacheAffinityFromWorkerNodes) {
  Node a = NodeBuilder("a").zone("z2").region("r1").build(),
       b = NodeBuilder("b").zone("z1").region("r1").build();
  std::vector<const Node*> nodes{&a, &b};
  auto terms = cache_affinity_from_nodes(
      nodes, {"topology.kubernetes.io/zone", "topology.kubernetes.io/region", "absent"});
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(str(terms[0]),
            "topology.kubernetes.io/zone In z1 z2 & topology.kubernetes.io/region In r1");
}

}  // namespace
}  // namespace aqueduct::core
