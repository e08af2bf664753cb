#pragma once
// Non-blocking HTTP/1.1 client for upstream calls made from the server's
// event loops (backends proxying to Bedrock or an OpenAI-compatible API).
// Public header of bp_http; Asio, Beast and OpenSSL stay in upstream_*.cc
// (docs/http.md, "Upstream client").
//
// Model: an Upstream (one endpoint plus its options) is shared by every
// loop. Each loop that calls it gets its own pool of keep-alive connections
// to it, created on first use and touched only by that loop's thread, so the
// request path takes no lock; the one shared mutable value is an atomic
// count of calls in flight, for max_concurrent. A call runs entirely on the
// loop that started it: connect (or reuse an idle connection), write the
// request, hand the response head and then each decoded body piece to the
// callbacks as they arrive (chunked, content-length or until close; nothing
// is buffered whole), then on_done. No thread is created per call, and no
// socket operation blocks the loop. Host names are resolved by Asio's
// resolver (getaddrinfo on one helper thread per loop, never on the loop)
// and the addresses are reused for UpstreamOptions::dns_ttl.
//
// https:// endpoints use TLS 1.2+ with certificate verification exactly as
// http::Client does (shared code): the system trust store plus
// UpstreamOptions::ca_bundle_file, SNI, and the certificate must name the
// host (DNS name or IP address). There is no way to turn verification off.
//
// Thread-safety: an Upstream is immutable after construction except for
// atomic counters; Start() may be called from several loops at once. Each
// call, its callbacks and its UpstreamCall handle belong to the loop it was
// started on.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/event_loop.h"
#include "core/status.h"
#include "http/client.h"
#include "http/message.h"

