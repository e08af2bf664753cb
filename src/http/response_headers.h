#pragma once
// Response header rules shared by HTTP/1.1 and HTTP/2, and the HTTP/1.1
// response head serializer. Plain code over values; private to bp_http.
//
// The server owns framing and identity headers: it always sets date and
// x-amzn-RequestId, content-length for complete responses, and (HTTP/1.1)
// transfer-encoding and connection. Handler-supplied headers with those names,
// connection-specific names (RFC 9113 §8.2.2), and fields with invalid bytes
// (CR, LF, NUL; non-token names) are dropped so a handler can never break
// framing or inject headers.

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace bp::http {

// connection, keep-alive, proxy-connection, transfer-encoding, upgrade
// (case-insensitive).
bool IsConnectionSpecificHeader(std::string_view name);

// True when a handler-supplied header may go on the wire as given.
bool ShouldForwardHeader(const Header& header);

// 1xx, 204 and 304 responses carry no body and no content-length
// (RFC 9110 §6.4.1, §8.6); the server drops a body a handler gives them.
bool StatusForbidsBody(unsigned status);

// "OK", "Not Found", ...; "Unknown" for unlisted codes.
std::string_view ReasonPhrase(unsigned status);

enum class BodyFraming : uint8_t {
  kContentLength,  // complete body; content-length: <n>
  kChunked,        // transfer-encoding: chunked (streamed, HTTP/1.1)
  kUntilClose,     // streamed to an HTTP/1.0 client: body ends at close
};

struct Http1Head {
  unsigned status = 200;
  const Headers* headers = nullptr;  // handler headers, filtered by ShouldForwardHeader
  std::string_view date;             // IMF-fixdate
  std::string_view request_id;
  BodyFraming framing = BodyFraming::kContentLength;
  uint64_t content_length = 0;     // with kContentLength
  bool close = false;              // "connection: close"
  bool http10_keep_alive = false;  // "connection: keep-alive" for an HTTP/1.0 client
};

// "HTTP/1.1 200 OK\r\n...\r\n\r\n" including the blank line.
std::string FormatHttp1Head(const Http1Head& head);

// The chunk-size line of one chunk: "<hex>\r\n".
std::string ChunkSizeLine(size_t size);

}  // namespace bp::http
