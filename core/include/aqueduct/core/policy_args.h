// Reading the string arguments of policies (autoscalers, job policies): each
// helper returns the default when the key is absent and an error naming the
// argument and what was expected when the value is wrong.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::core {

using PolicyArgs = std::map<std::string, std::string>;

// Every key is one of `known` or starts with one of `prefixes`.
Status check_known_args(const PolicyArgs& a, std::initializer_list<const char*> known,
                        std::initializer_list<const char*> prefixes = {});
Result<double> number_arg(const PolicyArgs& a, const std::string& key, double def, double lo,
                          double hi);
// The index of the argument's value in `choices` (the first is the default).
Result<int> choice_arg(const PolicyArgs& a, const std::string& key,
                       std::initializer_list<const char*> choices);
// Comma-separated positive numbers, strictly ascending.
Result<std::vector<double>> ascending_list_arg(const PolicyArgs& a, const std::string& key,
                                               std::vector<double> def);

}  // namespace aqueduct::core
