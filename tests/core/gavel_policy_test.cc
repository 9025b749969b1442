// Gavel's max-min LP against brute force, its allocations and round
// mechanism on hand-checked cases, and GPU-type decisions' validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "aqueduct/core/jobs/job_policies.h"
#include "aqueduct/core/jobs/max_min_lp.h"

namespace aqueduct::core {
namespace {

using Ids = std::vector<std::string>;

double job_value(const MaxMinProblem& p, const std::vector<double>& x, int m) {
  double v = 0;
  for (int j = 0; j < p.types; ++j) v += p.value[m * p.types + j] * x[m * p.types + j];
  return v;
}

// The LP's constraints, including: no time on a type with fewer GPUs than
// the job takes (it could never be placed there).
bool feasible(const MaxMinProblem& p, const std::vector<double>& x) {
  for (int m = 0; m < p.jobs; ++m) {
    double t = 0;
    for (int j = 0; j < p.types; ++j) {
      t += x[m * p.types + j];
      if (x[m * p.types + j] > 0 && p.gpus[m] > p.capacity[j]) return false;
    }
    if (t > 1 + 1e-9) return false;
  }
  for (int j = 0; j < p.types; ++j) {
    double g = 0;
    for (int m = 0; m < p.jobs; ++m) g += p.gpus[m] * x[m * p.types + j];
    if (g > p.capacity[j] + 1e-9) return false;
  }
  return true;
}

double worst(const MaxMinProblem& p, const std::vector<double>& x) {
  double w = 1e300;
  for (int m = 0; m < p.jobs; ++m) w = std::min(w, job_value(p, x, m));
  return w;
}

// The best minimum over every allocation on a grid of `steps` per variable.
double brute_force(const MaxMinProblem& p, int steps) {
  std::vector<double> x(p.value.size(), 0.0);
  double best = 0;
  std::function<void(std::size_t)> go = [&](std::size_t i) {
    if (i == x.size()) {
      if (feasible(p, x)) best = std::max(best, worst(p, x));
      return;
    }
    for (int k = 0; k <= steps; ++k) {
      x[i] = static_cast<double>(k) / steps;
      go(i + 1);
    }
  };
  go(0);
  return best;
}

TEST(MaxMinLp, NoGridAllocationBeatsTheLpOnTinyProblems) {
  std::vector<MaxMinProblem> problems = {
      {2, 2, {1.6, 0.4, 1.0, 1.0}, {1, 1}, {1, 1}},
      {2, 2, {3.0, 1.0, 2.0, 2.0}, {2, 1}, {2, 2}},
      {3, 2, {4.0, 1.0, 1.2, 1.0, 2.0, 0.5}, {1, 1, 1}, {1, 2}},
      {3, 2, {1.0, 0.0, 1.0, 1.0, 0.5, 3.0}, {1, 2, 1}, {2, 1}},
  };
  for (const auto& p : problems) {
    auto a = solve_max_min(p);
    ASSERT_TRUE(a.ok()) << a.status().message();
    SCOPED_TRACE(::testing::Message() << "problem with " << p.jobs << " jobs, values " << p.value[0]
                                      << "," << p.value[1]);
    ASSERT_TRUE(feasible(p, a->x));
    EXPECT_NEAR(worst(p, a->x), a->min_value, 1e-7);
    const int steps = p.value.size() <= 4 ? 40 : 10;
    const double grid = brute_force(p, steps);
    EXPECT_GE(a->min_value, grid - 1e-9);  // the LP is never beaten
    // ...and the grid comes close (within one grid step of the optimum).
    const double lipschitz = *std::max_element(p.value.begin(), p.value.end()) * p.types;
    EXPECT_LE(a->min_value, grid + lipschitz / steps + 1e-9);
  }
}

TEST(MaxMinLp, TimeTheMinimumDoesNotNeedGoesToWhoCanUseIt) {
  // a and b can only run on type 0 (1 GPU): 0.5 each. c runs on type 1
  // alone: any share >= 0.5 keeps the minimum, and the second stage gives it
  // all of it rather than leaving the GPU idle.
  MaxMinProblem p{3, 2, {1, 0, 1, 0, 0, 1}, {1, 1, 1}, {1, 1}};
  auto a = solve_max_min(p);
  ASSERT_TRUE(a.ok());
  EXPECT_NEAR(a->min_value, 0.5, 1e-9);
  EXPECT_NEAR(a->x[0], 0.5, 1e-9);
  EXPECT_NEAR(a->x[2], 0.5, 1e-9);
  EXPECT_NEAR(a->x[5], 1.0, 1e-9);
}

TEST(MaxMinLp, JobsThatFitNowhereGetNothingAndMalformedProblemsAreErrors) {
  MaxMinProblem p{2, 1, {1, 1}, {1, 4}, {2}};  // the second job needs 4 GPUs of 2
  auto a = solve_max_min(p);
  ASSERT_TRUE(a.ok());
  EXPECT_NEAR(a->x[0], 1.0, 1e-9);
  EXPECT_EQ(a->x[1], 0.0);
  EXPECT_FALSE(solve_max_min({2, 1, {1}, {1, 1}, {1}}).ok());
  EXPECT_FALSE(solve_max_min({1, 1, {-1}, {1}, {1}}).ok());
  EXPECT_FALSE(solve_max_min({1, 1, {1}, {0}, {1}}).ok());
}

JobObservation job(std::string id, double gpus, std::map<std::string, double, std::less<>> speed,
                   JobStatus st = JobStatus::kQueued) {
  JobObservation j;
  j.id = std::move(id);
  j.gpus = gpus;
  j.status = st;
  j.speed_by_type = std::move(speed);
  return j;
}

JobSnapshot typed(double now, std::vector<JobObservation> jobs, std::vector<GpuTypeCapacity> types,
                  JobSnapshot::Trigger trigger) {
  JobSnapshot s;
  s.now = from_seconds(now);
  s.trigger = trigger;
  s.gpu_types = std::move(types);
  for (auto& t : s.gpu_types) {
    s.total_gpus += t.total;
    t.free = t.total;
    for (const auto& j : jobs) {
      if (j.status != JobStatus::kQueued && j.gpu_type == t.name) t.free -= j.gpus;
    }
    s.free_gpus += t.free;
  }
  s.jobs = std::move(jobs);
  return s;
}

std::unique_ptr<JobPolicy> gavel(JobPolicyArgs args = {}) {
  auto p = builtin_job_policies().create("gavel", args);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return std::move(*p);
}

TEST(GavelPolicy, AwareAllocationGivesTheFastTypeToTheJobThatGainsFromIt) {
  // "a" runs 4x faster on v100 than on k80; "b" runs the same on both. Equal
  // shares give a 2.5 and b 1; b cannot do better than 1, and the fairest
  // allocation that wastes nothing puts a on the v100 and b on the k80.
  auto s =
      typed(0, {job("a", 1, {{"v100", 4}, {"k80", 1}}), job("b", 1, {{"v100", 1}, {"k80", 1}})},
            {{"k80", 1, 1}, {"v100", 1, 1}}, JobSnapshot::Trigger::kRound);
  auto x = GavelPolicy::allocation(s, true);
  ASSERT_TRUE(x.ok());
  EXPECT_NEAR((*x)[0][1], 1.0, 1e-9);  // a: v100
  EXPECT_NEAR((*x)[0][0], 0.0, 1e-9);
  EXPECT_NEAR((*x)[1][0], 1.0, 1e-9);  // b: k80
  auto d = gavel()->decide(s);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->gpu_type.at("a"), "v100");
  EXPECT_EQ(d->gpu_type.at("b"), "k80");
  EXPECT_TRUE(validate_job_decision("gavel", s, *d).is_ok());
  // Agnostic: both types count the same, so each job gets a full share of time.
  auto y = GavelPolicy::allocation(s, false);
  ASSERT_TRUE(y.ok());
  EXPECT_NEAR((*y)[0][0] + (*y)[0][1], 1.0, 1e-9);
  EXPECT_NEAR((*y)[1][0] + (*y)[1][1], 1.0, 1e-9);
}

TEST(GavelPolicy, RoundsAlternateJobsThatShareOneGpuByTheirPriority) {
  // One untyped GPU, two 1-GPU jobs: X = 0.5 each. Round 0: both have had
  // nothing (priority X x 1e9): a first, by arrival. Round 1 (360 s): a got
  // the whole time (priority 0.5), b none: b runs, a is preempted.
  auto p = gavel();
  JobSnapshot s;
  s.total_gpus = 1;
  s.free_gpus = 1;
  s.trigger = JobSnapshot::Trigger::kRound;
  s.jobs = {job("a", 1, {}), job("b", 1, {})};
  auto d0 = p->decide(s);
  ASSERT_TRUE(d0.ok());
  EXPECT_EQ(d0->run_order, (Ids{"a"}));
  EXPECT_TRUE(d0->preempt.empty());
  EXPECT_TRUE(d0->gpu_type.empty());  // no typed nodes: nothing to pin
  s.now = from_seconds(360);
  s.jobs[0].status = JobStatus::kRunning;
  s.jobs[0].executed_s = 360;
  s.free_gpus = 0;
  auto d1 = p->decide(s);
  ASSERT_TRUE(d1.ok());
  EXPECT_EQ(d1->run_order, (Ids{"b"}));
  EXPECT_EQ(d1->preempt, (Ids{"a"}));
  // Between rounds (a completion elsewhere) nothing is preempted.
  s.trigger = JobSnapshot::Trigger::kCompletion;
  auto d2 = p->decide(s);
  ASSERT_TRUE(d2.ok());
  EXPECT_TRUE(d2->preempt.empty());
}

TEST(GavelPolicy, ARunningJobGivenAnotherTypeIsPreemptedAndPinned) {
  // b runs on the v100, a waits: the aware allocation wants a there.
  auto a = job("a", 1, {{"v100", 4}, {"k80", 1}});
  auto b = job("b", 1, {{"v100", 1}, {"k80", 1}}, JobStatus::kRunning);
  b.gpu_type = "v100";
  auto s = typed(0, {a, b}, {{"k80", 1, 1}, {"v100", 1, 1}}, JobSnapshot::Trigger::kRound);
  auto d = gavel()->decide(s);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->preempt, (Ids{"b"}));
  EXPECT_EQ(d->gpu_type.at("a"), "v100");
  EXPECT_EQ(d->gpu_type.at("b"), "k80");
  EXPECT_TRUE(validate_job_decision("gavel", s, *d).is_ok());
}

