#pragma once
// Incremental HTTP/1.1 response decoder: bytes in, the head and the decoded
// body pieces out, no socket. Wraps Boost.Beast's basic_parser (the Beast
// templates stay in response_decoder.cc). The one set of response parsing
// rules and limits of both clients: http::Client (client_exchange.cc) and
// the upstream client (upstream_connection.cc); fuzzed by
// response_decoder_fuzz.cc. Private to bp_http. Not thread-safe; one
// instance per connection, reused for each response on it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace bp::http {

enum class DecodeError : uint8_t {
  kNone,
  kMalformed,       // not an HTTP/1.1 (or 1.0) response, bad framing
  kHeaderTooLarge,  // status line + fields, a chunk-size line or trailers over the limit
  kTruncated,       // the connection ended before the response did
};

class ResponseDecoder final {
 public:
  explicit ResponseDecoder(size_t max_header_bytes);
  ~ResponseDecoder();
  ResponseDecoder(const ResponseDecoder&) = delete;
  ResponseDecoder& operator=(const ResponseDecoder&) = delete;

  // Starts the next response. `head_request`: it answers a HEAD request, so
  // it has no body whatever its header announces.
  void Reset(bool head_request);

  // Decodes a prefix of `data` and returns how many bytes it used; the caller
  // drops those and presents the rest again with more bytes appended. An
  // incomplete header section is left unconsumed (it must arrive in one
  // contiguous buffer); unconsumed input never exceeds max_header_bytes (a
  // longer header section, chunk-size line or trailer section fails).
  // Interim 1xx answers (not 101) are consumed and skipped. The body bytes
  // decoded by this call are in pieces(), in order: views into `data`, valid
  // while `data` is. After done() or failed() it uses nothing.
  size_t Feed(std::string_view data);
  // The peer closed the connection. Completes a body delimited by the close;
  // any other unfinished response fails with kTruncated. Returns done().
  bool FeedEof();

  // Some byte of a response (an interim one included) was presented.
  bool started() const { return started_; }
  // The final response's status line and fields are available in head().
  bool header_done() const { return header_done_; }
  // Status and header fields (names lower-cased, in order), body empty.
  // REQUIRES: header_done().
  const Response& head() const { return head_; }
  const std::vector<std::string_view>& pieces() const { return pieces_; }
  // The whole response was decoded.
  bool done() const;
  bool failed() const { return error_ != DecodeError::kNone; }
  DecodeError error() const { return error_; }
  // Why, when failed(): "bad version", "header limit exceeded", ...
  const std::string& error_message() const { return error_message_; }
  // Valid once done(): the connection may carry another request (HTTP/1.1
  // without "connection: close", HTTP/1.0 with keep-alive; never after a
  // body delimited by the close, nor after 101 Switching Protocols).
  bool keep_alive() const;

 private:
  class Impl;  // the Beast parser; allocated once, the parser rebuilt in place
  friend class Impl;
  void SetError(DecodeError error, std::string message);

  const size_t max_header_bytes_;
  std::unique_ptr<Impl> impl_;
  // head_'s header strings are kept across responses and overwritten, so a
  // connection's steady state allocates nothing for them.
  Response head_;
  size_t fields_ = 0;  // fields of the response being decoded
  std::vector<std::string_view> pieces_;
  bool head_request_ = false;
  bool started_ = false;
  bool header_done_ = false;
  bool eof_done_ = false;
  // The last put() stopped for more input with bytes left unconsumed (a
  // chunk header or the trailer section in progress).
  bool awaiting_more_ = false;
  DecodeError error_ = DecodeError::kNone;
  std::string error_message_;
};

}  // namespace bp::http
