// Gavel's max-min allocation LP (Narayanan et al., "Heterogeneity-Aware
// Cluster Scheduling Policies for Deep Learning Workloads", OSDI'20, §4.1):
// x[m][j] is the share of time job m runs on GPU type j. It maximizes
// min_m sum_j value[m][j] * x[m][j] subject to
//   sum_j x[m][j] <= 1                (a job runs on one type at a time)
//   sum_m gpus[m] * x[m][j] <= cap[j] (a type's GPUs)
//   x >= 0, and x[m][j] = 0 where value[m][j] <= 0 (the job cannot run there).
// Among the allocations with that minimum, a second LP takes the one with the
// largest total value, so no GPU time is left idle that some job could use
// (a single LP leaves that choice to the solver). Solved with GLPK's simplex:
// the same problem gives the same answer.
#pragma once

#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::core {

struct MaxMinProblem {
  int jobs = 0;
  int types = 0;
  std::vector<double> value;     // jobs x types, row-major: job m's normalized rate on type j
  std::vector<double> gpus;      // per job: GPUs it takes while it runs
  std::vector<double> capacity;  // per type: GPUs
};

struct MaxMinAllocation {
  std::vector<double> x;  // jobs x types, row-major
  double min_value = 0;   // the objective: the worst-off job's value
};

// Jobs whose value is 0 on every type are left out of the minimum (they get
// nothing). An error only for a malformed problem (sizes, negative numbers)
// or a solver failure.
Result<MaxMinAllocation> solve_max_min(const MaxMinProblem& p);

}  // namespace aqueduct::core
