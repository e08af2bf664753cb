#pragma once
// The upstream client's state below its public header: what an Upstream
// shares with its pools (UpstreamShared), one call (UpstreamCallState), the
// keep-alive pool of one upstream on one loop (LoopPool) and a loop's set of
// pools (UpstreamPools, owned by its AsioEventLoop). Private to bp_http.
//
// Threading: UpstreamShared is read by every loop (immutable but for its
// atomics). Everything else belongs to one loop and is touched only on its
// thread. Lifetime: pools are shared by their loop's UpstreamPools, their
// connections and the calls using them; connections by their pending Asio
// operations and, while idle, by their pool; a call by its handle and, while
// it runs, by its connection.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/status.h"
#include "http/client_tls.h"
#include "http/upstream_client.h"

namespace bp::http {

class LoopPool;
class UpstreamConnection;

struct UpstreamShared {
  UpstreamShared(Endpoint endpoint, UpstreamOptions options);

  const Endpoint endpoint;
  const UpstreamOptions options;
  const std::string url;        // endpoint.ToString(), for messages
  const std::string authority;  // the host header
  const std::string who;        // "host:port", for TLS messages
  // https: the TLS context, or why it could not be built; http: nullptr.
  const Result<std::shared_ptr<TlsState>> tls;
  // The host as an address when it is an IP literal (never resolved).
  const std::optional<boost::asio::ip::address> literal;

  std::atomic<size_t> in_flight{0};
  std::atomic<uint64_t> connections_opened{0};
  std::atomic<uint64_t> stale_retries{0};
  // The Upstream is gone: pools keep no idle connection for it any more.
  std::atomic<bool> retired{false};

  // Takes a slot of max_concurrent; false when none is left.
  bool TryAcquire();
  void Release();
};

// One call: what to send, whom to tell, and where it stands.
struct UpstreamCallState {
  std::shared_ptr<LoopPool> pool;
  std::string head;  // request line and header fields
  std::string body;
  bool head_request = false;
  UpstreamCallbacks callbacks;
  // The connection running the call, or nullptr (not started, finished,
  // cancelled). Cleared by the connection when it lets go.
  UpstreamConnection* connection = nullptr;
  bool retried = false;   // the stale-connection retry was used
  bool finished = false;  // on_done ran, or the handle was destroyed
  bool holds_slot = false;
  // The caller asked for no more body pieces for now (UpstreamCall::Pause).
  bool paused = false;

  // Ends the call: frees the slot, then on_done (unless already finished).
  void Finish(const UpstreamResult& result);
  // The handle went away: frees the slot, closes the connection, silences
  // every callback.
  void Cancel();
  // UpstreamCall::Pause / Resume.
  void Pause();
  void Resume();
};

// The keep-alive connections of one upstream on one loop.
class LoopPool final : public std::enable_shared_from_this<LoopPool> {
 public:
  LoopPool(boost::asio::io_context& io, std::shared_ptr<UpstreamShared> shared);
  ~LoopPool();
  LoopPool(const LoopPool&) = delete;
  LoopPool& operator=(const LoopPool&) = delete;

  boost::asio::io_context& io() { return io_; }
  const UpstreamShared& shared() const { return *shared_; }
  UpstreamShared& shared() { return *shared_; }

  // Runs `call` on the idle connection used last, else on a new one.
  void Run(std::shared_ptr<UpstreamCallState> call);
  // Runs `call` on a new connection (the stale-connection retry).
  void RunFresh(std::shared_ptr<UpstreamCallState> call);
  // A connection whose response is complete and which may carry another
  // request: kept idle, or closed when the pool is full, shut down or its
  // upstream retired.
  void Return(std::shared_ptr<UpstreamConnection> connection);
  // An idle connection closed (by the upstream, or its keep time ran out).
  void Forget(UpstreamConnection* connection);
  // Closes every idle connection; connections returned later are closed.
  void Shutdown();
  // Nothing left worth keeping: retired (or shut down) with no idle connection.
  bool Unused() const;
  size_t idle_count() const { return idle_.size(); }

  // Addresses the host resolved to, while fresh (dns_ttl); else nullptr.
  const std::vector<boost::asio::ip::tcp::endpoint>* CachedAddresses(
      std::chrono::steady_clock::time_point now) const;
  void CacheAddresses(std::vector<boost::asio::ip::tcp::endpoint> addresses,
                      std::chrono::steady_clock::time_point now);

 private:
  boost::asio::io_context& io_;
  const std::shared_ptr<UpstreamShared> shared_;
  std::vector<std::shared_ptr<UpstreamConnection>> idle_;  // used last at the back
  std::vector<boost::asio::ip::tcp::endpoint> addresses_;
  std::chrono::steady_clock::time_point resolved_at_{};
  bool shut_down_ = false;
};

// A loop's pools, one per upstream that loop has called. Owned by the loop's
// AsioEventLoop; loop thread only.
class UpstreamPools final {
 public:
  explicit UpstreamPools(boost::asio::io_context& io) : io_(io) {}
  ~UpstreamPools();
  UpstreamPools(const UpstreamPools&) = delete;
  UpstreamPools& operator=(const UpstreamPools&) = delete;

  // The pool for `shared` on this loop, created on first use. A linear scan:
  // a process calls a handful of upstreams. Pools of retired upstreams that
  // are empty are dropped when a new pool is made.
  LoopPool& For(const std::shared_ptr<UpstreamShared>& shared);
  // Shuts every pool down and forgets them.
  void Shutdown();
  size_t size() const { return pools_.size(); }

 private:
  boost::asio::io_context& io_;
  std::vector<std::shared_ptr<LoopPool>> pools_;
};

}  // namespace bp::http
