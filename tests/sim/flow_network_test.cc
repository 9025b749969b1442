#include "aqueduct/sim/flow_network.h"

#include <gtest/gtest.h>

#include <map>

#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {
namespace {

using core::from_seconds;
using core::to_seconds;
using R = FlowNetwork::ResourceId;

struct Net {
  Simulator sim;
  FlowNetwork net{&sim};
  std::map<std::uint64_t, double> done_at;  // tag -> seconds
  Net() {
    net.set_done_handler([this](std::uint64_t tag) { done_at[tag] = to_seconds(sim.now()); });
  }
  FlowNetwork::FlowId start(std::vector<R> path, double bytes, double cap, std::uint64_t tag) {
    auto f = net.start(path, bytes, cap, tag);
    EXPECT_TRUE(f.ok()) << f.status().message();
    return *f;
  }
};

TEST(FlowNetwork, OneBottleneckSharesEqually) {
  Net n;
  R link = n.net.add_resource(10);
  auto a = n.start({link}, 1e6, FlowNetwork::kUnlimited, 1);
  auto b = n.start({link}, 1e6, FlowNetwork::kUnlimited, 2);
  auto c = n.start({link}, 1e6, FlowNetwork::kUnlimited, 3);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 10.0 / 3);
  EXPECT_DOUBLE_EQ(n.net.rate(b), 10.0 / 3);
  EXPECT_DOUBLE_EQ(n.net.rate(c), 10.0 / 3);
  EXPECT_NEAR(n.net.load(link), 10, 1e-9);
}

TEST(FlowNetwork, ParkingLot) {
  // A crosses L1 and L2; B only L1; C only L2. L1 (1) is the bottleneck of A
  // and B at 0.5 each; C takes what A leaves of L2 (2): 1.5.
  Net n;
  R l1 = n.net.add_resource(1), l2 = n.net.add_resource(2);
  auto a = n.start({l1, l2}, 100, FlowNetwork::kUnlimited, 1);
  auto b = n.start({l1}, 100, FlowNetwork::kUnlimited, 2);
  auto c = n.start({l2}, 100, FlowNetwork::kUnlimited, 3);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 0.5);
  EXPECT_DOUBLE_EQ(n.net.rate(b), 0.5);
  EXPECT_DOUBLE_EQ(n.net.rate(c), 1.5);
}

TEST(FlowNetwork, ClassicParkingLotOfThreeLinks) {
  // One long flow over three unit links, one short flow per link: all 0.5.
  Net n;
  R l[3] = {n.net.add_resource(1), n.net.add_resource(1), n.net.add_resource(1)};
  auto lng = n.start({l[0], l[1], l[2]}, 10, FlowNetwork::kUnlimited, 0);
  std::vector<FlowNetwork::FlowId> sh;
  for (int i = 0; i < 3; ++i) sh.push_back(n.start({l[i]}, 10, FlowNetwork::kUnlimited, i + 1));
  EXPECT_DOUBLE_EQ(n.net.rate(lng), 0.5);
  for (auto f : sh) EXPECT_DOUBLE_EQ(n.net.rate(f), 0.5);
}

TEST(FlowNetwork, PerConnectionCapsLeaveTheRestToOthers) {
  Net n;
  R link = n.net.add_resource(10);
  auto a = n.start({link}, 100, 1, 1);
  auto b = n.start({link}, 100, 2, 2);
  auto c = n.start({link}, 100, FlowNetwork::kUnlimited, 3);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 1);
  EXPECT_DOUBLE_EQ(n.net.rate(b), 2);
  EXPECT_DOUBLE_EQ(n.net.rate(c), 7);
  // A flow over unlimited resources only runs at its cap.
  R wide = n.net.add_resource(FlowNetwork::kUnlimited);
  auto d = n.start({wide}, 100, 4, 4);
  EXPECT_DOUBLE_EQ(n.net.rate(d), 4);
}

TEST(FlowNetwork, FlowsJoiningAndLeavingReshareAndReplan) {
  // A (100 B) alone at 10 B/s from t=0; B (20 B) joins at t=5: both at 5 B/s.
  // B ends at t=9 (20/5); A has 100-50-20 = 30 B left, alone again: ends at 12.
  Net n;
  R link = n.net.add_resource(10);
  n.start({link}, 100, FlowNetwork::kUnlimited, 1);
  n.sim.schedule_at(from_seconds(5), [&] { n.start({link}, 20, FlowNetwork::kUnlimited, 2); });
  n.sim.run();
  EXPECT_NEAR(n.done_at[2], 9.0, 1e-8);
  EXPECT_NEAR(n.done_at[1], 12.0, 1e-8);
  EXPECT_EQ(n.net.active_flows(), 0u);
}

