#include "api/access_log.h"

#include <utility>

#include <spdlog/spdlog.h>

namespace bp::api {

namespace {
std::string_view OrDash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }
}  // namespace

std::string_view ServedRegion(const http::Headers& headers) {
  for (const http::Header& h : headers) {
    if (h.name == kServedRegionHeader) return h.value;
  }
  return {};
}

void LogAccess(const AccessEntry& entry, unsigned status, const Clock& clock,
               std::string_view region) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(clock.SteadyNow() - entry.start)
          .count();
  spdlog::info("{} {} {} {} {} {} {}us {}", OrDash(entry.request_id), OrDash(entry.principal),
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