TEST(GavelPolicy, GpuTypeDecisionsAreValidated) {
  auto run = job("r", 1, {}, JobStatus::kRunning);
  run.gpu_type = "k80";
  auto s = typed(0, {job("q", 2, {}), run}, {{"k80", 1, 1}, {"v100", 4, 4}},
                 JobSnapshot::Trigger::kRound);
  JobDecision d;
  d.gpu_type["q"] = "a100";
  auto st = validate_job_decision("mine", s, d);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("job policy \"mine\": job \"q\""), std::string::npos);
  EXPECT_NE(st.message().find("\"a100\", which no node has (the cluster has: k80, v100)"),
            std::string::npos)
      << st.message();
  d.gpu_type = {{"q", "k80"}};  // 2 GPUs on a type with 1
  st = validate_job_decision("mine", s, d);
  EXPECT_NE(st.message().find("GPU type \"k80\" has 1"), std::string::npos) << st.message();
  d.gpu_type = {{"r", "v100"}};  // moving a running job without preempting it
  st = validate_job_decision("mine", s, d);
  EXPECT_NE(st.message().find("preempt it to move it"), std::string::npos) << st.message();
  d.preempt = {"r"};
  EXPECT_TRUE(validate_job_decision("mine", s, d).is_ok());
  d = {};
  d.gpu_type = {{"ghost", "k80"}};
  EXPECT_FALSE(validate_job_decision("mine", s, d).is_ok());
}

TEST(GavelPolicy, BadArgumentsAreClearErrors) {
  auto r = builtin_job_policies().create("gavel", {{"aware", "maybe"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("aware"), std::string::npos);
  EXPECT_FALSE(builtin_job_policies().create("gavel", {{"seed", "1.5"}}).ok());
  EXPECT_FALSE(builtin_job_policies().create("gavel", {{"round", "6m"}}).ok());
}

}  // namespace
}  // namespace aqueduct::core