TEST(FlowNetwork, FlowsOnOnePathShareABundleAndFinishInOrder) {
  // Three flows on one path: one bundle at 10/3 each. The 10 B flow ends at
  // t=3; the other two then get 5 each: the 20 B one has 10 B left, ending at
  // t=5; the last (30 B) has 10 B left at 10 B/s: t=6.
  Net n;
  R link = n.net.add_resource(10);
  n.start({link}, 30, FlowNetwork::kUnlimited, 3);
  n.start({link}, 10, FlowNetwork::kUnlimited, 1);
  auto mid = n.start({link}, 20, FlowNetwork::kUnlimited, 2);
  EXPECT_DOUBLE_EQ(n.net.rate(mid), 10.0 / 3);
  EXPECT_DOUBLE_EQ(n.net.load(link), 10);
  n.sim.run();
  EXPECT_NEAR(n.done_at[1], 3.0, 1e-8);
  EXPECT_NEAR(n.done_at[2], 5.0, 1e-8);
  EXPECT_NEAR(n.done_at[3], 6.0, 1e-8);
  // Same path, different caps: different bundles, still max-min.
  Net m;
  R l2 = m.net.add_resource(10);
  auto a = m.start({l2}, 100, 2, 1);
  auto b = m.start({l2}, 100, FlowNetwork::kUnlimited, 2);
  auto c = m.start({l2}, 100, FlowNetwork::kUnlimited, 3);
  EXPECT_DOUBLE_EQ(m.net.rate(a), 2);
  EXPECT_DOUBLE_EQ(m.net.rate(b), 4);
  EXPECT_DOUBLE_EQ(m.net.rate(c), 4);
  m.net.abort(b);
  EXPECT_DOUBLE_EQ(m.net.rate(c), 8);
  EXPECT_NEAR(m.net.remaining(c), 100, 1e-9);
}

TEST(FlowNetwork, ResourcesThatCannotSaturateCoupleNothing) {
  // Two buckets, one shared NIC of 100. Capped reads (cap 10) through the NIC
  // cannot saturate it: each bucket's flows are solved alone.
  Net n;
  R b1 = n.net.add_resource(15), b2 = n.net.add_resource(15), nic = n.net.add_resource(100);
  auto a = n.start({b1, nic}, 1000, 10, 1);
  auto c = n.start({b2, nic}, 1000, 10, 2);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 10);
  auto before = n.net.stats().bundles_touched;
  auto a2 = n.start({b1}, 1000, 10, 3);                   // shares bucket 1 only
  EXPECT_EQ(n.net.stats().bundles_touched - before, 2u);  // bucket 1's bundles, not bucket 2's
  EXPECT_DOUBLE_EQ(n.net.rate(a), 7.5);
  EXPECT_DOUBLE_EQ(n.net.rate(a2), 7.5);
  EXPECT_DOUBLE_EQ(n.net.rate(c), 10);
  // An uncapped flow can saturate the NIC: now it couples, and max-min holds.
  auto big = n.start({nic}, 1000, FlowNetwork::kUnlimited, 4);
  EXPECT_DOUBLE_EQ(n.net.rate(big), 100 - 7.5 - 10);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 7.5);
  // When it leaves, the NIC cannot saturate again; the flows it held are re-solved.
  n.net.abort(big);
  EXPECT_DOUBLE_EQ(n.net.rate(c), 10);
  EXPECT_NEAR(n.net.load(nic), 17.5, 1e-9);
}

TEST(FlowNetwork, AResourceThatCannotSaturateStillLimitsItsFlow) {
  // A crosses the shared link and a 10 B/s one it has to itself (which can
  // never saturate, so it couples nothing): A gets 10, not the link's
  // share of 33.3; B and C share the remaining 90.
  Net n;
  R link = n.net.add_resource(100);
  R narrow = n.net.add_resource(10);
  auto a = n.start({link, narrow}, 1e6, FlowNetwork::kUnlimited, 1);
  auto b = n.start({link}, 1e6, FlowNetwork::kUnlimited, 2);
  auto c = n.start({link}, 1e6, FlowNetwork::kUnlimited, 3);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 10);
  EXPECT_DOUBLE_EQ(n.net.rate(b), 45);
  EXPECT_DOUBLE_EQ(n.net.rate(c), 45);
  EXPECT_LE(n.net.load(narrow), 10 * (1 + 1e-12));
}

TEST(FlowNetwork, DisjointComponentsAreNotTouched) {
  Net n;
  R x = n.net.add_resource(10), y = n.net.add_resource(10);
  n.start({x}, 100, FlowNetwork::kUnlimited, 1);
  auto before = n.net.stats().bundles_touched;
  n.start({y}, 100, FlowNetwork::kUnlimited, 2);
  EXPECT_EQ(n.net.stats().bundles_touched - before, 1u);  // only the new flow
}

