#pragma once
// Test-only helpers for bp_http_test: a blocking raw HTTP/1.1 client, a
// blocking h2c client on nghttp2's client session API, a scripted Handler and
// a fixture running a real Server on 127.0.0.1 port 0. Every blocking call
// has a deadline so a broken server fails the test instead of hanging it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http/message.h"
#include "http/server.h"
#include "testing/testing.h"

struct nghttp2_session;

namespace bp::http::testing {

inline constexpr std::chrono::milliseconds kDeadline{5000};

struct ParsedResponse {
  unsigned status = 0;
  Headers headers;  // names lower-cased
  std::string body;
  std::vector<std::string> chunks;  // chunked bodies: one entry per chunk
  const std::string* Find(std::string_view name) const { return FindHeader(headers, name); }
};

// Blocking TCP client. Reads time out after kDeadline.
class RawClient {
 public:
  RawClient() = default;
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False when the connection is refused.
  bool Connect(uint16_t port);
  void Send(std::string_view bytes);
  void Close();
  // Reads one response (content-length, chunked, or until close); nullopt on
  // timeout or malformed input. With `on_chunk`, each chunk is reported as it
  // is decoded (before the next is read).
  std::optional<ParsedResponse> ReadResponse(
      const std::function<void(const std::string&)>& on_chunk = nullptr);
  // Reads until `needle` appears in the unread input (kept for later reads).
  bool ReadUntil(std::string_view needle);
  // True if the server closes the connection (read returns 0 or an error)
  // before the deadline; unread bytes are discarded.
  bool WaitForClose();
  std::string& unread() { return buf_; }

 private:
  bool Fill();  // one read; false on EOF/timeout
  bool ReadChunked(ParsedResponse& r, const std::function<void(const std::string&)>& on_chunk);
  int fd_ = -1;
  std::string buf_;
};

struct H2Stream {
  unsigned status = 0;
  Headers headers;
  std::vector<std::string> data;  // one entry per DATA frame
  bool closed = false;
  uint32_t error_code = 0;  // RST_STREAM / close error
  std::string body() const;
};

// Blocking h2c client (prior knowledge) over nghttp2's client session.
class H2Client {
 public:
  H2Client();
  ~H2Client();
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  bool Connect(uint16_t port);
  // Submits a request and sends it; returns the stream id.
  int32_t Submit(const std::string& method, const std::string& path, const std::string& authority,
                 const Headers& extra = {}, std::optional<std::string> body = std::nullopt);
  void SubmitGoaway();  // and sends it
  // Sends pending frames and reads until `done()` or the deadline.
  bool PumpUntil(const std::function<bool()>& done);
  bool WaitStreamClosed(int32_t id) {
    return PumpUntil([this, id] { return streams_[id].closed; });
  }
  H2Stream& stream(int32_t id) { return streams_[id]; }
  bool goaway_received() const { return goaway_received_; }
  bool connection_closed() const { return eof_; }
  // Raw header names as received, for the "no connection-specific headers" check.
  const std::vector<std::string>& all_header_names() const { return all_header_names_; }

 private:
  struct Callbacks;
  bool Flush();
  struct Body {
    std::string data;
    size_t offset = 0;
  };
  int fd_ = -1;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, H2Stream> streams_;
  std::map<int32_t, std::unique_ptr<Body>> bodies_;
  std::vector<std::string> all_header_names_;
  bool goaway_received_ = false;
  bool eof_ = false;
};

// Routes (by path, query ignored):
//   /echo       200, body = request body; x-method, x-target, x-authority, x-remote
//   /stream     streamed; ?n=<k> chunks "chunk-<i>" written from 5 ms timers
//   /gated      streamed; writes "first", then waits for ReleaseGate()
//   /hold       keeps the stream unanswered (see held())
//   /pair       answers once two /pair requests are waiting
//   /throw      throws from Handle()
//   /drop       drops the stream without answering
//   /timer      arms and cancels a timer, answers from a second one
class TestHandler final : public Handler {
 public:
  void Handle(Request&& request, std::shared_ptr<ResponseStream> stream) override;
  Response ErrorResponse(const Status& status, std::string_view request_id) override;

  // Blocks until a /gated or /hold request is waiting; returns its stream
  // (nullptr after kDeadline). Give it back with ReleaseGate() or DropOnLoop()
  // so that the stream dies on its own loop thread.
  std::shared_ptr<ResponseStream> WaitHeld();
  // On the stream's loop: writes `chunk`, finishes, drops the stream.
  static void ReleaseGate(std::shared_ptr<ResponseStream> stream, std::string chunk);
  // Runs `fn` on the stream's loop and waits for it.
  static void RunOnLoop(ResponseStream& stream, const std::function<void()>& fn);
  static void DropOnLoop(std::shared_ptr<ResponseStream> stream);
  // Forgets held streams (after the server stopped).
  void Clear();

  std::vector<Request> requests();  // copies, in arrival order
  std::vector<std::string> error_ids();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request> requests_;
  std::vector<std::string> error_ids_;
  std::shared_ptr<ResponseStream> held_;
  std::vector<std::shared_ptr<ResponseStream>> pair_;
};

// A Server on 127.0.0.1:0 with a TestHandler, run on a background thread.
class ServerTest : public ::testing::Test {
 protected:
  ServerTest();
  ~ServerTest() override;
  // Starts the server (call from the test body after adjusting options_).
  void StartServer();
  // Shutdown() and wait for Run() to return (fails the test after kDeadline).
  bool StopServer();
  uint16_t port() const { return server_->port(); }

  ServerOptions options_;
  TestHandler handler_;
  bp::testing::FakeClock clock_;
  bp::testing::SeededRandom random_{301};
  std::unique_ptr<Server> server_;
  std::future<void> run_;
};

// True if `value` is an RFC 7231 IMF-fixdate.
bool IsImfFixdate(const std::string& value);
bool IsUuid(const std::string& value);

}  // namespace bp::http::testing
