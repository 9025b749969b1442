// Joint placement: the min-cost-flow assignment against brute force on small
// random cases, and the joint site choice against brute force over all sites.
#include "aqueduct/scheduler/joint_placement.h"

#include <gtest/gtest.h>

#include <functional>

#include "support/fake_cluster.h"

namespace aqueduct::scheduler {
namespace {

using testing::FakeClusterView;
using testing::NodeBuilder;
using testing::PodBuilder;

struct Lcg {  // tiny deterministic generator for test cases
  std::uint64_t s;
  std::uint64_t next(std::uint64_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % n;
  }
};

std::unique_ptr<Framework> filters() {
  return std::move(Framework::create(default_profile(), builtin_plugins())).value();
}

// Best (most placed, then least cost) assignment by exhaustive search.
std::pair<int, std::int64_t> brute(const FakeClusterView& v, const std::vector<core::Pod>& pods,
                                   const std::vector<DatasetSites>& sites, JointPlacer& jp) {
  const std::size_t n = v.nodes().size();
  std::vector<core::Resources> used(n);
  for (std::size_t i = 0; i < n; ++i) used[i] = v.nodes()[i].requested;
  std::pair<int, std::int64_t> best{-1, 0};
  std::function<void(std::size_t, int, std::int64_t)> rec = [&](std::size_t k, int placed,
                                                                std::int64_t cost) {
    if (k == pods.size()) {
      if (placed > best.first || (placed == best.first && cost < best.second))
        best = {placed, cost};
      return;
    }
    rec(k + 1, placed, cost);  // leave pod k unplaced
    core::Resources r = pods[k].requests();
    for (std::size_t i = 0; i < n; ++i) {
      if (!(v.nodes()[i].node->allocatable - used[i]).fits(r)) continue;
      used[i] += r;
      rec(k + 1, placed + 1, cost + jp.cost(v, pods[k], i, sites));
      used[i] -= r;
    }
  };
  rec(0, 0, 0);
  return best;
}

FakeClusterView random_cluster(Lcg& rng, int nodes) {
  FakeClusterView v;
  for (int i = 0; i < nodes; ++i) {
    v.add_node(NodeBuilder("n" + std::to_string(i))
                   .cpu(64)
                   .mem_gi(512)
                   .gpu(static_cast<std::int64_t>(1 + rng.next(2)))
                   .zone("z" + std::to_string(i % 2))
                   .region("r0")
                   .price(static_cast<double>(rng.next(20)))
                   .build());
  }
  v.add_dataset("a");
  v.add_dataset("b");
  return v;
}

std::vector<core::Pod> random_pods(Lcg& rng, int count) {
  std::vector<core::Pod> pods;
  for (int k = 0; k < count; ++k) {
    PodBuilder b("p" + std::to_string(k));
    b.cpu(1).gpu(1);
    std::uint64_t d = rng.next(3);
    if (d == 1) b.claim("a");
    if (d == 2) b.claim("b");
    pods.push_back(b.build());
  }
  return pods;
}

TEST(JointPlacement, AssignmentIsOptimalAgainstBruteForce) {
  auto fw = filters();
  JointPlacer jp(*fw);
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Lcg rng{seed};
    FakeClusterView v = random_cluster(rng, 4);
    std::vector<core::Pod> pods = random_pods(rng, 5);
    std::vector<DatasetSites> sites{{0, {rng.next(4)}, false, {}}, {1, {rng.next(4)}, false, {}}};
    std::vector<const core::Pod*> ptrs;
    for (const auto& p : pods) ptrs.push_back(&p);
    JointResult r = jp.assign(v, ptrs, sites);
    auto [placed, cost] = brute(v, pods, sites, jp);
    EXPECT_EQ(r.placed, placed) << "seed " << seed;
    EXPECT_EQ(r.cost, cost) << "seed " << seed;
  }
}

TEST(JointPlacement, MovesColdWorkersToWhereJobsRun) {
  // Two zones. The only GPUs are in zone z1; the cold cache worker sits in z0.
  FakeClusterView v;
  v.add_node(NodeBuilder("cpu-0").cpu(64).mem_gi(256).zone("z0").region("r").build());
  v.add_node(NodeBuilder("gpu-1").cpu(64).mem_gi(256).gpu(4).zone("z1").region("r").build());
  v.add_node(NodeBuilder("gpu-2").cpu(64).mem_gi(256).gpu(4).zone("z1").region("r").build());
  v.add_dataset("a");
  std::vector<core::Pod> pods;
  for (int k = 0; k < 3; ++k)
    pods.push_back(PodBuilder("p" + std::to_string(k)).cpu(1).gpu(1).claim("a").build());
  std::vector<const core::Pod*> ptrs;
  for (const auto& p : pods) ptrs.push_back(&p);
  auto fw = filters();
  JointPlacer jp(*fw);
  std::vector<DatasetSites> fixed{{0, {0}, false, {0, 1, 2}}};
  JointResult before = jp.place(v, ptrs, fixed);
  EXPECT_EQ(before.cost, 3 * 80);  // same region only
  std::vector<DatasetSites> movable{{0, {0}, true, {0, 1, 2}}};
  JointResult after = jp.place(v, ptrs, movable);
  EXPECT_EQ(after.placed, 3);
  EXPECT_EQ(after.sites[0].workers, (std::vector<std::size_t>{1}));
  EXPECT_EQ(after.cost, 0 + 0 + 0 + 50 - 50) << "all three pods fit on gpu-1 with the worker";
  EXPECT_GE(after.rounds, 2);
}

TEST(JointPlacement, JointSitesAgainstBruteForceOverAllSites) {
  auto fw = filters();
  JointPlacer jp(*fw);
  int matched = 0, cases = 0;
  for (std::uint64_t seed = 100; seed < 130; ++seed) {
    Lcg rng{seed};
    FakeClusterView v = random_cluster(rng, 4);
    std::vector<core::Pod> pods = random_pods(rng, 4);
    std::vector<const core::Pod*> ptrs;
    for (const auto& p : pods) ptrs.push_back(&p);
    std::vector<DatasetSites> start{{0, {0}, true, {0, 1, 2, 3}}, {1, {3}, true, {0, 1, 2, 3}}};
    JointResult joint = jp.place(v, ptrs, start);
    JointResult initial = jp.assign(v, ptrs, start);
    // Never worse than the optimal assignment for the starting sites.
    EXPECT_TRUE(joint.placed > initial.placed ||
                (joint.placed == initial.placed && joint.cost <= initial.cost))
        << "seed " << seed;
    // Brute force: every pair of sites, each with its optimal assignment.
    std::pair<int, std::int64_t> best{-1, 0};
    for (std::size_t a = 0; a < 4; ++a) {
      for (std::size_t b = 0; b < 4; ++b) {
        std::vector<DatasetSites> s{{0, {a}, false, {}}, {1, {b}, false, {}}};
        auto r = brute(v, pods, s, jp);
        if (r.first > best.first || (r.first == best.first && r.second < best.second)) best = r;
      }
    }
    EXPECT_GE(joint.cost, best.second);
    ++cases;
    matched += joint.placed == best.first && joint.cost == best.second;
  }
  // The local search reaches the optimum in most small cases (27 of 30 here).
  EXPECT_GE(matched, cases * 4 / 5) << matched << " of " << cases;
  std::printf("joint placement matched the brute-force optimum in %d of %d cases\n", matched,
              cases);
}

}  // namespace
}  // namespace aqueduct::scheduler
