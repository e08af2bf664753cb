#pragma once
// HTTP request/response values and the handler seam. Knows nothing about
// Bedrock. Public header of bp_http.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.h"
#include "core/status.h"

namespace bp::http {

enum class Version : uint8_t { kHttp11, kHttp2 };

struct Header {
  std::string name;   // lower-case
  std::string value;  // as received (not trimmed); repeated headers stay separate entries
};
using Headers = std::vector<Header>;

// First header with the given lower-case name, or nullptr.
const std::string* FindHeader(const Headers& headers, std::string_view lower_name);

struct Request {
  Version version = Version::kHttp11;
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target as on the wire: "/a%3Ab/c?x=1"
  // Headers with lower-cased names, in arrival order. Over HTTP/2 the
  // ":authority" pseudo-header is kept here (a client may sign it); ":method",
  // ":path" and ":scheme" are not (see method/target). An HTTP/2 request
  // without a "host" gets one, last, with :authority's value (RFC 9113
  // §8.3.1); a "host" the client sent is kept as sent.
  Headers headers;
  std::string body;            // complete body (size-limited by the server)
  std::string remote_address;  // "127.0.0.1" or "::1"
  uint16_t remote_port = 0;
  std::string request_id;  // UUID assigned by the server; echoed as x-amzn-RequestId

  std::string_view path() const;   // raw path: target up to '?'
  std::string_view query() const;  // raw query after '?', or empty
};

struct Response {
  unsigned status = 200;
  Headers headers;  // e.g. content-type; the server adds content-length, date, x-amzn-RequestId
  std::string body;
};

// The answer channel of one request. Exactly one of Respond() or
// StartStream()..Finish() must be called. All methods must be called on
// loop()'s thread. Once Closed() (peer gone, server aborting), further calls
// are accepted and ignored, so handlers need no special casing.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // A complete response with content-length.
  virtual void Respond(Response&& response) = 0;
  // A streamed response: status and headers now; body by Write() (HTTP/1.1
  // chunked encoding, HTTP/2 DATA frames), each chunk flushed promptly.
  virtual void StartStream(unsigned status, Headers&& headers) = 0;
  virtual void Write(std::string&& chunk) = 0;
  // Ends the body cleanly (final chunk / END_STREAM).
  virtual void Finish() = 0;
  virtual bool Closed() const = 0;
  // Bytes queued but not yet written to the socket (for backpressure).
  virtual size_t BufferedBytes() const = 0;
  virtual EventLoop& loop() = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on the connection's loop thread with a complete request. May answer
  // at once or keep `stream` and answer later on the same loop.
  virtual void Handle(Request&& request, std::shared_ptr<ResponseStream> stream) = 0;
  // Builds the answer to a request the server itself refuses (malformed HTTP:
  // kValidation; header or body too large: kPayloadTooLarge), so that even
  // these carry the application's error shape. `request_id` is already set.
  virtual Response ErrorResponse(const Status& status, std::string_view request_id) = 0;
};

}  // namespace bp::http
