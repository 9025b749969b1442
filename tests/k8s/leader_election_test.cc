// Leader election on a Lease, against the fake API server: one leader at a
// time, takeover after a crash within the lease duration, prompt handover on
// a clean stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "aqueduct/k8s/leader_election.h"
#include "support/k8s_testing.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::eventually;
using aqueduct::testing::FakeApiServer;
using namespace std::chrono_literals;

struct Watcher {
  std::atomic<int> leaders{0}, most{0};
  LeaderElector::Callbacks callbacks() {
    return {[this] {
              int n = ++leaders;
              int m = most;
              while (n > m && !most.compare_exchange_weak(m, n)) {
              }
            },
            [this] { --leaders; }};
  }
};

LeaderElectionConfig config(const std::string& id, bool release = true) {
  LeaderElectionConfig c;
  c.identity = id;
  c.lease_duration = 800ms;
  c.renew_deadline = 500ms;
  c.retry_period = 100ms;
  c.release_on_stop = release;
  return c;
}

TEST(LeaderElection, OneLeaderTakeoverAfterACrashAndHandoverOnStop) {
  FakeApiServer api;
  ClusterConfig cc;
  cc.server = api.url();
  auto client = ApiClient::create(cc);
  ASSERT_TRUE(client.ok());
  Watcher w;
  auto a = std::make_unique<LeaderElector>(**client, config("a", /*release=*/false), w.callbacks());
  LeaderElector b(**client, config("b"), w.callbacks());
  a->start();
  ASSERT_TRUE(eventually([&] { return a->is_leader(); }, 3000ms));
  b.start();
  std::this_thread::sleep_for(1200ms);  // longer than the lease: a keeps renewing
  EXPECT_TRUE(a->is_leader());
  EXPECT_FALSE(b.is_leader());

  // a crashes (no release): b takes over once the lease has run out.
  auto crashed = std::chrono::steady_clock::now();
  a->stop();
  a.reset();
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }, 3000ms));
  auto took = std::chrono::steady_clock::now() - crashed;
  EXPECT_GE(took, 600ms) << "not before the lease could have run out";
  EXPECT_LT(took, 800ms + 400ms + 500ms) << "within the lease duration plus a few retry periods";

  // A clean stop hands the lease back: c takes it at its next try.
  LeaderElector c(**client, config("c"), w.callbacks());
  c.start();
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(c.is_leader());
  auto stopped = std::chrono::steady_clock::now();
  b.stop();
  ASSERT_TRUE(eventually([&] { return c.is_leader(); }, 3000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 600ms);
  c.stop();
  EXPECT_EQ(w.most.load(), 1) << "never two leaders at once";
  Json lease = api.get("coordination.k8s.io/v1/leases", "aqueduct-system", "aqueduct-controller");
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 2);
  EXPECT_EQ(lease["spec"]["holderIdentity"], "") << "released by c's clean stop";
}

TEST(LeaderElection, ALeaderThatCannotRenewStepsDown) {
  FakeApiServer api;
  ClusterConfig cc;
  cc.server = api.url();
  auto client = ApiClient::create(cc);
  ASSERT_TRUE(client.ok());
  Watcher w;
  LeaderElector a(**client, config("a"), w.callbacks());
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }, 3000ms));
  api.fail_next(1000000, 503);  // the apiserver goes away
  ASSERT_TRUE(eventually([&] { return !a.is_leader(); }, 2000ms)) << "past the renew deadline";
  api.fail_next(0, 0);
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }, 3000ms)) << "and leads again once it can";
  a.stop();
}

}  // namespace
}  // namespace aqueduct::k8s
