#pragma once
// A small blocking HTTP/1.1 client for the CLI's calls (invoke, plan, apply,
// output): one TCP connection per Send(), the response body handed to the
// caller piece by piece as it arrives (chunked, content-length or
// read-until-close), so streamed answers can be shown live. Not used on the
// server's request path. Public header of bp_http; Asio and Beast stay in
// client.cc.
//
// Only http:// endpoints are supported. TODO(cli): https:// (TLS with
// certificate verification) arrives with the declarative-management issue,
// which is the first feature that talks to real AWS; until then
// ParseEndpointUrl refuses https with a clear kValidation error.
//
// Thread-safety: a Client is immutable after construction; Send() may be
// called from several threads at once (each call uses its own socket and
// I/O context). Callbacks run on the calling thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace bp::http {

// Where a client sends its requests: "http://127.0.0.1:8700",
// "http://[::1]:8700", "http://localhost:8700/prefix".
struct Endpoint {
  std::string host;       // name or IP literal, without IPv6 brackets: "::1"
  uint16_t port = 80;     // from the URL, else 80
  std::string base_path;  // "" or "/prefix" (no trailing '/'); prepended to request targets

  // The Host header value: "127.0.0.1:8700", "[::1]:8700"; ":80" omitted.
  std::string Authority() const;
  // "http://" + Authority() + base_path, as printed in messages.
  std::string ToString() const;
};

// Parses an endpoint URL. The scheme is case-insensitive; the path, if any,
// becomes base_path. Errors (kValidation, naming the URL and what is wrong):
// https ("https endpoints are not supported by this build yet"), any other
// scheme or none, user info, an empty or malformed host, a bad IPv6 literal,
// a port outside 1..65535, a query or fragment.
Result<Endpoint> ParseEndpointUrl(std::string_view url);

struct ClientOptions {
  // Bound on name resolution + TCP connect. Names are resolved with the
  // system resolver (blocking; IP literals and /etc/hosts need no lookup).
  std::chrono::milliseconds connect_timeout{10'000};
  // Longest wait for the next bytes while sending the request or reading the
  // response (an idle timeout, so a slow stream that keeps moving is fine).
  std::chrono::milliseconds read_timeout{120'000};
  size_t max_header_bytes = 64 * 1024;
  // Cap on the collected body of Send(request) (the streaming form has none:
  // the callback sees every byte).
  size_t max_body_bytes = 32 * 1024 * 1024;
  // Sent as user-agent unless the request sets one.
  std::string user_agent = "bedrock-profiles/0.1.0";
};

// Receives a response as it arrives. Either callback may return a non-OK
// Status to stop: the connection is closed and Send() returns that Status.
struct ResponseCallbacks {
  // Once, with the status and headers (body empty), before any body piece.
  // May be empty.
  std::function<Status(const Response& head)> on_head;
  // Each decoded body piece in order (never empty). May be empty.
  std::function<Status(std::string_view piece)> on_body;
};

class Client final {
 public:
  Client(Endpoint endpoint, ClientOptions options);

  const Endpoint& endpoint() const { return endpoint_; }

  // Sends `request` (method, target, headers, body; other fields ignored) on
  // a new connection and reads the whole response. The target is appended to
  // the endpoint's base_path. Headers go out exactly as given, in order,
  // plus `host` (Authority()) and `user-agent` when absent and
  // `content-length` when absent and the body is non-empty or the method is
  // POST/PUT/PATCH: what a caller signed is what is sent.
  //
  // Returns the status and headers (names lower-cased) with an empty body;
  // the body went to callbacks.on_body. Any HTTP status is a success here.
  // Errors: kServiceUnavailable for transport failures, naming the endpoint
  // and the reason ("cannot connect to http://127.0.0.1:8700: Connection
  // refused", "... timed out after 120000 ms waiting for the response",
  // "... closed the connection before the response was complete",
  // "malformed HTTP response from ..."); kValidation for a request that
  // cannot be written (bad method, target or header characters); or the
  // Status a callback returned.
  Result<Response> Send(const Request& request, const ResponseCallbacks& callbacks) const;

  // As above, collecting the body into the returned Response. A body longer
  // than options.max_body_bytes fails with kPayloadTooLarge.
  Result<Response> Send(const Request& request) const;

 private:
  const Endpoint endpoint_;
  const ClientOptions options_;
};

}  // namespace bp::http
