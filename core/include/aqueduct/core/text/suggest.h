// "Did you mean ...?" for misspelled names: keys in configuration files,
// subcommands and enum values. A candidate is suggested when it is close in
// edit distance (insertions, deletions, substitutions, adjacent swaps) for the
// word's length, or differs only in case or in '-'/'_'.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aqueduct::core {

// Optimal string alignment distance (Damerau-Levenshtein without repeated
// edits of one substring).
int edit_distance(std::string_view a, std::string_view b);

// The closest candidate within the distance allowed for `word` (1 for up to
// 4 characters, 2 up to 8, 3 beyond), ties to the first; nullopt when none.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace aqueduct::core
