// SiloD-style joint cache and GPU allocation: the cache plan, the speed
// estimate, the order it gives, and the checks on cache_bytes decisions.
#include <gtest/gtest.h>

#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/tiered_store.h"
#include "aqueduct/core/jobs/job_policies.h"

namespace aqueduct::core {
namespace {

constexpr std::int64_t kGi = 1LL << 30;
constexpr double kMiBs = 1 << 20;

JobObservation job(const std::string& id, const std::string& dataset, double demand_mibs,
                   double duration_s, JobStatus st = JobStatus::kQueued, double gpus = 1) {
  JobObservation j;
  j.id = id;
  j.dataset = dataset;
  j.io_demand_bps = demand_mibs * kMiBs;
  j.duration_s = duration_s;
  j.status = st;
  j.gpus = gpus;
  return j;
}

DatasetCacheObservation dataset(const std::string& name, std::int64_t size, std::int64_t cache,
                                std::int64_t cached = 0) {
  DatasetCacheObservation d;
  d.dataset = name;
  d.size_bytes = size;
  d.full_bytes = size;  // an even spread, no watermark: the size holds it all
  d.cache_bytes = cache;
  d.cached_bytes = cached;
  return d;
}

std::unique_ptr<JobPolicy> silod(JobPolicyArgs args = {}) {
  auto p = SiloDPolicy::create(args);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(*p) : nullptr;
}

TEST(SiloDPolicy, CacheGoesToTheDatasetsThatSaveTheMostRemoteBytesPerCachedByte) {
  // Budget 30Gi. Demand per byte: small 100 MiB/s over 10Gi (10/Gi), big
  // 400 MiB/s over 100Gi (4/Gi), cold 10 MiB/s over 5Gi (2/Gi). Greedy: small
  // whole (10Gi), then big the remaining 20Gi; cold nothing.
  JobSnapshot s;
  s.total_gpus = s.free_gpus = 8;
  s.cache_budget_bytes = 30 * kGi;
  s.datasets = {dataset("big", 100 * kGi, 10 * kGi), dataset("cold", 5 * kGi, 10 * kGi),
                dataset("small", 10 * kGi, 10 * kGi)};
  s.jobs = {job("a", "big", 400, 100), job("b", "small", 100, 100), job("c", "cold", 10, 100)};
  auto plan = SiloDPolicy::cache_plan(s, {0, 1, 2});
  EXPECT_EQ(plan.at("small"), 10 * kGi);
  EXPECT_EQ(plan.at("big"), 20 * kGi);
  EXPECT_EQ(plan.at("cold"), 0);
  // Without big's job among the readers, small and cold are cached whole
  // and big keeps only what it holds.
  s.datasets[0].cached_bytes = 3 * kGi;
  plan = SiloDPolicy::cache_plan(s, {1, 2});
  EXPECT_EQ(plan.at("small"), 10 * kGi);
  EXPECT_EQ(plan.at("cold"), 5 * kGi);
  EXPECT_EQ(plan.at("big"), 3 * kGi);
  std::int64_t total = 0;
  for (const auto& [ds, bytes] : plan) total += bytes;
  EXPECT_LE(total, s.cache_budget_bytes);
}

TEST(SiloDPolicy, TheStoreSlowsOnlyTheJobsThatReadFromIt) {
  // 100 MiB/s of store bandwidth; a fully cached job reads nothing remotely,
  // two uncached jobs want 150 MiB/s each: both run at 100 / 300 of full speed.
  JobSnapshot s;
  s.total_gpus = s.free_gpus = 8;
  s.store_bandwidth_bps = 100 * kMiBs;
  s.cache_budget_bytes = 10 * kGi;
  s.datasets = {dataset("cached", 10 * kGi, 10 * kGi), dataset("remote", 50 * kGi, 0)};
  s.jobs = {job("hot", "cached", 150, 100), job("r1", "remote", 150, 100),
            job("r2", "remote", 150, 100), job("cpu", "", 0, 100)};
  std::map<std::string, std::int64_t, std::less<>> cache = {{"cached", 10 * kGi}, {"remote", 0}};
  auto v = SiloDPolicy::speeds(s, {0, 1, 2, 3}, cache);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_DOUBLE_EQ(v[0], 1.0);
  EXPECT_DOUBLE_EQ(v[1], 100.0 / 300);
  EXPECT_DOUBLE_EQ(v[2], 100.0 / 300);
  EXPECT_DOUBLE_EQ(v[3], 1.0);
  // Half of "remote" cached: they fetch 75 MiB/s each, 150 in all: 2/3 speed.
  cache["remote"] = 25 * kGi;
  v = SiloDPolicy::speeds(s, {0, 1, 2, 3}, cache);
  EXPECT_DOUBLE_EQ(v[1], 100.0 / 150);
}

TEST(SiloDPolicy, AJobWhoseDataIsCachedGoesBeforeAShorterOneTheStoreWouldSlow) {
  // One free GPU. "short" needs 60 s at full speed but reads a dataset the
  // cache cannot hold next to the running job's; "cached" needs 100 s from a
  // fully cached dataset. SJF alone runs short first; SiloD's estimate puts
  // short at 1/4 speed (240 s) behind cached.
  JobSnapshot s;
  s.total_gpus = 2;
  s.free_gpus = 1;
  s.store_bandwidth_bps = 100 * kMiBs;
  s.cache_budget_bytes = 10 * kGi;
  s.datasets = {dataset("hot", 10 * kGi, 10 * kGi, 10 * kGi), dataset("far", 500 * kGi, 0)};
  s.jobs = {job("running", "far", 300, 1000, JobStatus::kRunning), job("short", "far", 100, 60),
            job("cached", "hot", 100, 100)};
  auto sjf = ShortestJobPolicy::create({}, false);
  ASSERT_TRUE(sjf.ok());
  auto base = (*sjf)->decide(s);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->run_order, (std::vector<std::string>{"short", "cached", "running"}));
  auto p = silod();
  auto d = p->decide(s);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_GE(d->run_order.size(), 2u);
  EXPECT_EQ(d->run_order[0], "cached");
  EXPECT_EQ(d->run_order[1], "short");
  EXPECT_TRUE(d->preempt.empty());
  // The cache: hot is read by the job that starts (demand per byte 10/Gi
  // against far's 0.8/Gi): all of it; far the rest, nothing.
  EXPECT_EQ(d->cache_bytes.at("hot"), 10 * kGi);
  EXPECT_EQ(d->cache_bytes.at("far"), 0);
  EXPECT_TRUE(validate_job_decision("silod", s, *d).is_ok());
  // With base: fifo the order is arrival order.
  auto f = silod({{"base", "fifo"}});
  auto fd = f->decide(s);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(fd->run_order, (std::vector<std::string>{"running", "short", "cached"}));
}

TEST(SiloDPolicy, CacheDecisionsAreValidated) {
  JobSnapshot s;
  s.total_gpus = s.free_gpus = 4;
  s.cache_budget_bytes = 20 * kGi;
  s.datasets = {dataset("a", 10 * kGi, 10 * kGi), dataset("b", 10 * kGi, 10 * kGi)};
  JobDecision d;
  d.cache_bytes["ghost"] = kGi;
  Status st = validate_job_decision("mine", s, d);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("job policy \"mine\": dataset \"ghost\" in cache_bytes has no "
                              "cache (datasets with one: a, b)"),
            std::string::npos)
      << st.message();
  d.cache_bytes = {{"a", -1}};
  st = validate_job_decision("mine", s, d);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("dataset \"a\" in cache_bytes is given -1 bytes"), std::string::npos)
      << st.message();
  // b keeps its 10Gi: a may have 10Gi, not 11Gi.
  d.cache_bytes = {{"a", 10 * kGi}};
  EXPECT_TRUE(validate_job_decision("mine", s, d).is_ok());
  d.cache_bytes = {{"a", 11 * kGi}};
  st = validate_job_decision("mine", s, d);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("cache budget is 21474836480"), std::string::npos) << st.message();
  d.cache_bytes = {{"a", 15 * kGi}, {"b", 5 * kGi}};
  EXPECT_TRUE(validate_job_decision("mine", s, d).is_ok());
}

