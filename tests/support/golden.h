// Golden files for renderings: tests/data/golden/<file> holds the whole
// expected JSON. AQ_UPDATE_GOLDEN=1 writes it anew after a deliberate change
// (the test then skips, saying so; review the diff before committing).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace aqueduct::testing {

inline void expect_golden(const nlohmann::ordered_json& got, const std::string& file) {
  const std::string path = std::string(AQ_SOURCE_DIR) + "/tests/data/golden/" + file;
  if (std::getenv("AQ_UPDATE_GOLDEN")) {
    std::ofstream(path) << got.dump(2) << "\n";
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing (AQ_UPDATE_GOLDEN=1 writes it)";
  const auto want = nlohmann::ordered_json::parse(in);
  EXPECT_EQ(got.dump(2), want.dump(2)) << "the rendering differs from " << path;
}

}  // namespace aqueduct::testing
