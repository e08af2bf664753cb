#include "api/runtime/interim_usage.h"

#include "api/access_log.h"

namespace bp::api::runtime {

namespace {

int64_t MillisSince(std::chrono::steady_clock::time_point start, const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - start).count();
}

}  // namespace

InterimUsageStream::InterimUsageStream(std::shared_ptr<http::ResponseStream> inner,
                                       metering::UsageSink& sink, metering::Operation operation,
                                       const Clock& clock)
    : inner_(std::move(inner)), sink_(sink), clock_(clock), start_(clock.SteadyNow()) {
  record_.operation = operation;
  record_.time_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
}

InterimUsageStream::~InterimUsageStream() {
  if (!emitted_) {
    record_.cut_short = record_.status != 0;
    Emit();
  }
}

void InterimUsageStream::SetProfile(const storage::ProfileRecord& profile) {
  record_.profile_name = profile.name;
  record_.profile_arn = profile.arn;
  if (!profile.model_arns.empty()) {
    const std::string& arn = profile.model_arns.front();
    size_t slash = arn.find("foundation-model/");
    if (slash != std::string::npos) record_.model_id = arn.substr(slash + 17);
  }
}

void InterimUsageStream::Headers(unsigned status, const http::Headers& headers) {
  record_.status = static_cast<int32_t>(status);
  record_.serving_region = std::string(ServedRegion(headers));
  if (const std::string* type = http::FindHeader(headers, "x-amzn-errortype")) {
    record_.error_code = *type;
  }
}

void InterimUsageStream::Respond(http::Response&& response) {
  Headers(response.status, response.headers);
  Emit();  // first: whoever reads the answer then finds the call counted
  inner_->Respond(std::move(response));
}

void InterimUsageStream::StartStream(unsigned status, http::Headers&& headers) {
  Headers(status, headers);
  record_.ttft_ms = MillisSince(start_, clock_);
  inner_->StartStream(status, std::move(headers));
}

void InterimUsageStream::Finish() {
  Emit();
  inner_->Finish();
}

void InterimUsageStream::Emit() {
  if (emitted_) return;
  emitted_ = true;
  record_.latency_ms = MillisSince(start_, clock_);
  sink_.Record(std::move(record_));
}

}  // namespace bp::api::runtime
