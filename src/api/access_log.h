#pragma once
// Access logging for ApiHandler (private to bp_api; included only by
// router.cc and its tests). One info line per request on the access logger
// (api/log_format.h). In the text format:
//   "<request id> <principal> <method> <path> <operation> <status> <latency>us <region>"
// where <region> is the region that served a runtime call (the response
// header kServedRegionHeader, set by api/runtime). The path is the raw one as received (never
// decoded, so the line cannot be split by an embedded space or newline); missing values print as
// "-". In the JSON format, one object (AccessJson) with the same fields, missing ones null.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

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

// The JSON format's fields of one access line: {"type":"access","request_id",
// "principal","method","path","operation","status","latency_us","region"};
// empty strings are null, every string is repaired to valid UTF-8.
std::string AccessJson(const AccessEntry& entry, unsigned status, int64_t latency_us,
                       std::string_view region);

// Writes the line for `entry` answered with `status` at `clock.SteadyNow()`.
void LogAccess(const AccessEntry& entry, unsigned status, const Clock& clock,
               std::string_view region = {});

// Wraps the stream given to an AsyncOperation: forwards every call and logs
// the access line once the answer is complete (Respond or Finish), or, if
// neither happened, when it is destroyed (status 0 = never answered).
// Loop-thread only, like every ResponseStream.
class LoggedStream final : public http::ResponseStream {
 public:
  LoggedStream(std::shared_ptr<http::ResponseStream> inner, AccessEntry entry, const Clock& clock);
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

  // True once Respond() or StartStream() was called.
  bool answered() const { return status_ != 0; }

 private:
  void LogOnce();

  const std::shared_ptr<http::ResponseStream> inner_;
  const AccessEntry entry_;
  const Clock& clock_;
  unsigned status_ = 0;
  std::string region_;
  bool logged_ = false;
};

}  // namespace bp::api
