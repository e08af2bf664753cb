#pragma once
// A small blocking HTTP/1.1 client for the CLI's calls (invoke, plan, apply,
// output): one TCP (or TLS) connection per attempt, the response body handed
// to the caller piece by piece as it arrives (chunked, content-length or
// read-until-close), so streamed answers can be shown live. Not used on the
// server's request path: calls from the server's loops use
// upstream_client.h, which shares this client's endpoint parsing, TLS setup,
// request head and response parsing. Public header of bp_http; Asio, Beast
// and OpenSSL stay in client*.cc (docs/http.md).
//
// https:// endpoints use TLS 1.2+ with certificate verification: the chain
// must lead to the system trust store (OpenSSL's default paths, normally
// /etc/ssl/certs; SSL_CERT_FILE / SSL_CERT_DIR override them) or to a
// certificate of ClientOptions::ca_bundle_file, and the certificate must name
// the endpoint's host (DNS name, or IP address for an IP literal). SNI is sent
// for host names. There is no way to turn verification off.
//
// Transient failures are retried (RetryOptions): connection failures, 5xx
// and throttling answers, with exponential backoff and full jitter, honouring
// Retry-After. Other 4xx answers are never retried.
//
// Thread-safety: a Client is immutable after construction; Send() may be
// called from several threads at once (each attempt uses its own socket and
// I/O context). Callbacks and RetryOptions hooks run on the calling thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::http {

enum class Scheme : uint8_t { kHttp, kHttps };

// Where a client sends its requests: "http://127.0.0.1:8700",
// "http://[::1]:8700", "https://bedrock.eu-central-1.amazonaws.com",
// "http://localhost:8700/prefix".
struct Endpoint {
  std::string host;       // name or IP literal, without IPv6 brackets: "::1"
  uint16_t port = 80;     // from the URL, else 80 (http) or 443 (https)
  std::string base_path;  // "" or "/prefix" (no trailing '/'); prepended to request targets
  Scheme scheme = Scheme::kHttp;

  // The Host header value: "127.0.0.1:8700", "[::1]:8700"; the scheme's
  // default port (80, 443) omitted.
  std::string Authority() const;
  // "http://" or "https://" + Authority() + base_path, as printed in messages.
  std::string ToString() const;
};

// Parses an endpoint URL ("http://..." or "https://..."). The scheme is
// case-insensitive; the path, if any, becomes base_path. Errors (kValidation,
// naming the URL and what is wrong): any other scheme or none, user info, an
// empty or malformed host, a bad IPv6 literal, a port outside 1..65535, a
// query or fragment.
Result<Endpoint> ParseEndpointUrl(std::string_view url);

// How transient an answer is, for RetryOptions::classify.
enum class Transience : uint8_t {
  kPermanent,  // never retried
  kTransient,  // retried when the request may be repeated (Idempotency)
  kThrottled,  // refused before any processing: retried for every request
};

// The default classification: 429 -> kThrottled, 5xx -> kTransient, else
// kPermanent.
Transience DefaultTransience(const Response& response);

struct RetryNotice {
  int attempt = 0;  // the attempt that failed, 1-based
  std::chrono::milliseconds delay{0};
  std::string reason;  // "HTTP 429", "cannot connect to ...: Connection refused"
};

