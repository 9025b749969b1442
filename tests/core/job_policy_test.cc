#include <gtest/gtest.h>

#include "aqueduct/core/jobs/job_policies.h"

namespace aqueduct::core {
namespace {

JobObservation job(std::string id, double arrival, double gpus, JobStatus st = JobStatus::kQueued) {
  JobObservation j;
  j.id = std::move(id);
  j.arrival = from_seconds(arrival);
  j.gpus = gpus;
  j.status = st;
  j.queued_since_s = arrival;
  return j;
}

JobSnapshot snapshot(double now, double total, std::vector<JobObservation> jobs) {
  JobSnapshot s;
  s.now = from_seconds(now);
  s.total_gpus = total;
  s.free_gpus = total;
  for (const auto& j : jobs) {
    if (j.status != JobStatus::kQueued) s.free_gpus -= j.gpus;
  }
  s.jobs = std::move(jobs);
  return s;
}

std::unique_ptr<JobPolicy> make(const std::string& name, JobPolicyArgs args = {}) {
  auto p = builtin_job_policies().create(name, args);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return std::move(*p);
}

using Ids = std::vector<std::string>;

TEST(JobPolicy, FifoListsJobsByArrivalAndNeverPreempts) {
  auto s =
      snapshot(100, 8, {job("a", 0, 8, JobStatus::kRunning), job("b", 10, 4), job("c", 20, 1)});
  auto d = make("fifo")->decide(s);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"a", "b", "c"}));
  EXPECT_TRUE(d->preempt.empty());
  EXPECT_FALSE(d->wake_at.has_value());
}

TEST(JobPolicy, SjfOrdersByGpuTimeAndPutsUnknownDurationsLast) {
  auto a = job("a", 0, 1), b = job("b", 1, 4), c = job("c", 2, 1), u = job("u", 3, 1);
  a.duration_s = 1000;  // 1,000 GPU-s
  b.duration_s = 100;   // 400 GPU-s
  c.duration_s = 400;   // 400 GPU-s: ties with b, later arrival
  auto s = snapshot(10, 8, {u, a, b, c});
  s.jobs[0].arrival = from_seconds(0);  // u arrived first but has no duration
  auto d = make("sjf")->decide(s);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"b", "c", "a", "u"}));
  auto by_time = make("sjf", {{"by", "time"}})->decide(s);
  EXPECT_EQ(by_time->run_order, (Ids{"b", "c", "a", "u"}));
  s.jobs[3].duration_s = 50;  // c: shortest in time, 50 GPU-s
  EXPECT_EQ(make("sjf", {{"by", "time"}})->decide(s)->run_order, (Ids{"c", "b", "a", "u"}));
}

TEST(JobPolicy, SrtfPreemptsTheLongestRemainingWhenAShortJobArrives) {
  auto long_job = job("long", 0, 8, JobStatus::kRunning);
  long_job.duration_s = 10000;
  long_job.progress = 0.5;  // 5,000 s x 8 GPUs left
  auto short_job = job("short", 100, 4);
  short_job.duration_s = 600;
  auto d = make("srtf")->decide(snapshot(100, 8, {long_job, short_job}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"short"}));  // "long" no longer fits beside it
  EXPECT_EQ(d->preempt, (Ids{"long"}));
  // SJF is not preemptive: the long job keeps running.
  auto sjf = make("sjf")->decide(snapshot(100, 8, {long_job, short_job}));
  EXPECT_TRUE(sjf->preempt.empty());
}

TEST(JobPolicy, LasQueuesByAttainedGpuServiceAgainstItsThresholds) {
  auto las = TiresiasLasPolicy::create({{"thresholds", "3600, 36000"}});
  ASSERT_TRUE(las.ok());
  auto* p = static_cast<TiresiasLasPolicy*>(las->get());
  auto j = job("a", 0, 4, JobStatus::kRunning);
  j.attained_gpu_s = 3599;
  EXPECT_EQ(p->queue_of(j), 0);
  j.attained_gpu_s = 3600;  // 900 s on 4 GPUs: demoted
  EXPECT_EQ(p->queue_of(j), 1);
  j.attained_gpu_s = 36000;
  EXPECT_EQ(p->queue_of(j), 2);
  // 1D LAS counts time, not GPU-time.
  auto las1 = TiresiasLasPolicy::create({{"thresholds", "3600"}, {"by", "time"}});
  j.attained_gpu_s = 4 * 1000.0;
  j.executed_s = 1000;
  EXPECT_EQ(static_cast<TiresiasLasPolicy*>(las1->get())->queue_of(j), 0);
}

