#include "api/access_log.h"

#include <utility>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "api/log_format.h"
#include "core/utf8.h"
#include "json/json.h"

namespace bp::api {

namespace {
std::string_view OrDash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

json::Value OrNull(std::string_view s) {
  if (s.empty()) return nullptr;
  return json::Value(ToValidUtf8(s));
}
}  // namespace

std::string_view ServedRegion(const http::Headers& headers) {
  for (const http::Header& h : headers) {
    if (h.name == kServedRegionHeader) return h.value;
  }
  return {};
}

std::string AccessJson(const AccessEntry& entry, unsigned status, int64_t latency_us,
                       std::string_view region) {
  json::Object line;
  line["type"] = "access";
  line["request_id"] = OrNull(entry.request_id);
  line["principal"] = OrNull(entry.principal);
  line["method"] = OrNull(entry.method);
  line["path"] = OrNull(entry.path);
  line["operation"] = OrNull(entry.operation);
  line["status"] = status;
  line["latency_us"] = latency_us;
  line["region"] = OrNull(region);
  return boost::json::serialize(line);
}

void LogAccess(const AccessEntry& entry, unsigned status, const Clock& clock,
               std::string_view region) {
  spdlog::logger& logger = AccessLogger();
  if (!logger.should_log(spdlog::level::info)) return;
  int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(clock.SteadyNow() - entry.start)
          .count();
  if (CurrentLogFormat() == LogFormat::kJson) {
    logger.info("{}", AccessJson(entry, status, micros, region));
    return;
  }
  logger.info("{} {} {} {} {} {} {}us {}", OrDash(entry.request_id), OrDash(entry.principal),
              OrDash(entry.method), OrDash(entry.path), OrDash(entry.operation), status, micros,
              OrDash(region));
}

LoggedStream::LoggedStream(std::shared_ptr<http::ResponseStream> inner, AccessEntry entry,
                           const Clock& clock)
    : inner_(std::move(inner)), entry_(std::move(entry)), clock_(clock) {}

LoggedStream::~LoggedStream() { LogOnce(); }

void LoggedStream::Respond(http::Response&& response) {
  if (status_ == 0) {
    status_ = response.status;
    region_ = ServedRegion(response.headers);
  }
  inner_->Respond(std::move(response));
  LogOnce();
}

void LoggedStream::StartStream(unsigned status, http::Headers&& headers) {
  if (status_ == 0) {
    status_ = status;
    region_ = ServedRegion(headers);
  }
  inner_->StartStream(status, std::move(headers));
}

void LoggedStream::Write(std::string&& chunk) { inner_->Write(std::move(chunk)); }

void LoggedStream::Finish() {
  inner_->Finish();
  LogOnce();
}

void LoggedStream::LogOnce() {
  if (logged_) return;
  logged_ = true;
  LogAccess(entry_, status_, clock_, region_);
}

}  // namespace bp::api
