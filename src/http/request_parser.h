#pragma once
// Incremental HTTP/1.1 request parser: bytes in, a Request or an error out,
// no socket. Wraps Boost.Beast's basic_parser (the Beast templates stay in
// request_parser.cc). Used by the HTTP/1.1 connection and the fuzz target.
// Private to bp_http. Not thread-safe; one instance per connection.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace bp::http {

struct ParserLimits {
  size_t max_header_bytes = size_t{64} * 1024;  // request line + header fields
  size_t max_body_bytes = size_t{32} * 1024 * 1024;
};

// Why a request was refused; each maps to one response status
// (kMalformed 400, kHeaderTooLarge 431, kBodyTooLarge 413, kRefused 503:
// the body gate said no, see RequestParser::set_body_gate).
enum class ParseError : uint8_t { kNone, kMalformed, kHeaderTooLarge, kBodyTooLarge, kRefused };

// HTTP status the server answers for `error` (0 for kNone).
unsigned StatusForParseError(ParseError error);

class RequestParser final {
 public:
  explicit RequestParser(ParserLimits limits);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Forgets the current message and starts a new one.
  void Reset();

  // Parses a prefix of `data` and returns how many bytes it used; the caller
  // drops those and presents the rest again with more bytes appended. An
  // incomplete header section is left unconsumed (the fields must arrive in
  // one contiguous buffer). Unconsumed input never exceeds max_header_bytes:
  // a longer header section, chunk-size line or trailer section fails. After
  // done() or failed() returns 0 until Reset().
  size_t Feed(std::string_view data);

  bool header_done() const;  // request line and header fields parsed
  bool done() const;         // complete request available via TakeRequest()
  bool failed() const { return error() != ParseError::kNone; }
  ParseError error() const;
  // Human-readable reason when failed(), e.g. "bad method".
  const std::string& error_message() const;

  // Valid once header_done(): whether the connection may carry another
  // request (HTTP/1.1 default, HTTP/1.0 with keep-alive, no "close").
  bool keep_alive() const;
  // Valid once header_done(): the client sent "Expect: 100-continue" and
  // waits for an interim response before sending the body.
  bool expects_continue() const;
  // HTTP minor version * 10 + 10: 10 for HTTP/1.0, 11 for HTTP/1.1.
  int version() const;
  // Valid once header_done(): the announced Content-Length; nullopt for
  // chunked and bodiless requests.
  std::optional<uint64_t> content_length() const;

  // Asked before body bytes are stored, with the announced Content-Length
  // (once, before any body byte) or, for chunked bodies, the bytes held once
  // this chunk is added. A failed Status stops the parse: error() becomes
  // kRefused, error_message() its message, refusal() the Status itself. The
  // gate survives Reset(). Used for the process-wide body budget.
  using BodyGate = std::function<Status(uint64_t total)>;
  void set_body_gate(BodyGate gate);
  const Status& refusal() const;

  // REQUIRES: done(). Moves the request out (method, target, lower-cased
  // headers, body; version kHttp11). remote_* and request_id are left empty.
  Request TakeRequest();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses exactly one request from `bytes`. Errors: kValidation (malformed or
// incomplete), kPayloadTooLarge (header or body over the limits). On success
// `*consumed` (if non-null) receives the bytes used, so pipelined requests
// can be parsed one after another.
Result<Request> ParseRequest(std::string_view bytes, const ParserLimits& limits,
                             size_t* consumed = nullptr);

}  // namespace bp::http
