#pragma once
// Blocking loopback HTTP/1.1 pieces for the benchmarks of bench/: a keep-alive
// client, and the baseline "trivial server" the BRIEF compares the endpoint
// against (one thread, blocking sockets, a fixed tiny answer). Private to
// bench/. Both speak only what the benchmarks need: requests and responses
// framed by Content-Length (no chunked bodies, no pipelining beyond one
// request in flight).
//
// Every blocking call has a 5-second receive timeout, so a broken server makes
// a benchmark fail with an error instead of hanging.

#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"
#include "http/message.h"

namespace bp::bench {

// `request` in HTTP/1.1 wire form: request line, its headers in order (a
// content-length header is expected among them when there is a body), blank
// line, body.
std::string SerializeRequest(const http::Request& request);

// One keep-alive connection to 127.0.0.1:<port>, TCP_NODELAY on. Not
// thread-safe; one request in flight at a time.
class LoopbackClient final {
 public:
  LoopbackClient() = default;
  ~LoopbackClient();
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  // Errors: kIo with the OS reason.
  Status Connect(uint16_t port);
  // Sends `request` (complete wire bytes) and reads one response framed by
  // Content-Length. Returns its status code; the body is kept in body().
  // Errors: kIo (send/recv failure, timeout, the peer closed), kValidation
  // (a response that is not HTTP/1.1 or has no Content-Length).
  Result<unsigned> RoundTrip(std::string_view request);
  const std::string& body() const { return body_; }
  void Close();

 private:
  Result<size_t> ReadHead();  // reads until the header block is buffered; returns its length
  Status ReadAtLeast(size_t bytes);

  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
  std::string body_;    // of the last response
};

// The baseline: a thread that accepts ONE connection on 127.0.0.1 (port 0)
// and answers every request on it with a fixed 2-byte 200 response, until the
// client closes. Requests may carry a Content-Length body (it is read and
// discarded). Not a general server: it exists to price the plain loopback
// round trip.
class BaselineServer final {
 public:
  BaselineServer() = default;
  // Joins the thread (the client must have closed, or the 5 s accept/receive
  // timeout runs out).
  ~BaselineServer();
  BaselineServer(const BaselineServer&) = delete;
  BaselineServer& operator=(const BaselineServer&) = delete;

  // Binds, listens and starts the thread. Errors: kIo with the OS reason.
  Status Start();
  uint16_t port() const { return port_; }
  // Requests answered so far (read after the thread ended: ~BaselineServer or Join()).
  uint64_t answered() const { return answered_; }
  void Join();

 private:
  void Serve();
  bool AnswerBuffered(int fd, std::string& buffer);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  uint64_t answered_ = 0;
  std::thread thread_;
};

}  // namespace bp::bench
