// The built-in job-level policies (job_policy.h). Each states its paper and
// the arguments it takes (all optional; strings as in YAML).
#pragma once

#include <vector>

#include "aqueduct/core/jobs/job_policy.h"

namespace aqueduct::core {

// First in, first out by arrival; no preemption. With `backfill` (default
// true) later jobs start around one that does not fit; without, the first job
// that does not fit blocks the queue (the YARN-CS baseline of Tiresias'
// evaluation, Gu et al., NSDI'19, §6.1). Args: backfill (true/false).
class FifoJobPolicy final : public JobPolicy {
 public:
  static Result<std::unique_ptr<JobPolicy>> create(const JobPolicyArgs& args);
  std::string_view name() const override { return "fifo"; }
  Result<JobDecision> decide(const JobSnapshot& s) override;

 private:
  bool backfill_ = true;
};

// Shortest job first (non-preemptive) or shortest remaining time first
// (preemptive), by GPU-time: gpus x duration (SJF) or gpus x remaining
// duration (SRTF), as in Tiresias' SRTF baseline (Gu et al., NSDI'19, §6).
// Needs known durations; jobs without one sort after those with one, by
// arrival. Args: `by` = "gpu-time" (default) or "time".
class ShortestJobPolicy final : public JobPolicy {
 public:
  static Result<std::unique_ptr<JobPolicy>> create(const JobPolicyArgs& args, bool preemptive);
  std::string_view name() const override { return preemptive_ ? "srtf" : "sjf"; }
  Result<JobDecision> decide(const JobSnapshot& s) override;

 private:
  bool preemptive_ = false;
  bool gpu_time_ = true;
};

// Tiresias' discretized two-dimensional least-attained-service (2D-LAS;
// Gu et al., "Tiresias: A GPU Cluster Manager for Distributed Deep
// Learning", NSDI'19, §4.2): a job's priority queue is the number of
// `thresholds` its attained service (GPU-seconds) has reached; lower queues
// first; preemptive across queues. Within a queue, as in Tiresias' own
// simulator: jobs in the order they entered it (arrival, demotion or
// promotion), running jobs ahead of waiting ones, so a queue never preempts
// its own jobs. Starvation guard (the paper's PromoteKnob): a queued job that
// has waited `promote` times its executed time goes back to the first queue
// with its service counted from there (0 = off). Needs no job durations.
// Args: thresholds (GPU-seconds, comma-separated, ascending; default "3600",
// Tiresias' two queues), promote (default 0), by ("gpu-time" for 2D-LAS,
// "time" for Tiresias' 1D LAS on executed time).
class TiresiasLasPolicy final : public JobPolicy {
 public:
  static Result<std::unique_ptr<JobPolicy>> create(const JobPolicyArgs& args);
  std::string_view name() const override { return "las"; }
  Result<JobDecision> decide(const JobSnapshot& s) override;
  // The queue a job is in now (0 = highest priority).
  int queue_of(const JobObservation& j) const;

 private:
  double service(const JobObservation& j) const;
  std::vector<double> thresholds_{3600};
  double promote_ = 0;
  bool gpu_time_ = true;
  // Service a job had when it was last promoted to the first queue: its
  // queue counts service from there (Tiresias resets it on promotion).
  std::map<std::string, double, std::less<>> promoted_at_;
  // Each queue's jobs in order; where each job is.
  std::vector<std::vector<std::string>> queues_;
  std::map<std::string, int, std::less<>> where_;
};

// Themis-style finish-time fairness (Mahajan et al., "Themis: Fair and
// Efficient GPU Cluster Scheduling", NSDI'20). A job's finish-time fairness
// is rho = T_shared / T_ideal: T_shared is its time since arrival plus the run
// time it has left, T_ideal its run time alone scaled by how far its GPUs
// exceed a 1/N share of the cluster (N: jobs present). At every round (the
// lease: policies.jobs.round) the GPUs are offered to the 1 - f share of jobs
// with the worst rho (at least one job), then to the rest in falling rho,
// while GPUs last; jobs left out are preempted. Themis' partial-allocation
// auction is replaced by a greedy stand-in for its efficiency objective:
// within the offer, fewest GPUs first (as many worst-off jobs served as the
// GPUs allow), then worst rho. f = 1 is pure finish-time-fairness order; f = 0
// offers every job. Between rounds it only fills free GPUs, in the same
// order, and never preempts.
// Needs known durations (jobs without one are estimated from their progress;
// unknown and unstarted jobs count rho = 1). Args: f (0..1, default 0.8).
class ThemisPolicy final : public JobPolicy {
 public:
  static Result<std::unique_ptr<JobPolicy>> create(const JobPolicyArgs& args);
  std::string_view name() const override { return "themis"; }
  Result<JobDecision> decide(const JobSnapshot& s) override;
  // Finish-time fairness of job `j` among `n` jobs on `total_gpus`.
  static double rho(const JobObservation& j, double now_s, std::size_t n, double total_gpus);

