// Private to core/src/jobs: reading job policies' string arguments.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "aqueduct/core/jobs/job_policy.h"

namespace aqueduct::core::jobs_detail {

// An error names the argument and what was expected.
Status check_known_args(const JobPolicyArgs& a, std::initializer_list<const char*> known);
Result<double> number_arg(const JobPolicyArgs& a, const std::string& key, double def, double lo,
                          double hi);
// The index of the argument's value in `choices` (the first is the default).
Result<int> choice_arg(const JobPolicyArgs& a, const std::string& key,
                       std::initializer_list<const char*> choices);
// Comma-separated positive numbers, strictly ascending.
Result<std::vector<double>> ascending_list_arg(const JobPolicyArgs& a, const std::string& key,
                                               std::vector<double> def);

}  // namespace aqueduct::core::jobs_detail
