#pragma once
// What both fake upstreams share (tests/fakes/README.md): the record of the
// requests received (for GET /_fake/requests and --log), the fault triggers
// chosen by the last user message, the process-wide failure switch
// (POST /_fake/mode), and the writer that can split a body at every byte.
// Test-only code: never linked into the endpoint.
//
// Thread-safety: the server runs one loop thread; RequestLog and FailSwitch
// are locked anyway so a test may read them from elsewhere.

#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "core/mutex.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::fakes {

// One request as it arrived, and how it was answered.
struct RecordedRequest {
  std::string method;
  std::string path;       // raw target
  http::Headers headers;  // the selected ones (RequestLog::kRecordedHeaders)
  std::string body;
  unsigned status = 0;
  std::string why;  // failures: the error type and message
};

class RequestLog final {
 public:
  // `log_path` empty: no file. Errors opening it are returned by Open().
  Status Open(const std::string& log_path);
  ~RequestLog();

  // Records `request` answered with `status` (`why` empty on success) and
  // appends "METHOD PATH STATUS[ WHY]\n" to the log file, flushed.
  void Record(const http::Request& request, unsigned status, std::string_view why);
  // [{"method","path","headers":{name:value},"body","status","why"}...]:
  // the last kMaxRecorded requests (a load run must not grow the fake).
  std::string Json() const;
  static constexpr size_t kMaxRecorded = 1000;

 private:
  mutable Mutex mu_;
  std::deque<RecordedRequest> entries_ BP_GUARDED_BY(mu_);
  std::FILE* file_ BP_GUARDED_BY(mu_) = nullptr;
};

// The fault a request asks for with the start of its last user message's
// first text block (leading whitespace skipped, case-sensitive).
enum class Fault : uint8_t {
  kNone,
  kThrottle,     // "FAKE-THROTTLE"    429
  kUnavailable,  // "FAKE-UNAVAILABLE" 503
  kInternal,     // "FAKE-500"         500
  kExpired,      // "FAKE-EXPIRED"     403 ExpiredTokenException (Bedrock), 401 (OpenAI)
  kStreamCut,    // "FAKE-STREAM-CUT"  streams: first delta, then an in-stream error
  kHang,         // "FAKE-HANG"        no answer at all
};
Fault FaultOf(const backends::ModelRequest& request);

// POST /_fake/mode {"fail":"unavailable"|"none"}: while on, every model call
// fails with 503 before its body is read (after authentication).
class FailSwitch final {
 public:
  // Applies a /_fake/mode body; kValidation for anything else.
  Status Apply(std::string_view body);
  bool failing() const;

 private:
  mutable Mutex mu_;
  bool failing_ BP_GUARDED_BY(mu_) = false;
};

// Writes a streamed body, either as given or (split) one byte per socket
// write: the next byte goes out only once the previous one has left the
// server's buffer, so the client sees the body split at every boundary.
// Loop thread only.
class BodyWriter final : public std::enable_shared_from_this<BodyWriter> {
 public:
  static std::shared_ptr<BodyWriter> Create(std::shared_ptr<http::ResponseStream> stream,
                                            bool split);
  BodyWriter(std::shared_ptr<http::ResponseStream> stream, bool split);
  void Write(std::string bytes);
  // Ends the body once everything queued is out.
  void Finish();
  http::ResponseStream& stream() { return *stream_; }

 private:
  void Schedule();
  void Pump();

  const std::shared_ptr<http::ResponseStream> stream_;
  const bool split_;
  std::string pending_;
  size_t sent_ = 0;
  bool finish_ = false;
  bool scheduled_ = false;
};

// Answers `response` whole, or (split) as a stream written byte by byte.
void SendResponse(const std::shared_ptr<http::ResponseStream>& stream, http::Response&& response,
                  bool split);

// Requests the fakes keep unanswered (FAKE-HANG) until Release(), called
// after the server's loop stopped.
class HeldStreams final {
 public:
  void Hold(std::shared_ptr<http::ResponseStream> stream);
  void Release();

 private:
  std::vector<std::shared_ptr<http::ResponseStream>> held_;
};

}  // namespace bp::fakes