TEST(SiloDPolicy, BadArgumentsAreClearErrors) {
  auto p = SiloDPolicy::create({{"base", "las"}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("base"), std::string::npos) << p.status().message();
  p = SiloDPolicy::create({{"cache", "x"}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("cache"), std::string::npos) << p.status().message();
  EXPECT_TRUE(builtin_job_policies().contains("silod"));
}

TEST(TieredStoreQuota, ASmallerQuotaEvictsAtOnceInThePolicysOrderAndZeroAdmitsNothing) {
  auto registry = builtin_eviction_policies();
  auto store = TieredStore::create({TierSpec{MediumType::kMem, 400, 1.0, 1.0}}, registry, "lru");
  ASSERT_TRUE(store.ok()) << store.status().message();
  for (std::uint64_t b = 0; b < 4; ++b) ASSERT_TRUE(store->insert(BlockKey{0, b}, 100).is_ok());
  ASSERT_TRUE(store->lookup(BlockKey{0, 0}).has_value());  // 0 is now the most recent
  store->set_quota(0, 200);
  EXPECT_EQ(store->used_bytes(), 200);
  EXPECT_TRUE(store->peek(BlockKey{0, 0}).has_value());
  EXPECT_TRUE(store->peek(BlockKey{0, 3}).has_value());
  EXPECT_FALSE(store->peek(BlockKey{0, 1}).has_value());
  EXPECT_EQ(store->dataset_bytes(0), 200);
  EXPECT_EQ(store->capacity_bytes(), 200);
  store->set_quota(0, 0);
  EXPECT_EQ(store->used_bytes(), 0);
  EXPECT_FALSE(store->insert(BlockKey{0, 9}, 100).is_ok());
  store->set_quota(0, 1000);  // grows without touching anything
  EXPECT_TRUE(store->insert(BlockKey{0, 9}, 100).is_ok());
  EXPECT_EQ(store->used_bytes(), 100);
}

}  // namespace
}  // namespace aqueduct::core