TEST(FlowNetwork, AbortAndCapacityChangeReshare) {
  Net n;
  R link = n.net.add_resource(10);
  auto a = n.start({link}, 100, FlowNetwork::kUnlimited, 1);
  auto b = n.start({link}, 100, FlowNetwork::kUnlimited, 2);
  n.net.abort(b);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 10);
  n.net.set_capacity(link, 4);
  EXPECT_DOUBLE_EQ(n.net.rate(a), 4);
  n.sim.run();
  EXPECT_NEAR(n.done_at[1], 25.0, 1e-8);
  EXPECT_EQ(n.done_at.count(2), 0u);
}

TEST(FlowNetwork, BadFlowsAreErrors) {
  Net n;
  R link = n.net.add_resource(10);
  EXPECT_FALSE(n.net.start(std::vector<R>{link}, 0, 1, 0).ok());
  EXPECT_FALSE(n.net.start(std::vector<R>{link}, 10, 0, 0).ok());
  EXPECT_FALSE(n.net.start(std::vector<R>{link, link}, 10, 1, 0).ok());
  EXPECT_FALSE(n.net.start(std::vector<R>{99}, 10, 1, 0).ok());
  std::vector<R> longp;
  for (int i = 0; i < 7; ++i) longp.push_back(n.net.add_resource(1));
  EXPECT_FALSE(n.net.start(longp, 10, 1, 0).ok());
}

// Max-min fairness, checked by its definition on random networks: no
// resource over capacity, and every flow is at its cap or crosses a saturated
// resource on which no flow gets more than it (its bottleneck). Flows then
// leave one by one and the property holds again after each departure.
TEST(FlowNetwork, RandomNetworksAreConservingAndMaxMinFair) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Net n;
    Rng rng = Rng::stream(seed, "flow-network-test");
    int nr = 2 + static_cast<int>(rng.below(12));
    std::vector<R> res;
    for (int i = 0; i < nr; ++i) res.push_back(n.net.add_resource(rng.uniform(1, 100)));
    struct F {
      FlowNetwork::FlowId id;
      std::vector<R> path;
      double cap;
      bool live = true;
    };
    std::vector<F> flows;
    int nf = 1 + static_cast<int>(rng.below(60));
    for (int k = 0; k < nf; ++k) {
      std::vector<R> path;
      int hops = 1 + static_cast<int>(rng.below(4));
      for (int h = 0; h < hops; ++h) {
        R r = res[rng.below(res.size())];
        if (std::find(path.begin(), path.end(), r) == path.end()) path.push_back(r);
      }
      double cap = rng.bernoulli(0.3) ? rng.uniform(0.5, 20) : FlowNetwork::kUnlimited;
      flows.push_back({n.start(path, 1e9, cap, static_cast<std::uint64_t>(k)), path, cap});
    }
    auto check = [&](const char* when) {
      for (R r : res) {
        EXPECT_LE(n.net.load(r), n.net.capacity(r) * (1 + 1e-9)) << "seed " << seed << when;
      }
      for (const F& f : flows) {
        if (!f.live) continue;
        double rate = n.net.rate(f.id);
        EXPECT_GT(rate, 0) << "seed " << seed << when;
        if (rate >= f.cap * (1 - 1e-9)) continue;
        bool bottlenecked = false;
        for (R r : f.path) {
          if (n.net.load(r) < n.net.capacity(r) * (1 - 1e-9)) continue;
          double top = 0;
          for (const F& g : flows) {
            if (g.live && std::find(g.path.begin(), g.path.end(), r) != g.path.end())
              top = std::max(top, n.net.rate(g.id));
          }
          bottlenecked = bottlenecked || rate >= top * (1 - 1e-9);
        }
        EXPECT_TRUE(bottlenecked) << "seed " << seed << when << ": a flow at " << rate
                                  << " has no bottleneck";
      }
    };
    check(" (all started)");
    for (std::size_t k = 0; k < flows.size(); k += 3) {
      n.net.abort(flows[k].id);
      flows[k].live = false;
      check(" (after a departure)");
    }
  }
}

