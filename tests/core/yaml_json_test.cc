#include "aqueduct/core/yaml/yaml_json.h"

#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include "aqueduct/core/yaml/input_limits.h"
#include "support/temp_dir.h"

namespace aqueduct::core {
namespace {

using aqueduct::testing::read_file;
using aqueduct::testing::source_path;

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

// Regression from fuzzing (tests/fuzz/crashers/*/flow-entry-starts-document):
// yaml-cpp 0.7 loops forever, allocating empty documents, on a document whose
// first token is ",". It is now a syntax error naming the line.
TEST(YamlJson, AFlowEntryStartingADocumentIsAnErrorNotAHang) {
  for (const char* text : {",", " , q}]", "a: b\n---\n, c", "&x ,"}) {
    auto docs = parse_yaml_documents_as_json(text, "f.yaml");
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_NE(docs.status().message().find("cannot start with \",\""), std::string::npos)
        << docs.status().message();
  }
  auto loop = find_yaml_parser_loop("a: b\n---\n, c");
  ASSERT_TRUE(loop.has_value());
  EXPECT_EQ(loop->line, 3);
  EXPECT_FALSE(find_yaml_parser_loop("a: [1, 2]\n---\nb: {c: d, e: f}\n").has_value());
}

// Regressions: a self-referencing alias once crashed `inject`, and an alias
// bomb took minutes and gigabytes.
TEST(YamlJson, AliasCyclesAndBombsAreErrorsNotCrashes) {
  auto cyc = parse_yaml_documents_as_json("a: 1\nx: &x {y: *x}\n", "cycle.yaml");
  ASSERT_FALSE(cyc.ok());
  EXPECT_NE(cyc.status().message().find("cycle.yaml:2"), std::string::npos)
      << cyc.status().message();
  EXPECT_NE(cyc.status().message().find("self-referencing alias"), std::string::npos);
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
  }
  auto b = parse_yaml_documents_as_json(bomb, "bomb.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("alias bomb"), std::string::npos) << b.status().message();
  // Aliases used as intended still work.
  auto ok = parse_yaml_documents_as_json("base: &b {cpu: 1}\nx: *b\ny: *b\n", "ok.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ((*ok)[0]["y"]["cpu"], 1);
}

// Regression (found by fuzzing pod_yaml): a 3 KB alias bomb that expands to
// just under the million-node limit took 1.7 s and, under the sanitizers on a
// busy machine, over a minute. What aliases add is now limited on its own;
// as many nodes written out in full are still accepted.
TEST(InputLimits, WhatAliasesAddIsLimitedApartFromWhatIsWritten) {
  InputLimits small;
  small.max_alias_nodes = 1000;
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [";
  for (int i = 0; i < 110; ++i) bomb += std::string(i ? ", " : "") + "*a";
  bomb += "]\n";
  auto parsed = YAML::Load(bomb);
  auto v = find_yaml_limit_violation(parsed, small);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->line, 1) << "the anchor whose copies pass the limit";
  EXPECT_NE(v->what.find("aliases expand to more than 1000 nodes"), std::string::npos) << v->what;
  std::string written = "b: [";
  for (int i = 0; i < 110; ++i)
    written += std::string(i ? ", " : "") + "[x, x, x, x, x, x, x, x, x, x]";
  written += "]\n";
  EXPECT_FALSE(find_yaml_limit_violation(YAML::Load(written), small).has_value());
  // The fuzzer's input, with the default limits, through the parser.
  auto fuzzed = parse_yaml_documents_as_json(
      read_file(source_path("tests/fuzz/crashers/pod_yaml/alias-bomb-just-under-a-million-nodes")),
      "bomb.yaml");
  ASSERT_FALSE(fuzzed.ok());
  EXPECT_NE(fuzzed.status().message().find("aliases expand to more than 100000 nodes"),
            std::string::npos)
      << fuzzed.status().message();
}

TEST(InputLimits, DeepNestingIsRefusedInYamlAndJson) {
  std::string deep = "a: " + std::string(1000, '[') + std::string(1000, ']') + "\n";
  auto y = parse_yaml_documents_as_json(deep, "deep.yaml");
  ASSERT_FALSE(y.ok());
  Status j = check_json_limits(std::string(600, '[') + std::string(600, ']'), "body");
  EXPECT_NE(j.message().find("nesting deeper than 512 levels at byte 512"), std::string::npos)
      << j.message();
  EXPECT_TRUE(check_json_limits(R"({"a": "[[[[\"[[[", "b": [[1]]})", "body").is_ok());
  InputLimits small;
  small.max_bytes = 4;
  EXPECT_FALSE(check_json_limits("12345", "body", small).is_ok());
}

}  // namespace
}  // namespace aqueduct::core
