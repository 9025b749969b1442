#include "aqueduct/core/log/logger.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace aqueduct::core {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(Logger, TextLinesNameTheTimeLevelAndComponent) {
  std::ostringstream out;
  Logger log("webhook", {}, &out);
  log.info("serving on 127.0.0.1:9443");
  log.warn("slow request");
  log.debug("not shown at info");
  auto l = lines(out.str());
  ASSERT_EQ(l.size(), 2u);
  // 2026-12-06T00:16:02.123Z info webhook: serving on 127.0.0.1:9443
  ASSERT_GE(l[0].size(), 25u);
  EXPECT_EQ(l[0][10], 'T');
  EXPECT_EQ(l[0][23], 'Z');
  EXPECT_EQ(l[0].substr(25), "info webhook: serving on 127.0.0.1:9443");
  EXPECT_EQ(l[1].substr(25), "warn webhook: slow request");
}

TEST(Logger, JsonLinesStayValidWhateverTheMessage) {
  std::ostringstream out;
  Logger log("worker", {LogLevel::kDebug, LogFormat::kJson}, &out);
  log.debug("quote \" backslash \\ newline \n tab \t and bad UTF-8 \xff\xfe");
  log.error("plain");
  auto l = lines(out.str());
  ASSERT_EQ(l.size(), 2u) << "a newline in a message must not split the line";
  auto j = nlohmann::json::parse(l[0]);
  EXPECT_EQ(j["level"], "debug");
  EXPECT_EQ(j["component"], "worker");
  EXPECT_NE(j["msg"].get<std::string>().find("quote \" backslash \\ newline \n tab"),
            std::string::npos);
  EXPECT_EQ(j["time"].get<std::string>().size(), 24u);
  EXPECT_EQ(nlohmann::json::parse(l[1])["level"], "error");
}

TEST(Logger, LevelsFilterAndComponentsShareTheSink) {
  std::ostringstream out;
  Logger log("controller", {LogLevel::kWarn, LogFormat::kText}, &out);
  Logger k8s = log.with_component("k8s");
  log.info("hidden");
  k8s.info("hidden too");
  k8s.error("lease lost");
  EXPECT_FALSE(k8s.enabled(LogLevel::kInfo));
  EXPECT_TRUE(k8s.enabled(LogLevel::kError));
  auto l = lines(out.str());
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].substr(25), "error k8s: lease lost");
  Logger off("x", {LogLevel::kOff, LogFormat::kText}, &out);
  off.error("nothing");
  EXPECT_EQ(lines(out.str()).size(), 1u);
}

TEST(Logger, OptionsParseOrNameTheAllowedValues) {
  EXPECT_EQ(*parse_log_level("warn"), LogLevel::kWarn);
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  auto bad = parse_log_level("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("debug, info, warn, error or off"), std::string::npos);
  EXPECT_FALSE(parse_log_format("xml").ok());
}

}  // namespace
}  // namespace aqueduct::core