// Max-min rates by plain progressive filling over every live flow: the
// reference the network's incremental solver must agree with.
std::vector<double> reference_rates(const std::vector<double>& capacity,
                                    const std::vector<std::vector<R>>& paths,
                                    const std::vector<double>& caps,
                                    const std::vector<bool>& live) {
  std::vector<double> rate(paths.size(), 0);
  std::vector<bool> fixed(paths.size(), false);
  std::vector<double> left = capacity;
  for (std::size_t i = 0; i < paths.size(); ++i) fixed[i] = !live[i];
  for (;;) {
    double best = FlowNetwork::kUnlimited;
    for (std::size_t r = 0; r < capacity.size(); ++r) {
      int n = 0;
      for (std::size_t i = 0; i < paths.size(); ++i)
        n += !fixed[i] && std::find(paths[i].begin(), paths[i].end(), r) != paths[i].end();
      if (n > 0) best = std::min(best, left[r] / n);
    }
    for (std::size_t i = 0; i < paths.size(); ++i)
      if (!fixed[i]) best = std::min(best, caps[i]);
    if (!(best < FlowNetwork::kUnlimited)) break;
    // Fix the flows held at `best`: capped there, or crossing a resource whose share it is.
    bool any = false;
    std::vector<bool> hold(paths.size(), false);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (fixed[i]) continue;
      bool h = caps[i] <= best * (1 + 1e-12);
      for (R r : paths[i]) {
        int n = 0;
        for (std::size_t k = 0; k < paths.size(); ++k)
          n += !fixed[k] && std::find(paths[k].begin(), paths[k].end(), r) != paths[k].end();
        h = h || left[r] / n <= best * (1 + 1e-12);
      }
      hold[i] = h;
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (!hold[i]) continue;
      fixed[i] = true;
      rate[i] = best;
      any = true;
      for (R r : paths[i]) left[r] = std::max(0.0, left[r] - best);
    }
    if (!any) break;
  }
  return rate;
}

// Flows of random sizes arriving at random times on random networks: every
// completion time agrees with a plain fluid simulation that re-solves
// max-min from scratch between consecutive events.
TEST(FlowNetwork, RandomCompletionTimesMatchAFluidReference) {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    Net n;
    Rng rng = Rng::stream(seed, "flow-network-completions");
    int nr = 1 + static_cast<int>(rng.below(6));
    std::vector<R> res;
    std::vector<double> capacity;
    for (int i = 0; i < nr; ++i) {
      capacity.push_back(rng.uniform(5, 50));
      res.push_back(n.net.add_resource(capacity.back()));
    }
    int nf = 2 + static_cast<int>(rng.below(40));
    std::vector<std::vector<R>> paths;
    std::vector<double> caps, bytes, arrive;
    for (int k = 0; k < nf; ++k) {
      std::vector<R> path;
      // Few distinct paths, so flows share bundles and resources' fair shares.
      int hops = 1 + static_cast<int>(rng.below(2));
      for (int h = 0; h < hops; ++h) {
        R r = res[rng.below(std::min<std::size_t>(res.size(), 3))];
        if (std::find(path.begin(), path.end(), r) == path.end()) path.push_back(r);
      }
      paths.push_back(path);
      caps.push_back(rng.bernoulli(0.3) ? rng.uniform(1, 20) : FlowNetwork::kUnlimited);
      bytes.push_back(rng.uniform(10, 400));
      arrive.push_back(std::floor(rng.uniform(0, 30)));  // whole seconds: some arrive together
    }
    for (int k = 0; k < nf; ++k) {
      n.sim.schedule_at(from_seconds(arrive[k]), [&n, &paths, &caps, &bytes, k] {
        n.start(paths[k], bytes[k], caps[k], static_cast<std::uint64_t>(k));
      });
    }
    n.sim.run();
    // The reference: piecewise-constant rates between arrivals and completions.
    std::vector<double> left = bytes, done(nf, -1);
    std::vector<bool> live(nf, false);
    double t = 0;
    for (;;) {
      for (int k = 0; k < nf; ++k)
        if (arrive[k] <= t + 1e-12 && done[k] < 0 && !live[k]) live[k] = true;
      std::vector<double> rate = reference_rates(capacity, paths, caps, live);
      double next = FlowNetwork::kUnlimited;
      for (int k = 0; k < nf; ++k) {
        if (live[k]) next = std::min(next, t + left[k] / rate[k]);
        if (!live[k] && done[k] < 0) next = std::min(next, arrive[k]);
      }
      if (!(next < FlowNetwork::kUnlimited)) break;
      for (int k = 0; k < nf; ++k) {
        if (!live[k]) continue;
        left[k] -= rate[k] * (next - t);
        if (left[k] <= 1e-7 * bytes[k]) {
          live[k] = false;
          done[k] = next;
        }
      }
      t = next;
    }
    for (int k = 0; k < nf; ++k) {
      ASSERT_TRUE(n.done_at.count(static_cast<std::uint64_t>(k))) << "seed " << seed;
      EXPECT_NEAR(n.done_at[static_cast<std::uint64_t>(k)], done[k], 1e-6 * std::max(1.0, done[k]))
          << "seed " << seed << " flow " << k;
    }
  }
}

}  // namespace
}  // namespace aqueduct::sim
