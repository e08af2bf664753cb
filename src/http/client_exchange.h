#pragma once
// One attempt of http::Client::Send: connect (TCP, then TLS for https), write
// the request, read the answer. Private to bp_http (used by client.cc); Asio,
// Beast and OpenSSL stay in client_exchange.cc.
//
// Thread-safety: RunAttempt may be called concurrently; each call has its own
// io_context and socket. A TlsState (client_tls.h) is shared read-only.

#include <memory>
#include <string>

#include "core/status.h"
#include "http/client.h"
#include "http/message.h"

namespace bp::http {

enum class FailureKind : uint8_t {
  kNone,
  kBeforeSend,  // resolve, connect or handshake failed: nothing was sent
  kAfterSend,   // transport failure once the request may have reached the server
  kPermanent,   // certificate verification, callback errors, limits: never retried
};

struct AttemptOutcome {
  Status status;  // OK when an answer was read completely
  FailureKind failure = FailureKind::kNone;
  // The answer's status and headers. When `held`, also its whole body: an
  // error answer (status >= 400) that the callbacks have not seen yet.
  Response response;
  bool held = false;
  // The callbacks saw (part of) the answer; nothing may be retried then.
  bool delivered = false;
};

// `head` is the serialized request head (request line and headers, ending in
// the blank line); request.body follows it. `tls` is required for https
// endpoints and ignored otherwise.
AttemptOutcome RunAttempt(const Endpoint& endpoint, const ClientOptions& options, TlsState* tls,
                          const std::string& head, const Request& request,
                          const ResponseCallbacks& callbacks);

}  // namespace bp::http
