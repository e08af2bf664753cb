#pragma once
// HTTP/1.1 (Boost.Beast) and HTTP/2 cleartext with prior knowledge (nghttp2)
// on one listening socket, chosen per connection by sniffing the 24-byte
// HTTP/2 connection preface. One event loop per worker thread; a connection
// lives on one loop for its whole life. Public header of bp_http.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::http {

struct ServerOptions {
  std::string host = "127.0.0.1";       // listen address (IPv4 or IPv6 literal, or "localhost")
  uint16_t port = 8700;                 // 0 picks a free port; see Server::port()
  int threads = 0;                      // event loops; 0 = hardware concurrency
  size_t max_header_bytes = 64 * 1024;  // request line + headers (HTTP/2: header list size)
  size_t max_body_bytes = 32 * 1024 * 1024;
  // Request bodies being received or handled, summed over every connection
  // of the process: a body that would push the sum over this is refused with
  // 503 (ServiceUnavailable through Handler::ErrorResponse) before it is read.
  size_t max_body_bytes_in_flight = 96 * 1024 * 1024;
  // Open client connections (all loops together). 0: the file-descriptor
  // limit (raised to its hard limit by Listen()) minus kReservedFds. A value
  // above that is lowered to it. At the cap a new connection closes the
  // oldest idle one of its loop (logged once); with none idle it is closed.
  size_t max_connections = 0;
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive connection with no request
  std::chrono::milliseconds header_timeout{10'000};    // first byte to end of the header
  std::chrono::milliseconds request_timeout{120'000};  // headers+body must arrive within this
  std::chrono::milliseconds drain_timeout{30'000};     // graceful shutdown bound
  // Called on SIGHUP (on the first worker's loop thread, once per signal
  // delivery; signals arriving together may be merged) while signals are
  // caught. It must not block: hand the work to another thread. Empty: SIGHUP
  // is left alone (its default action ends the process).
  std::function<void()> on_hangup;

  // File descriptors kept out of max_connections: listeners, the database,
  // logs, lingering closes, and room to accept a connection at the cap.
  static constexpr size_t kReservedFds = 64;
};

class Server {
 public:
  // `handler`, `clock` and `random` must outlive the server.
  static std::unique_ptr<Server> Create(ServerOptions options, Handler& handler, Clock& clock,
                                        Random& random);
  virtual ~Server() = default;

  // Raises the soft RLIMIT_NOFILE to the hard limit, fixes the connection
  // cap, binds and listens. Errors: kIo with the address and the OS reason.
  virtual Status Listen() = 0;
  // The connection cap in force (after Listen()).
  virtual size_t max_connections() const = 0;
  // The bound port (after Listen()).
  virtual uint16_t port() const = 0;
  // Takes over SIGINT and SIGTERM now (they start the drain once Run() runs),
  // and SIGHUP when ServerOptions::on_hangup is set (it calls that, and the
  // server carries on), so a signal that arrives between Listen() and Run()
  // cannot kill the process with its default action. Idempotent.
  virtual void CatchSignals() = 0;
  // Serves until Shutdown() or, when `handle_signals`, SIGINT/SIGTERM (SIGHUP
  // calls ServerOptions::on_hangup and serving goes on); then
  // stops accepting, lets in-flight requests and streams finish (bounded by
  // drain_timeout) and returns. Blocks the calling thread.
  virtual void Run(bool handle_signals) = 0;
  // Starts the graceful drain. Thread-safe; may be called from any thread.
  virtual void Shutdown() = 0;
};

}  // namespace bp::http
