#pragma once
// The HTTP/2 server side of one connection, without the socket: an nghttp2
// server session fed with received bytes, producing bytes to send, turning
// complete request streams into Handler calls and ResponseStream calls into
// HEADERS/DATA frames. Http2Connection drives it from a socket; the fuzz
// target drives it from a buffer. Private to bp_http (nghttp2 stays in
// http2_session.cc).
//
// Threading: every method runs on the owning loop's thread.
// Lifetime: shared by the connection and by every ResponseStream handed to
// the handler; after Abort() all stream calls are ignored.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/status.h"
#include "http/limits.h"
#include "http/message.h"
#include "http/server.h"

struct nghttp2_session;

namespace bp::http {

class Http2Session final : public std::enable_shared_from_this<Http2Session> {
 public:
  // Receives "frames are ready" notices; never called from inside nghttp2.
  class Transport {
   public:
    virtual ~Transport() = default;
    // Call CollectOutput() soon (typically: now, unless a write is pending).
    virtual void OnOutputReady() = 0;
  };

  struct Config {
    const ServerOptions& options;
    Handler& handler;
    Clock& clock;
    Random& random;
    EventLoop& loop;  // returned by ResponseStream::loop()
    std::string remote_address;
    uint16_t remote_port = 0;
    SharedLimits* limits = nullptr;  // the body budget; null: no budget
  };

  // Creates the nghttp2 server session and queues our SETTINGS. `transport`
  // may be null (nothing is told; poll CollectOutput). Errors: kInternal.
  static Result<std::shared_ptr<Http2Session>> Create(Config config, Transport* transport);

 private:
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  // Use Create().
  Http2Session(PrivateTag, Config config, Transport* transport);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Feeds bytes read from the peer, starting with the client preface. Complete
  // requests are handed to the handler before this returns. `now` starts
  // the request_timeout of new streams. An error means the connection is
  // unusable: flush CollectOutput() (it may hold a GOAWAY) and close.
  Status Receive(std::string_view bytes, std::chrono::steady_clock::time_point now);

  // Appends frames ready to send to `out` until nothing is left or
  // out.size() >= soft_limit. Returns false on a fatal session error.
  bool CollectOutput(std::string& out, size_t soft_limit);

  // True once neither side will send anything more (GOAWAY exchanged or a
  // fatal error, and no open stream): close after flushing.
  bool Finished() const;
  size_t open_streams() const { return streams_.size(); }

  // Graceful drain: GOAWAY naming the last stream we accepted; streams already
  // open run to completion, newer ones are refused.
  void Drain();
  // GOAWAY(NO_ERROR) and stop: used for the idle timeout.
  void Terminate();
  // Resets (RST_STREAM CANCEL) streams whose header block did not arrive
  // within header_timeout, or whose request did not arrive completely within
  // request_timeout, by now; returns the next such deadline, if any.
  std::optional<std::chrono::steady_clock::time_point> ExpireRequests(
      std::chrono::steady_clock::time_point now);
  // The connection is gone: streams report Closed(), nothing more is sent.
  void Abort();

 private:
  struct Stream;
  struct Callbacks;
  friend class Http2ResponseStream;

  Status Init();

  Stream* Find(int32_t id);
  using DeadlineQueue = std::deque<std::pair<std::chrono::steady_clock::time_point, int32_t>>;
  // ExpireRequests for one queue: `headers` selects which part must be done.
  std::optional<std::chrono::steady_clock::time_point> ExpireQueue(
      DeadlineQueue& queue, bool headers, std::chrono::steady_clock::time_point now,
      bool& reset_any);
  void DispatchReady();
  void Reject(Stream& s, ErrorCode code, std::string message, unsigned http_status);
  // Grows the stream's share of the body budget to `total`; when the budget
  // is spent, answers 503 on the stream and returns false.
  bool ReserveBody(Stream& s, size_t total);
  void Submit(Stream& s, unsigned status, const Headers& headers,
              std::optional<uint64_t> content_length, bool has_body);
  void NotifyOutput();

  // Called by Http2ResponseStream.
  void Respond(int32_t id, Response&& response);
  void StartStream(int32_t id, unsigned status, Headers&& headers);
  void Write(int32_t id, std::string&& chunk);
  void Finish(int32_t id);
  void Fail(int32_t id, std::string_view what);
  bool StreamClosed(int32_t id) const;
  size_t StreamBuffered(int32_t id) const;
  EventLoop& loop() { return config_.loop; }

  const Config config_;
  Transport* transport_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<int32_t> ready_;  // complete requests, dispatched after nghttp2 returns
  DeadlineQueue request_deadlines_;
  DeadlineQueue header_deadlines_;
  std::chrono::steady_clock::time_point recv_now_{};
  int in_nghttp2_ = 0;  // >0 while nghttp2 is calling us: no mem_send, no handler code
  bool aborted_ = false;
  bool fatal_ = false;
};

}  // namespace bp::http