TEST(JobPolicy, LasPreemptsADemotedJobForANewOneAndWakesAtTheNextThreshold) {
  auto old_job = job("old", 0, 8, JobStatus::kRunning);
  old_job.attained_gpu_s = 8 * 500.0;  // past 3,600: queue 1
  old_job.executed_s = 500;
  auto fresh = job("new", 500, 8);
  auto d = make("las")->decide(snapshot(500, 8, {old_job, fresh}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"new"}));
  EXPECT_EQ(d->preempt, (Ids{"old"}));
  // Alone, a 2-GPU job with 1,000 GPU-s crosses 3,600 after 1,300 s.
  auto solo = job("solo", 0, 2, JobStatus::kRunning);
  solo.attained_gpu_s = 1000;
  auto w = make("las")->decide(snapshot(100, 8, {solo}));
  ASSERT_TRUE(w->wake_at.has_value());
  EXPECT_NEAR(to_seconds(*w->wake_at), 1400, 1e-3);
  EXPECT_GT(*w->wake_at, from_seconds(1400));  // rounded up past the instant
  EXPECT_TRUE(w->preempt.empty());
}

TEST(JobPolicy, LasWithinAQueueIsFifoAndBackfillsWhatFits) {
  auto a = job("a", 0, 6), b = job("b", 1, 4), c = job("c", 2, 2);
  auto d = make("las")->decide(snapshot(5, 8, {a, b, c}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"a", "c"}));  // b does not fit beside a; c does
}

TEST(JobPolicy, LasPromotesAStarvedJobBehindTheRunningJobsOfTheFirstQueue) {
  auto policy = make("las", {{"promote", "1"}});
  auto starved = job("starved", 0, 8);
  starved.attained_gpu_s = 8 * 600.0;  // queue 1
  starved.executed_s = 600;
  starved.queued_since_s = 1000;
  auto runner = job("runner", 900, 1, JobStatus::kRunning);  // queue 0 until 3,600 GPU-s
  runner.attained_gpu_s = 200;
  runner.executed_s = 200;
  auto d = policy->decide(snapshot(1100, 8, {starved, runner}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"runner"}));
  // Promotion is due at 1,000 + 1 x 600 = 1,600 s; the runner's threshold at 1,100 + 3,400.
  EXPECT_NEAR(to_seconds(*d->wake_at), 1600, 1e-3);
  // Promoted, it enters the first queue behind the running job, which a
  // queue never preempts for its own waiting jobs (Tiresias' queue order).
  runner.attained_gpu_s = runner.executed_s = 700;
  d = policy->decide(snapshot(1600, 8, {starved, runner}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"runner"}));
  EXPECT_TRUE(d->preempt.empty());
  EXPECT_NEAR(to_seconds(*d->wake_at), 1600 + 2900, 1e-3);
  // Demoted, the runner leaves the first queue to the promoted job.
  runner.attained_gpu_s = runner.executed_s = 3600;
  d = policy->decide(snapshot(4500.001, 8, {starved, runner}));
  EXPECT_EQ(d->run_order, (Ids{"starved"}));
  EXPECT_EQ(d->preempt, (Ids{"runner"}));
}

TEST(JobPolicy, LasPutsADemotedJobBehindTheJobsAlreadyInItsQueue) {
  auto policy = make("las");
  auto old_job = job("old", 0, 8);
  old_job.attained_gpu_s = 8 * 1000.0;  // queue 1, waiting
  old_job.executed_s = 1000;
  auto young = job("young", 50, 8, JobStatus::kRunning);
  young.attained_gpu_s = 8 * 400.0;  // queue 0 until 450 s
  young.executed_s = 400;
  auto d = policy->decide(snapshot(2000, 8, {old_job, young}));
  EXPECT_EQ(d->run_order, (Ids{"young"}));
  young.attained_gpu_s = 8 * 450.0;
  d = policy->decide(snapshot(2050, 8, {old_job, young}));
  EXPECT_EQ(d->run_order, (Ids{"old"}));
  EXPECT_EQ(d->preempt, (Ids{"young"}));
}

