#include "aqueduct/core/text/suggest.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0);
  EXPECT_EQ(edit_distance("cache", "cache"), 0);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);  // two substitutions, one insertion
  EXPECT_EQ(edit_distance("cahce", "cache"), 1);     // adjacent swap
  EXPECT_EQ(edit_distance("seed", "sed"), 1);
  EXPECT_EQ(edit_distance("ca", "abc"), 3);  // optimal string alignment, not full Damerau
}

TEST(ClosestMatch, SuggestsANearNameAndNothingFar) {
  const std::vector<std::string> keys = {"cluster", "cache", "policies", "workload", "seed"};
  EXPECT_EQ(closest_match("cahce", keys), "cache");
  EXPECT_EQ(closest_match("polcies", keys), "policies");
  EXPECT_EQ(closest_match("workloads", keys), "workload");
  EXPECT_EQ(closest_match("sed", keys), "seed");
  EXPECT_EQ(closest_match("network", keys), std::nullopt);
  EXPECT_EQ(closest_match("x", keys), std::nullopt);
}

TEST(ClosestMatch, SuggestsAnotherFormOfTheSameWord) {
  const std::vector<std::string> known = {"--policy", "--size", "--trace"};
  EXPECT_EQ(closest_match("--policies", known), "--policy");
  EXPECT_EQ(closest_match("sizes", {"size", "seed"}), "size");
  EXPECT_FALSE(closest_match("polar", {"policy"}).has_value())
      << "a short shared start is not a stem";
}

TEST(ClosestMatch, IgnoresCaseAndSeparators) {
  const std::vector<std::string> keys = {"nodePools", "pageCache"};
  EXPECT_EQ(closest_match("node_pools", keys), "nodePools");
  EXPECT_EQ(closest_match("page-cache", keys), "pageCache");
  EXPECT_EQ(closest_match("NODEPOOLS", keys), "nodePools");
}

TEST(ClosestMatch, NeverSuggestsTheWordItself) {
  EXPECT_EQ(closest_match("cache", {"cache"}), std::nullopt);
  EXPECT_EQ(did_you_mean("cache", {"cache", "caches"}), " (did you mean \"caches\"?)");
  EXPECT_EQ(did_you_mean("zzz", {"cache"}), "");
}

}  // namespace
}  // namespace aqueduct::core
