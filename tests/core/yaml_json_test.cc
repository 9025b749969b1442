#include "aqueduct/core/yaml/yaml_json.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

TEST(YamlJson, ScalarsResolveLikeKubernetes) {
  auto docs = parse_yaml_documents_as_json(
      "a: true\nb: \"true\"\nc: 5\nd: '5'\ne: 1.5\nf: ~\ng: hello\nh: [1, x]\n---\n---\nz: 1\n",
      "t.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status().to_string();
  ASSERT_EQ(docs->size(), 2u);
  const auto& j = (*docs)[0];
  EXPECT_EQ(j["a"], true);
  EXPECT_EQ(j["b"], "true");
  EXPECT_EQ(j["c"], 5);
  EXPECT_EQ(j["d"], "5");
  EXPECT_EQ(j["e"], 1.5);
  EXPECT_TRUE(j["f"].is_null());
  EXPECT_EQ(j["g"], "hello");
  EXPECT_EQ(j["h"][1], "x");
}

TEST(YamlJson, PrintingKeepsTypesAndOrder) {
  auto docs = parse_yaml_documents_as_json(
      "zeta: \"true\"\nalpha: \"5\"\nyes_word: \"yes\"\nlist: []\nmap: {}\nn: null\nnum: 7\n"
      "multi: \"a\\nb\"\n",
      "t.yaml");
  ASSERT_TRUE(docs.ok());
  std::string text = json_to_yaml_text((*docs)[0]);
  EXPECT_EQ(text.find("zeta"), 0u) << text;  // input order kept
  auto again = parse_yaml_documents_as_json(text, "again.yaml");
  ASSERT_TRUE(again.ok()) << text;
  EXPECT_EQ((*again)[0], (*docs)[0]) << text;
}

TEST(YamlJson, SyntaxErrorsNameFileAndLine) {
  auto docs = parse_yaml_documents_as_json("a: 1\nb: [1, 2\n", "broken.yaml");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.status().message().find("broken.yaml:"), std::string::npos);
}

}  // namespace
}  // namespace aqueduct::core
