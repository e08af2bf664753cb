#pragma once
// Access logging for ApiHandler (private to bp_api; included only by
// router.cc and its tests). One info line per request on the access logger
// (api/log_format.h). In the text format:
//   "<request id> <principal> <method> <path> <operation> <status> <latency>us <region>"
// where <region> is the region that served a runtime call (the response
// header kServedRegionHeader, set by api/runtime). The path is the raw one as received (never
// decoded, so the line cannot be split by an embedded space or newline); missing values print as
// "-". A runtime call's line goes on with its usage (api/access_usage.h):
//   " profile=<name> model=<id> attempts=<n> tokens_in=<n> tokens_out=<n> cache_read=<n>
//    cache_write=<n> ttft_ms=<n|-> cost_usd=<exact decimal> error=<code|->"
// (whitespace and control bytes in a name become '_', so the line stays one
// line of space-separated fields). In the JSON format, one object
// (AccessJson) with the same fields, missing ones null.
//
// When the line is written: a sync route's once its answer left; an async
// one's once the answer is complete (Respond, or StartStream..Finish) and,
// for a route that reports usage, the usage is attached too; in every case
// at the latest when the request's stream is destroyed (status 0 if it was
// never answered). Latency is always arrival to the answer's completion.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/access_usage.h"
#include "core/clock.h"
#include "http/message.h"

namespace bp::api {

struct AccessEntry {
  std::chrono::steady_clock::time_point start;
  std::string request_id;
  std::string method;
  std::string path;       // raw
  std::string principal;  // name, or empty before authentication
  std::string operation;  // empty when no route matched
};

// The response header naming the region that served a runtime call; the
// access line shows it.
inline constexpr std::string_view kServedRegionHeader = "x-bedrock-profiles-region";

// The kServedRegionHeader value in `headers`, or empty.
std::string_view ServedRegion(const http::Headers& headers);

// Whether access lines are written at all (the access logger's level admits
// info): when not, nothing is gathered for them.
bool AccessLogOn();

// The JSON format's fields of one access line: {"type":"access","request_id",
// "principal","method","path","operation","status","latency_us","region"},
// then, with `usage` (a runtime call), "profile","profile_arn","model",
// "source_region","attempts","error_code","cut_short","input_tokens",
// "output_tokens","cache_read_tokens","cache_write_tokens","tokens_estimated","ttft_ms",
// "service_tier","price_version","request_metadata":{..},"tags":{..},
// "cost_usd" (an exact decimal number). Empty strings and a ttft_ms of -1
// are null; "region" falls back to the usage's serving region; every string
// is repaired to valid UTF-8.
std::string AccessJson(const AccessEntry& entry, unsigned status, int64_t latency_us,
                       std::string_view region, const AccessUsage* usage = nullptr);

// The text format's line (without the logger's time and level).
std::string AccessText(const AccessEntry& entry, unsigned status, int64_t latency_us,
                       std::string_view region, const AccessUsage* usage = nullptr);

// Writes the line for `entry` answered with `status`, complete at `end`.
void LogAccess(const AccessEntry& entry, unsigned status, std::chrono::steady_clock::time_point end,
               std::string_view region, const AccessUsage* usage = nullptr);

// A sync route's AccessNote: holds what the operation attached until the
// router writes the line.
class UsageSlot final : public AccessNote {
 public:
  void Attach(AccessUsage&& usage) override { usage_ = std::move(usage); }
  const AccessUsage* get() const { return usage_ ? &*usage_ : nullptr; }

 private:
  std::optional<AccessUsage> usage_;
};

// Wraps the stream given to an AsyncOperation: forwards every call and logs
// the access line once the answer is complete (Respond or Finish) and, when
// `await_usage`, its usage is attached; if that never happens, when it is
// destroyed (status 0 = never answered). Loop-thread only, like every
// ResponseStream.
class LoggedStream final : public http::ResponseStream, public AccessNote {
 public:
  LoggedStream(std::shared_ptr<http::ResponseStream> inner, AccessEntry entry, const Clock& clock,
               bool await_usage = false);
  ~LoggedStream() override;
  LoggedStream(const LoggedStream&) = delete;
  LoggedStream& operator=(const LoggedStream&) = delete;

  void Respond(http::Response&& response) override;
  void StartStream(unsigned status, http::Headers&& headers) override;
  void Write(std::string&& chunk) override;
  void Finish() override;
  bool Closed() const override { return inner_->Closed(); }
  size_t BufferedBytes() const override { return inner_->BufferedBytes(); }
  EventLoop& loop() override { return inner_->loop(); }

  // AccessNote
  void Attach(AccessUsage&& usage) override;

  // True once Respond() or StartStream() was called.
  bool answered() const { return status_ != 0; }

 private:
  void Complete();
  void LogOnce();

  const std::shared_ptr<http::ResponseStream> inner_;
  const AccessEntry entry_;
  const Clock& clock_;
  const bool await_usage_;
  unsigned status_ = 0;
  std::string region_;
  std::optional<std::chrono::steady_clock::time_point> end_;  // the answer completed
  std::optional<AccessUsage> usage_;
  bool logged_ = false;
};

}  // namespace bp::api
