#pragma once
// Connections and the worker loop that owns them. Private to bp_http (it
// names Asio types; only server.cc and the connection .cc files include it).
//
// Threading: a Worker is one io_context run by one thread. Every method of a
// Worker or a Connection runs on that thread, except construction.
// Lifetime: connections are owned by their pending asio operations and by the
// ResponseStreams handed to the handler (shared_ptr); the Worker holds only
// weak references, so a connection's destructor must not touch its Worker.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/clock.h"
#include "http/event_loop_asio.h"
#include "http/limits.h"
#include "http/message.h"
#include "http/server.h"

namespace bp::http {

// Immutable for the server's life (except `limits`' counters); shared by all
// workers.
struct ServerContext {
  ServerOptions options;
  Handler& handler;
  Clock& clock;
  Random& random;
  SharedLimits& limits;
};

struct Peer {
  std::string address;  // "127.0.0.1" or "::1"
  uint16_t port = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  // Starts serving; `initial` holds bytes already read while sniffing.
  virtual void Start(std::string&& initial) = 0;
  // Graceful drain: close at once if idle, otherwise finish what is in flight
  // (HTTP/1.1: connection: close; HTTP/2: GOAWAY) and then close.
  virtual void Drain() = 0;
  // Closes now; pending ResponseStreams report Closed().
  virtual void Abort() = 0;
};

class Worker final {
 public:
  explicit Worker(const ServerContext& context);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& io() { return *io_; }
  EventLoop& loop() { return loop_; }
  const ServerContext& context() const { return context_; }

  // Serves an accepted socket: sniffs the protocol, then runs an HTTP/1.1 or
  // HTTP/2 connection. Closes it at once when draining.
  void Accept(boost::asio::ip::tcp::socket socket);

  // Connections report their life here (see the lifetime note above).
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(Connection* connection);
  // A connection is idle when it has nothing in progress (HTTP/1.1: waiting
  // for a request, no byte of it received; HTTP/2: no open stream; a new
  // connection: nothing received yet). At the connection cap the one idle
  // the longest is closed to make room. Cheap when nothing changes.
  void SetIdle(Connection* connection, bool idle);
  size_t connection_count() const { return connections_.size(); }

  // Drains every connection; calls `on_drained` (on this thread) once none
  // is left. New sockets are closed from now on.
  void BeginDrain(std::function<void()> on_drained);
  bool draining() const { return draining_; }
  // Closes every connection now.
  void AbortAll();

 private:
  void MaybeReportDrained();
  // Makes room for one more connection; false when none could be closed.
  bool MakeRoom();

  // connections_'s nodes never move, so the idle list links them directly:
  // becoming idle or busy is O(1) and allocates nothing.
  struct Entry {
    std::weak_ptr<Connection> connection;
    Connection* key = nullptr;
    bool idle = false;
    Entry* idle_prev = nullptr;  // the idle list: oldest first
    Entry* idle_next = nullptr;
  };
  void LinkIdle(Entry& entry);
  void UnlinkIdle(Entry& entry);

  const ServerContext& context_;
  std::unique_ptr<boost::asio::io_context> io_;
  AsioEventLoop loop_;
  std::unordered_map<Connection*, Entry> connections_;
  Entry* idle_head_ = nullptr;  // idle the longest
  Entry* idle_tail_ = nullptr;
  bool draining_ = false;
  std::function<void()> on_drained_;
};

std::shared_ptr<Connection> MakeHttp1Connection(Worker& worker, boost::asio::ip::tcp::socket socket,
                                                Peer peer);
std::shared_ptr<Connection> MakeHttp2Connection(Worker& worker, boost::asio::ip::tcp::socket socket,
                                                Peer peer);

// How long a lingering close keeps draining input (as nginx's lingering_timeout
// and lingering_time): close after `idle` with no input, or after `total`.
struct LingerLimits {
  std::chrono::milliseconds idle{5'000};
  std::chrono::milliseconds total{30'000};
};

// Half-closes `socket` (our response is complete) and discards input until
// the peer closes or the limits run out, then closes. Closing with unread
// input would make the kernel send RST, which can destroy the response before
// the client reads it (e.g. a 413 sent while a large body is still arriving).
// The cost is bounded by time, not bytes: a client still streaming a body it
// was refused is usually an SDK that writes the whole body before reading.
void LingeringClose(boost::asio::ip::tcp::socket socket, LingerLimits limits = {});

}  // namespace bp::http