 private:
  double f_ = 0.8;
};

// Gavel's heterogeneity-aware max-min fairness (Narayanan et al.,
// "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", OSDI'20; its LAS policy). The allocation X[m][j], the share of
// time job m should run on GPU type j, maximizes the worst job's throughput
// relative to an equal 1/N share of every type (max_min_lp.h), weighted by
// its GPUs so jobs get equal GPU-time, and is recomputed at the first round
// after the set of jobs changed. Gavel's round mechanism then turns X into
// placements: at every round (policies.jobs.round), job m's priority on type
// j is X[m][j] over the share of time it got there since the allocation was
// computed (X x 1e9 while it got none); type by type (fastest first), jobs
// are taken in falling priority while the type's GPUs last, each job on at
// most one type. Running jobs left out or given another type are preempted;
// queued jobs start pinned to their type. Between rounds it only fills free
// GPUs, in the same order, and never preempts (Gavel leaves them idle until
// the round ends; `fill: false` does too).
// Args: aware (true: the jobs' per-type speeds; false: every type counts the
// same, Gavel's heterogeneity-agnostic max-min, with the types' order
// shuffled every round as Gavel does), fill (true/false), seed (for that
// shuffle, default 0).
class GavelPolicy final : public JobPolicy {
 public:
  static Result<std::unique_ptr<JobPolicy>> create(const JobPolicyArgs& args);
  std::string_view name() const override { return "gavel"; }
  Result<JobDecision> decide(const JobSnapshot& s) override;
  // The LP's allocation for the jobs of `s`: per job (snapshot order), the
  // share of time on each of s.gpu_types (one column "" when it has none).
  static Result<std::vector<std::vector<double>>> allocation(const JobSnapshot& s, bool aware);

 private:
  struct TypeView {
    std::string name;  // "" when the cluster has no typed nodes
    double total = 0;
    double free = 0;
  };
  static std::vector<TypeView> types_of(const JobSnapshot& s);
  static double speed(const JobObservation& j, const std::string& type);
  void account(const JobSnapshot& s, const std::vector<TypeView>& types);
  std::vector<int> type_order(const JobSnapshot& s, const std::vector<TypeView>& types);

  bool aware_ = true;
  bool fill_ = true;
  std::uint64_t rng_state_ = 0;
  bool stale_ = true;  // the set of jobs changed since the allocation
  std::vector<std::string> type_names_;
  std::map<std::string, std::vector<double>, std::less<>> alloc_;    // per job, per type
  std::map<std::string, std::vector<double>, std::less<>> time_on_;  // seconds per type since reset
  std::map<std::string, double, std::less<>> last_executed_;
  std::map<std::string, std::string, std::less<>> plan_;  // the last round's placements
  double reset_at_ = 0;
};

// SiloD-style joint cache and GPU allocation (Zhao et al., "SiloD: A
// Co-design of Caching and Scheduling for Deep Learning Clusters",
// EuroSys'23). SiloD's estimator for a job reading dataset k under uniform
// caching (cached blocks stay for the job's life, so each epoch hits a
// c_k / d_k share): it needs remote I/O demand x (1 - c_k / d_k), and when the
// remote store's bandwidth B cannot carry all jobs' remote I/O, every job
// that reads remotely slows by B / (their total). With it:
// - cache: every cached dataset is given a share of the cluster's cache
//   budget, greedily by remote bytes/s saved per cached byte (the running
//   and starting jobs' I/O demand on it over its size), each up to its size;
//   datasets no running job reads keep what they hold, most-demanded first,
//   while the budget lasts;
// - GPUs: the base policy's order with the estimator's speeds (each job's
//   dataset cached as a plan for every job's demand would cache it, the
//   store shared by the jobs the base order runs): `base: sjf` (default)
//   runs the job with the least estimated GPU-time left first, so jobs whose
//   data are cached go ahead of ones the store would slow; `base: fifo`
//   keeps arrival order. Non-preemptive, as the base policies.
// The cache-oblivious baseline is the base policy alone (`sjf`, `fifo`),
// with each runtime's configured quota. Args: base (sjf/fifo).
class SiloDPolicy final : public JobPolicy {
 public:
  static Result<std::unique_ptr<JobPolicy>> create(const JobPolicyArgs& args);
  std::string_view name() const override { return "silod"; }
  Result<JobDecision> decide(const JobSnapshot& s) override;
  // Cache capacities (every dataset of s.datasets) for the jobs of
  // `running` (indexes into s.jobs) reading now, within s.cache_budget_bytes.
  static std::map<std::string, std::int64_t, std::less<>> cache_plan(
      const JobSnapshot& s, const std::vector<int>& running);
  // The estimator: each job's speed (0..1 of its I/O-bound full speed) when
  // the jobs of `running` read with caches `cache` (jobs without input: 1).
  static std::vector<double> speeds(const JobSnapshot& s, const std::vector<int>& running,
                                    const std::map<std::string, std::int64_t, std::less<>>& cache);

 private:
  std::vector<int> order(const JobSnapshot& s, const std::vector<double>& speed) const;
  bool sjf_ = true;
};

}  // namespace aqueduct::core