namespace bp::http {

struct UpstreamOptions {
  // Name resolution + TCP connect + TLS handshake of a new connection.
  std::chrono::milliseconds connect_timeout{5'000};
  // From the moment the request starts going out until the first byte of the
  // response (the whole request is written within it too).
  std::chrono::milliseconds first_byte_timeout{60'000};
  // Once the response has started: the longest wait for the next bytes
  // (between two event-stream frames or SSE chunks).
  std::chrono::milliseconds idle_timeout{60'000};
  // Keep-alive connections kept idle per loop; a connection coming back to
  // a full pool is closed.
  size_t max_idle_per_loop = 64;
  // How long an idle connection is kept before it is closed. Keep it below
  // the upstream's own keep-alive timeout, so the upstream rarely closes a
  // connection just as it is reused.
  std::chrono::milliseconds keep_idle{30'000};
  // Calls in flight to this upstream, all loops together. A Start() beyond it
  // fails at once with kThrottling (no queue). 0: no limit.
  size_t max_concurrent = 1024;
  // Status line + header fields of a response; also bounds a chunk-size line
  // and the trailers.
  size_t max_header_bytes = 64 * 1024;
  // Sent as user-agent unless the request sets one; empty: none.
  std::string user_agent = "bedrock-profiles/0.1.0";
  // https: a PEM file of extra trusted certificates, added to the system
  // trust store (the caller resolves AWS_CA_BUNDLE into it). Empty: none.
  std::string ca_bundle_file;
  // How long the addresses a host name resolved to are reused by a loop
  // before new connections resolve it again. IP literals are never resolved.
  std::chrono::milliseconds dns_ttl{30'000};
};

// Why a call failed, for the caller's retry and error mapping.
enum class UpstreamFailure : uint8_t {
  kNone,
  // Nothing was sent: safe to try elsewhere.
  kInvalidRequest,    // kValidation: a method, target or header that cannot be written
  kConcurrencyLimit,  // kThrottling: max_concurrent calls already in flight
  kSetup,             // setup_status() failed (e.g. an unreadable CA bundle), or not a server loop
  kConnect,           // cannot resolve the host, connection refused or unreachable
  kConnectTimeout,    // connect_timeout passed (resolve, connect or TLS handshake)
  kTls,               // the TLS handshake failed (certificate refused, not TLS, ...)
  // The request may have reached the upstream.
  kFirstByteTimeout,  // first_byte_timeout passed without a byte of the response
  kIdleTimeout,       // the response started, then no bytes for idle_timeout
  kConnectionLost,    // reset or closed after sending, before the response was complete
  kMalformed,         // the response is not HTTP/1.1, or its header is over the limit
};

// True for the failures above where nothing of the request was sent.
bool NothingSent(UpstreamFailure failure);

// How a call ended.
struct UpstreamResult {
  // OK when the whole response was received. Otherwise kServiceUnavailable
  // for transport failures, naming the endpoint and what happened ("cannot
  // connect to http://127.0.0.1:8700: Connection refused", "no response from
  // ... within 200 ms (first-byte timeout)", "the response from ... stalled:
  // no bytes for 200 ms (idle timeout)", "... closed the connection before
  // the response was complete (...)", "malformed HTTP response from ...: ...",
  // "TLS handshake with host:port failed: certificate verify failed (...)"),
  // kThrottling for the concurrency limit, kValidation for a request that
  // cannot be written, or setup_status().
  Status status;
  UpstreamFailure failure = UpstreamFailure::kNone;
  // Some byte of the response had arrived when the call failed (so a retry
  // might duplicate work the caller has seen part of).
  bool response_started = false;
};

// Receives a response on the call's loop, never inside Start(). Any callback
// may destroy the call's UpstreamCall handle; nothing is called after that.
struct UpstreamCallbacks {
  // Once, with the final response's status and headers (names lower-cased,
  // in order; body empty), before any body piece. Interim 1xx responses are
  // skipped. May be empty.
  std::function<void(const Response& head)> on_head;
  // Each decoded body piece in order, as it arrives (never empty). The view
  // is valid during the call only. May be empty.
  std::function<void(std::string_view piece)> on_body;
  // Exactly once, last, unless the handle was destroyed first.
  std::function<void(const UpstreamResult& result)> on_done;
};

// One call in progress. Destroying the handle cancels the call: its
// connection is closed (never pooled again), the concurrency slot is freed
// and no callback runs afterwards. Must be destroyed on the call's loop
// thread, before that loop's Server is destroyed.
class UpstreamCall {
 public:
  virtual ~UpstreamCall() = default;
  // Backpressure for a caller that cannot take more yet (its own client is
  // slow): after Pause, the socket is no longer read once the pieces already
  // received are delivered, so the upstream is held back by TCP's window;
  // the idle timeout does not run meanwhile. Resume reads on. No effect
  // after on_done. Loop thread only, like the handle.
  virtual void Pause() = 0;
  virtual void Resume() = 0;
};

// Counters since construction, for tests and metrics. Read with relaxed
// atomics: a snapshot, not a consistent cut.
struct UpstreamStats {
  size_t in_flight = 0;
  uint64_t connections_opened = 0;  // TCP connections attempted
  uint64_t stale_retries = 0;       // requests sent again after a reused connection was dead
};

struct UpstreamShared;  // upstream_pool.h

class Upstream final {
 public:
  // For https endpoints, builds the TLS context (trust store, CA bundle). A
  // failure there is kept: setup_status() returns it and every call fails
  // with it (kSetup).
  Upstream(Endpoint endpoint, UpstreamOptions options);
  // Calls in flight go on; idle connections are closed by their loops within
  // keep_idle (the pools never touch another loop's sockets).
  ~Upstream();
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  const Endpoint& endpoint() const;
  const UpstreamOptions& options() const;
  Status setup_status() const;
  UpstreamStats stats() const;

  // Sends `request` (method, target, headers, body; other fields ignored) on
  // an idle connection of this loop's pool, or on a new one. The target is
  // appended to the endpoint's base_path; headers go out exactly as given,
  // in order, plus `host` (Endpoint::Authority()) and `user-agent` when
  // absent and `content-length` when absent and the body is non-empty or the
  // method is POST/PUT/PATCH. Hop-by-hop framing headers (transfer-encoding,
  // connection, ...) and a content-length other than the body's are refused
  // (kInvalidRequest): the client owns the framing.
  //
  // When a request written on a reused connection gets no byte of response
  // because the upstream had closed or reset that connection (it was about to
  // expire), it is sent once more on a new connection, whatever the method:
  // the upstream closed the connection idle, so it did not process it.
  //
  // REQUIRES: called on `loop`'s thread, and `loop` is a Server's loop
  // (ResponseStream::loop()); any other loop gets a kSetup failure. Errors
  // arrive through on_done (see UpstreamResult), never from Start itself.
  // The returned handle must be kept until on_done (or destroyed to cancel).
  [[nodiscard]] std::unique_ptr<UpstreamCall> Start(EventLoop& loop, Request request,
                                                    UpstreamCallbacks callbacks) const;

 private:
  const std::shared_ptr<UpstreamShared> shared_;
};

}  // namespace bp::http
