#pragma once
// Test-only helpers for the upstream client's tests: a client event loop on
// its own thread, a recorder of a call's callbacks, a Server on 127.0.0.1:0
// with a handler given as a function, and a raw TCP server that runs a
// script per connection. Every wait has a deadline (kDeadline), so a broken
// client fails the test instead of hanging it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "http/event_loop_asio.h"
#include "http/message.h"
#include "http/server.h"
#include "http/test_clients.h"
#include "http/upstream_client.h"
#include "testing/testing.h"

namespace bp::http::testing {

// An AsioEventLoop run by its own thread, as a server worker's is.
class ClientLoop {
 public:
  ClientLoop();
  ~ClientLoop();  // closes the pools on the loop, then stops and joins
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  AsioEventLoop& loop() { return loop_; }
  // Runs `fn` on the loop thread and waits for it.
  void Run(const std::function<void()>& fn);

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  AsioEventLoop loop_;
  std::thread thread_;
};

// Records one call's callbacks (they run on the client loop; the test reads
// from its own thread).
class CallRecorder {
 public:
  UpstreamCallbacks Callbacks();
  // Waits until on_done ran; false after kDeadline.
  bool WaitDone();
  // Waits until `n` body pieces (or on_done) arrived.
  bool WaitPieces(size_t n);
  bool WaitHead();

  std::optional<Response> head();
  std::vector<std::string> pieces();
  std::string body();
  std::optional<UpstreamResult> result();
  int done_count();
  // Runs on the loop inside on_body, after the piece is recorded.
  std::function<void(std::string_view)> after_piece;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Response> head_;
  std::vector<std::string> pieces_;
  std::optional<UpstreamResult> result_;
  int done_count_ = 0;
};

// A Handler given as a function; records the remote port of each request (one
// per client connection) and keeps streams the function hands to Hold().
class FunctionHandler final : public Handler {
 public:
  using Fn = std::function<void(Request&&, std::shared_ptr<ResponseStream>)>;
  explicit FunctionHandler(Fn fn) : fn_(std::move(fn)) {}

  void Handle(Request&& request, std::shared_ptr<ResponseStream> stream) override;
  Response ErrorResponse(const Status& status, std::string_view request_id) override;

  // Keeps `stream` (call on its loop) until TakeHeld() or DropAll().
  void Hold(std::shared_ptr<ResponseStream> stream);
  // Waits for a held stream and hands it over (nullptr after kDeadline).
  std::shared_ptr<ResponseStream> TakeHeld();
  // Drops every held stream on its own loop and waits for it.
  void DropAll();
  size_t requests();
  size_t connections();  // distinct remote ports seen
  std::vector<Request> seen();

 private:
  Fn fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request> seen_;
  std::set<uint16_t> ports_;
  std::vector<std::shared_ptr<ResponseStream>> held_;
};

// A Server on 127.0.0.1:0 run on a background thread.
class LoopbackServer {
 public:
  explicit LoopbackServer(Handler& handler, int threads = 2);
  ~LoopbackServer();  // Shutdown() and wait
  uint16_t port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

 private:
  bp::testing::FakeClock clock_;
  bp::testing::SeededRandom random_{301};
  std::unique_ptr<Server> server_;
  std::future<void> run_;
};

// Accepts connections on 127.0.0.1:0 on its own thread and runs the script
// with each (fd, 0-based connection index); the fd is closed afterwards.
class RawServer {
 public:
  using Script = std::function<void(int fd, int index)>;
  RawServer(int connections, Script script);
  ~RawServer();  // joins; the scripts are bounded by kDeadline
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Raw socket helpers for RawServer scripts.
void WriteAll(int fd, std::string_view bytes);
// One read with a deadline (kDeadline) appended to `buf`; false on EOF, error or timeout.
bool ReadSome(int fd, std::string& buf);
// Reads one request (head, then content-length body); "" on EOF or timeout.
std::string ReadRequest(int fd);
// True when the peer closes the connection within kDeadline.
bool WaitForPeerClose(int fd);
// A port nothing listens on (bound, then closed).
uint16_t FreePort();

}  // namespace bp::http::testing