struct RetryOptions {
  // Attempts in all, the first included; 1 turns retries off. Values below 1
  // count as 1.
  int max_attempts = 4;
  // Backoff before retry n (n = 1, 2, ...): a uniformly random delay in
  // [0, min(max_delay, base_delay * 2^(n-1))] ("full jitter"). An answer's
  // Retry-After (delta-seconds) or x-amz-retry-after (milliseconds) is a
  // lower bound; one longer than max_delay ends the retries and the answer
  // is returned as it is.
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{20'000};
  // Classifies a complete error answer (status >= 400, body collected).
  // Empty: DefaultTransience. Callers that know the service add its error
  // types (api/client treats a ThrottlingException as kThrottled).
  std::function<Transience(const Response&)> classify;
  // Source of the jitter; must outlive the Client. nullptr: SystemRandom.
  Random* random = nullptr;
  // Waits between attempts. Empty: std::this_thread::sleep_for. Tests pass a
  // recorder so they never sleep.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Told before each wait (progress output). May be empty.
  std::function<void(const RetryNotice&)> on_retry;
};

struct ClientOptions {
  // Bound on name resolution + TCP connect + TLS handshake. Names are
  // resolved with the system resolver (blocking; IP literals and /etc/hosts
  // need no lookup).
  std::chrono::milliseconds connect_timeout{10'000};
  // Longest wait for the next bytes while sending the request or reading the
  // response (an idle timeout, so a slow stream that keeps moving is fine).
  std::chrono::milliseconds read_timeout{120'000};
  size_t max_header_bytes = 64 * 1024;
  // Cap on the collected body of Send(request) and of any error answer
  // (status >= 400, collected to decide on a retry). The streaming form of a
  // successful answer has none: the callback sees every byte.
  size_t max_body_bytes = 32 * 1024 * 1024;
  // Sent as user-agent unless the request sets one.
  std::string user_agent = "bedrock-profiles/0.1.0";
  // https: a PEM file of extra trusted certificates, added to the system
  // trust store (the caller resolves AWS_CA_BUNDLE into it). Empty: none.
  std::string ca_bundle_file;
  RetryOptions retry;
};

// Whether a request may be sent again after it may have reached the server.
enum class Idempotency : uint8_t {
  kByMethod,       // GET, HEAD, OPTIONS, PUT, DELETE yes; POST, PATCH, others no
  kIdempotent,     // e.g. a create carrying a client request token
  kNotIdempotent,  // retried only when certainly not processed (see Send)
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

struct TlsState;  // client_exchange.h

class Client final {
 public:
  // For https endpoints, builds the TLS context (trust store, CA bundle). A
  // failure there (an unreadable or empty CA bundle) is kept and returned by
  // every Send(), and by setup_status().
  Client(Endpoint endpoint, ClientOptions options);

  const Endpoint& endpoint() const { return endpoint_; }
  const ClientOptions& options() const { return options_; }
  // OK, or why this client cannot send anything.
  Status setup_status() const { return tls_.status(); }

  // Sends `request` (method, target, headers, body; other fields ignored) on
  // a new connection per attempt and reads the response. The target is
  // appended to the endpoint's base_path. Headers go out exactly as given,
  // in order, plus `host` (Authority()) and `user-agent` when absent and
  // `content-length` when absent and the body is non-empty or the method is
  // POST/PUT/PATCH: what a caller signed is what is sent, on every attempt.
  //
  // A successful answer (status < 400) is handed to `callbacks` as it
  // arrives. An error answer (status >= 400) is first collected whole and
  // classified; when it is not retried, it is handed to the callbacks at once
  // (on_head, then its body in one piece).
  //
  // Retried, while attempts remain: connection failures before the request
  // was sent (refused, unresolvable, connect or TLS handshake timeout) and
  // kThrottled answers, always; transport failures after sending (reset,
  // read timeout, truncated answer) and kTransient answers, only for
  // idempotent requests. Never retried: certificate verification failures,
  // other answers, callback errors, anything after a callback has seen the
  // answer.
  //
  // Returns the status and headers (names lower-cased) with an empty body;
  // the body went to callbacks.on_body. Any HTTP status is a success here.
  // Errors: kServiceUnavailable for transport failures, naming the endpoint
  // and the reason ("cannot connect to http://127.0.0.1:8700: Connection
  // refused", "TLS handshake with bedrock.eu-central-1.amazonaws.com:443
  // failed: certificate verify failed (unable to get local issuer
  // certificate)", "... timed out after 120000 ms waiting for the response",
  // "... closed the connection before the response was complete",
  // "malformed HTTP response from ..."), followed by " (gave up after N
  // attempts)" when retried; kPayloadTooLarge for an error answer over
  // max_body_bytes; kValidation for a request that cannot be written (bad
  // method, target or header characters) or a failed setup_status(); or the
  // Status a callback returned.
  Result<Response> Send(const Request& request, const ResponseCallbacks& callbacks,
                        Idempotency idempotency = Idempotency::kByMethod) const;

  // As above, collecting the body into the returned Response. A body longer
  // than options.max_body_bytes fails with kPayloadTooLarge.
  Result<Response> Send(const Request& request,
                        Idempotency idempotency = Idempotency::kByMethod) const;

 private:
  const Endpoint endpoint_;
  const ClientOptions options_;
  // https: the TLS context, shared by concurrent Send()s, or why it could not
  // be built; http: nullptr.
  const Result<std::shared_ptr<TlsState>> tls_;
};

}  // namespace bp::http
