// -o table|json|yaml|csv rendering and "-" (standard input) as a command's input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "aqueduct/core/yaml/yaml_json.h"
#include "input_files.h"
#include "output_format.h"
#include "support/temp_dir.h"

namespace aqueduct::cli {
namespace {

using nlohmann::ordered_json;

ordered_json sample_rows() {
  return ordered_json::parse(R"([
    {"name": "a,b", "n": 1, "x": 0.5, "ok": true, "none": null, "tags": ["p", "q"]},
    {"name": "say \"hi\"\nthen", "n": 2, "x": 1e-9, "ok": false, "none": null, "tags": []}
  ])");
}

std::string render(const ordered_json& rows, OutputFormat f,
                   const std::vector<std::string>& columns = {}) {
  std::ostringstream os;
  write_rows(rows, f, os, columns);
  return os.str();
}

TEST(OutputFormat, NamesParse) {
  EXPECT_EQ(parse_output_format("json"), OutputFormat::kJson);
  EXPECT_EQ(parse_output_format("yaml"), OutputFormat::kYaml);
  EXPECT_EQ(parse_output_format("csv"), OutputFormat::kCsv);
  EXPECT_EQ(parse_output_format("table"), OutputFormat::kTable);
}

TEST(OutputFormat, CsvQuotesAsRfc4180AndLeavesNullEmpty) {
  EXPECT_EQ(render(sample_rows(), OutputFormat::kCsv),
            "name,n,x,ok,none,tags\n"
            "\"a,b\",1,0.5,true,,p;q\n"
            "\"say \"\"hi\"\"\nthen\",2,1e-09,false,,\n");
}

TEST(OutputFormat, CsvWithoutRowsStillHasItsHeader) {
  EXPECT_EQ(render(ordered_json::array(), OutputFormat::kCsv, {"file", "line"}), "file,line\n");
  EXPECT_EQ(render(ordered_json::array(), OutputFormat::kJson), "[]\n");
  EXPECT_EQ(render(ordered_json::array(), OutputFormat::kYaml), "[]\n");
}

TEST(OutputFormat, JsonAndYamlReadBackToTheSameRows) {
  const ordered_json rows = sample_rows();
  EXPECT_EQ(ordered_json::parse(render(rows, OutputFormat::kJson)), rows);
  auto docs = core::parse_yaml_documents_as_json(render(rows, OutputFormat::kYaml), "yaml");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0], rows);
}

TEST(InputFiles, DashReadsStandardInputOnce) {
  std::istringstream in("kind: Pod\n");
  InputFiles inputs(in);
  auto first = inputs.read("-");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "kind: Pod\n");
  auto second = inputs.read("-");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("already read"), std::string::npos);
}

TEST(InputFiles, FilesByPathAndMissingOnesNamed) {
  aqueduct::testing::TempDir dir;
  std::istringstream in;
  InputFiles inputs(in);
  auto text = inputs.read(dir.write("a.yaml", "x: 1\n"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "x: 1\n");
  auto missing = inputs.read(dir.file("nope.yaml"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.yaml"), std::string::npos)
      << missing.status().message();
  EXPECT_EQ(input_name("-"), "<stdin>");
  EXPECT_EQ(input_name("a.yaml"), "a.yaml");
}

TEST(InputFiles, OneDashPerCommand) {
  EXPECT_TRUE(check_one_stdin({"a.yaml", "-"}, "-f").is_ok());
  auto st = check_one_stdin({"-", "b.yaml", "-"}, "-f and --objects");
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(), "-f and --objects: standard input (-) can be given only once");
}

}  // namespace
}  // namespace aqueduct::cli