TEST(JobPolicy, ThemisFinishTimeFairnessByHand) {
  // 8 GPUs, 2 jobs: the fair share is 4 GPUs. A 1-GPU job of 100 s that has
  // waited 300 s: rho = (300 + 100) / 100 = 4. An 8-GPU job of 1,000 s, half
  // done, 600 s after arrival: T_ideal = 1,000 x 8/4 = 2,000, rho = (600 +
  // 500) / 2,000 = 0.55.
  auto small = job("small", 0, 1);
  small.duration_s = 100;
  auto big = job("big", 0, 8, JobStatus::kRunning);
  big.duration_s = 1000;
  big.progress = 0.5;
  auto s = snapshot(300, 8, {big, small});
  s.jobs[1].arrival = from_seconds(0);
  s.jobs[0].arrival = from_seconds(-300);
  EXPECT_NEAR(ThemisPolicy::rho(s.jobs[1], 300, 2, 8), 4.0, 1e-9);
  EXPECT_NEAR(ThemisPolicy::rho(s.jobs[0], 300, 2, 8), 0.55, 1e-9);
  auto policy = make("themis", {{"f", "0.5"}});
  // Between rounds the lease holds: no preemption, the small job waits.
  s.trigger = JobSnapshot::Trigger::kArrival;
  auto d = policy->decide(s);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->run_order, (Ids{"small", "big"}));
  EXPECT_TRUE(d->preempt.empty());
  // At a round the worst-off job gets the GPUs and the big one is preempted.
  s.trigger = JobSnapshot::Trigger::kRound;
  d = policy->decide(s);
  EXPECT_EQ(d->run_order, (Ids{"small"}));
  EXPECT_EQ(d->preempt, (Ids{"big"}));
  EXPECT_FALSE(builtin_job_policies().create("themis", {{"f", "1.5"}}).ok());
}

TEST(JobPolicy, SuspendingJobsHoldTheirGpus) {
  auto s = snapshot(0, 8, {job("s", 0, 4, JobStatus::kSuspending), job("a", 1, 4), job("b", 2, 4)});
  auto d = decision_from_priority(s, {0, 1, 2}, true);
  EXPECT_EQ(d.run_order, (Ids{"a"}));
  EXPECT_TRUE(d.preempt.empty());
}

TEST(JobPolicy, ImpossibleDecisionsNameThePolicyAndTheJob) {
  auto s = snapshot(0, 8, {job("a", 0, 4, JobStatus::kRunning), job("big", 1, 16), job("q", 2, 1)});
  JobDecision d;
  d.run_order = {"ghost"};
  auto st = validate_job_decision("mine", s, d);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("job policy \"mine\": job \"ghost\""), std::string::npos)
      << st.message();
  d.run_order = {"big"};
  st = validate_job_decision("mine", s, d);
  EXPECT_NE(st.message().find("\"big\" in run_order asks for 16"), std::string::npos)
      << st.message();
  d.run_order = {"q", "q"};
  EXPECT_NE(validate_job_decision("mine", s, d).message().find("twice"), std::string::npos);
  d.run_order = {};
  d.preempt = {"q"};
  EXPECT_NE(validate_job_decision("mine", s, d).message().find("\"q\" in preempt is queued"),
            std::string::npos);
  d.preempt = {"a"};
  EXPECT_TRUE(validate_job_decision("mine", s, d).is_ok());
  d.wake_at = from_seconds(-1);
  EXPECT_FALSE(validate_job_decision("mine", s, d).is_ok());
}

TEST(JobPolicy, BadArgumentsAreClearErrors) {
  auto reg = builtin_job_policies();
  auto r = reg.create("las", {{"thresholds", "3600,100"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("thresholds: expected positive numbers in ascending"),
            std::string::npos)
      << r.status().message();
  r = reg.create("fifo", {{"x", "1"}});
  EXPECT_NE(r.status().message().find("unknown argument \"x\""), std::string::npos);
  r = reg.create("srtf", {{"by", "cost"}});
  EXPECT_NE(r.status().message().find("by: expected one of gpu-time, time"), std::string::npos);
  r = reg.create("lass", {});
  EXPECT_NE(r.status().message().find("did you mean"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace aqueduct::core
