#include "api/log_format.h"

#include <atomic>
#include <memory>
#include <utility>

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "json/writer.h"

namespace bp::api {

namespace {

constexpr char kTextPattern[] = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";

std::atomic<LogFormat> g_format{LogFormat::kText};
// Owned by the spdlog registry too; kept here so AccessLogger() needs no lock.
std::shared_ptr<spdlog::logger> g_access_owner;
std::atomic<spdlog::logger*> g_access{nullptr};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    std::string line = JsonLogLine(msg.time, std::string_view(level.data(), level.size()),
                                   std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                                   std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

void Apply(spdlog::logger& logger, LogFormat format) {
  if (format == LogFormat::kJson) {
    logger.set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger.set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kTextPattern, spdlog::pattern_time_type::utc));
  }
}

}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

void SetUpLogging(LogFormat format) {
  // Logs go to stderr so stdout stays machine-readable (banners, outputs).
  auto logger = spdlog::stderr_color_mt("bedrock-profiles");
  spdlog::set_default_logger(logger);
  g_access_owner = std::make_shared<spdlog::logger>(std::string(kAccessLoggerName),
                                                    logger->sinks().begin(), logger->sinks().end());
  spdlog::register_logger(g_access_owner);
  g_access.store(g_access_owner.get(), std::memory_order_release);
  spdlog::set_level(spdlog::level::info);
  SetLogFormat(format);
}

void SetLogFormat(LogFormat format) {
  g_format.store(format, std::memory_order_relaxed);
  spdlog::apply_all([format](const std::shared_ptr<spdlog::logger>& l) { Apply(*l, format); });
}

LogFormat CurrentLogFormat() { return g_format.load(std::memory_order_relaxed); }

spdlog::logger& AccessLogger() {
  spdlog::logger* access = g_access.load(std::memory_order_acquire);
  return access != nullptr ? *access : *spdlog::default_logger_raw();
}

std::string JsonLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                        std::string_view logger, std::string_view payload) {
  // Written by hand (json/writer.h): this runs for every log line.
  std::string line;
  line.reserve(payload.size() + 64);
  line += R"({"time":)";
  json::AppendString(line, FormatRfc3339(time));
  line += R"(,"level":)";
  json::AppendString(line, level);
  if (logger == kAccessLoggerName && payload.size() > 2 && payload.front() == '{' &&
      payload.back() == '}') {
    // {"time":..,"level":.. + , + the payload's members.
    line += ',';
    line.append(payload.substr(1));
  } else {
    line += R"(,"msg":)";
    json::AppendString(line, payload);
    line += '}';
  }
  line.push_back('\n');
  return line;
}

}  // namespace bp::api
