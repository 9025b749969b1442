// The logs of the long-running services (webhook, extender, controller,
// worker, FUSE mount, simulated nodes): one line per event on stderr through
// spdlog, either text for people,
//   2026-12-06T00:16:02.123Z info webhook: serving POST /mutate-fluid-pods on 127.0.0.1:9443
// or one JSON object per line for log collectors,
//   {"time":"2026-12-06T00:16:02.123Z","level":"info","component":"webhook","msg":"serving ..."}
// A Logger is made by the command and handed to the code that logs (nothing
// global); copies share the sink and the level.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "aqueduct/core/status.h"

namespace spdlog {
class logger;
}

namespace aqueduct::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };
enum class LogFormat { kText, kJson };

// "debug", "info", "warn", "error", "off" / "text", "json"; an error that
// lists the allowed values otherwise.
Result<LogLevel> parse_log_level(std::string_view s);
Result<LogFormat> parse_log_format(std::string_view s);

struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
};

class Logger {
 public:
  // Lines go to stderr, or to `out` (tests). `component` names the service.
  explicit Logger(std::string component, LogOptions options = {}, std::ostream* out = nullptr);
  // Text at info level on stderr, component "aqueduct": where no logger is given.
  Logger() : Logger("aqueduct") {}

  // The same sink and level under another component name ("k8s", "fuse").
  Logger with_component(std::string component) const;

  void debug(std::string_view msg) const;
  void info(std::string_view msg) const;
  void warn(std::string_view msg) const;
  void error(std::string_view msg) const;
  bool enabled(LogLevel level) const;

 private:
  Logger(std::shared_ptr<spdlog::logger> impl, LogOptions options);
  std::shared_ptr<spdlog::logger> impl_;
  LogOptions options_;
};

}  // namespace aqueduct::core
