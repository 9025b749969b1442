#include "aqueduct/core/log/logger.h"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <nlohmann/json.hpp>

namespace aqueduct::core {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// The message as a JSON string (quotes, control characters and invalid UTF-8
// escaped or replaced), so every line stays one valid JSON object.
class JsonMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string text(msg.payload.data(), msg.payload.size());
    std::string quoted =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessage>();
  }
};

// Level names as the options spell them ("warn", not "warning").
class LevelName final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view n = msg.level == spdlog::level::debug  ? "debug"
                         : msg.level == spdlog::level::warn ? "warn"
                         : msg.level == spdlog::level::err  ? "error"
                                                            : "info";
    dest.append(n.data(), n.data() + n.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelName>();
  }
};

std::unique_ptr<spdlog::formatter> formatter(LogFormat format) {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<JsonMessage>('*').add_flag<LevelName>('L');
  if (format == LogFormat::kJson) {
    f->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%L","component":"%n","msg":%*})");
  } else {
    f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %L %n: %v");
  }
  return f;
}

}  // namespace

Result<LogLevel> parse_log_level(std::string_view s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  if (s == "off") return LogLevel::kOff;
  return invalid_argument("log level: expected debug, info, warn, error or off, got \"" +
                          std::string(s) + "\"");
}

Result<LogFormat> parse_log_format(std::string_view s) {
  if (s == "text") return LogFormat::kText;
  if (s == "json") return LogFormat::kJson;
  return invalid_argument("log format: expected text or json, got \"" + std::string(s) + "\"");
}

Logger::Logger(std::string component, LogOptions options, std::ostream* out) : options_(options) {
  spdlog::sink_ptr sink;
  if (out) {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*out, /*force_flush=*/true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_formatter(formatter(options.format));
  impl_ = std::make_shared<spdlog::logger>(std::move(component), std::move(sink));
  impl_->set_level(to_spdlog(options.level));
  impl_->flush_on(spdlog::level::debug);  // every line reaches the collector at once
}

Logger::Logger(std::shared_ptr<spdlog::logger> impl, LogOptions options)
    : impl_(std::move(impl)), options_(options) {}

Logger Logger::with_component(std::string component) const {
  return Logger(impl_->clone(std::move(component)), options_);
}

void Logger::debug(std::string_view msg) const { impl_->debug("{}", msg); }
void Logger::info(std::string_view msg) const { impl_->info("{}", msg); }
void Logger::warn(std::string_view msg) const { impl_->warn("{}", msg); }
void Logger::error(std::string_view msg) const { impl_->error("{}", msg); }
bool Logger::enabled(LogLevel level) const { return impl_->should_log(to_spdlog(level)); }

}  // namespace aqueduct::core
