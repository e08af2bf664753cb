#pragma once
// The format of the log on stderr (issue 15): `text`, one line per message
// ("2025-08-12T10:20:30.123Z info <message>"), or `json`, one JSON object
// per line: {"time": RFC 3339 UTC with ms, "level", "msg"}. The access line
// (api/access_log.h) goes to its own logger, named kAccessLoggerName, whose
// JSON lines carry the request's fields instead of "msg":
// {"time","level","type":"access","request_id",...}. Every string is
// repaired to valid UTF-8 (U+FFFD) and JSON-escaped. Public header of bp_api.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace bp::api {

enum class LogFormat { kText, kJson };

// "text" / "json", or nullopt.
std::optional<LogFormat> ParseLogFormat(std::string_view name);

inline constexpr std::string_view kAccessLoggerName = "access";

// Creates the default logger ("bedrock-profiles") and the access logger, both
// writing to stderr at level info, in `format`. Call once, before any
// logging and before spdlog::cfg::load_env_levels() (so SPDLOG_LEVEL can name
// `access`, e.g. "info,access=off").
void SetUpLogging(LogFormat format);

// Switches every registered logger to `format` (the --log-format flag).
void SetLogFormat(LogFormat format);

// The format in force; kText until SetUpLogging or SetLogFormat says otherwise.
LogFormat CurrentLogFormat();

// The access logger; the default logger when SetUpLogging was not called
// (unit tests). Lock-free.
spdlog::logger& AccessLogger();

// One JSON log line (with its trailing '\n') for a message of `logger` at
// `level` ("info", "warning", ...) and `time`. For the access logger,
// `payload` is a JSON object (api::AccessJson) whose members follow "time"
// and "level"; for any other logger, or a payload that is not an object,
// `payload` is the "msg" string.
std::string JsonLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                        std::string_view logger, std::string_view payload);

}  // namespace bp::api
