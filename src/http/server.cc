// Server: listening sockets, worker threads, round-robin accept and the
// graceful drain. Connection logic lives in worker.cc, http1_connection.cc
// and http2_connection.cc.

#include "http/server.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <exception>
#include <optional>
#include <sys/resource.h>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "http/connection.h"

namespace bp::http {
namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;
using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

std::string FormatEndpoint(const tcp::endpoint& ep) {
  const std::string address = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

// "localhost" listens on both loopback addresses (clients may resolve either);
// otherwise the host must be an IPv4 or IPv6 literal.
Result<std::vector<boost::asio::ip::address>> ListenAddresses(const std::string& host) {
  if (host == "localhost") {
    return std::vector<boost::asio::ip::address>{boost::asio::ip::address_v4::loopback(),
                                                 boost::asio::ip::address_v6::loopback()};
  }
  std::string literal = host;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  error_code ec;
  auto address = boost::asio::ip::make_address(literal, ec);
  if (ec) {
    return IoError("cannot listen on '" + host +
                   "': not an IPv4/IPv6 address literal or \"localhost\"");
  }
  return std::vector<boost::asio::ip::address>{address};
}

// Raises the soft open-file limit to the hard one (the default soft limit,
// often 1024, is far below what a server needs) and returns the soft limit
// in force afterwards.
size_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return static_cast<size_t>(limit.rlim_cur);
}

// The connection cap: what was asked for, never more than the descriptors
// left after ServerOptions::kReservedFds.
size_t ConnectionCap(size_t requested, size_t file_limit) {
  const size_t reserved = ServerOptions::kReservedFds;
  const size_t available = file_limit > 2 * reserved ? file_limit - reserved : file_limit / 2;
  const size_t cap = std::max<size_t>(1, available);
  if (requested == 0) return cap;
  if (requested > cap) {
    spdlog::warn("max_connections {} exceeds what the open-file limit ({}) allows; using {}",
                 requested, file_limit, cap);
    return cap;
  }
  return requested;
}

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Handler& handler, Clock& clock, Random& random)
      : limits_(options.max_body_bytes_in_flight),
        context_{std::move(options), handler, clock, random, limits_} {
    int threads = context_.options.threads;
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(context_));
    drain_timer_.emplace(workers_[0]->io());
  }

  ~ServerImpl() override {
    acceptors_.clear();
    retry_timers_.clear();
    signals_.reset();
    drain_timer_.reset();
    workers_.clear();  // each destroys its io_context first
  }

  Status Listen() override {
    limits_.max_connections = ConnectionCap(context_.options.max_connections, RaiseFileLimit());
    limits_.per_worker_connections = std::max<size_t>(1, limits_.max_connections / workers_.size());
    BP_ASSIGN_OR_RETURN(auto addresses, ListenAddresses(context_.options.host));
    uint16_t port = context_.options.port;
    for (size_t i = 0; i < addresses.size(); ++i) {
      Status status = Bind(tcp::endpoint(addresses[i], port), addresses.size() > 1);
      if (!status.ok()) {
        if (i == 0) return status;
        continue;  // "localhost" without IPv6: IPv4 alone will do
      }
      port = acceptors_.back().local_endpoint().port();
    }
    port_ = port;
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }
  size_t max_connections() const override { return limits_.max_connections; }

  void CatchSignals() override {
    if (signals_) return;
    signals_.emplace(workers_[0]->io(), SIGINT, SIGTERM);
    if (context_.options.on_hangup) signals_->add(SIGHUP);
    WaitForSignal();
  }

  void Run(bool handle_signals) override {
    if (handle_signals) CatchSignals();
    for (size_t i = 0; i < acceptors_.size(); ++i) Accept(i);
    std::vector<WorkGuard> guards;
    for (auto& w : workers_) guards.push_back(boost::asio::make_work_guard(w->io()));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < workers_.size(); ++i) {
      threads.emplace_back([w = workers_[i].get()] { RunLoop(*w); });
    }
    RunLoop(*workers_[0]);
    for (auto& t : threads) t.join();
    signals_.reset();
  }

  void Shutdown() override {
    boost::asio::post(workers_[0]->io(), [this] { BeginDrain(); });
  }

 private:
  Status Bind(const tcp::endpoint& endpoint, bool v6_only) {
    tcp::acceptor acceptor(workers_[0]->io());
    error_code ec;
    const std::string where = FormatEndpoint(endpoint);
    auto failed = [&where, &ec] { return IoError("listen on " + where + ": " + ec.message()); };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return failed();
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (endpoint.address().is_v6()) acceptor.set_option(boost::asio::ip::v6_only(v6_only), ec);
    acceptor.bind(endpoint, ec);
    if (ec) return failed();
    acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return failed();
    acceptors_.push_back(std::move(acceptor));
    retry_timers_.push_back(std::make_unique<boost::asio::steady_timer>(workers_[0]->io()));
    return Status::Ok();
  }

  // Runs on worker 0. SIGHUP is a request to the application (serve reloads
  // its config), never the end: the wait is armed again after it.
  void WaitForSignal() {
    signals_->async_wait([this](const error_code& ec, int signal_number) {
      if (ec) return;  // cancelled by the drain
      if (signal_number != SIGHUP) return BeginDrain();
      try {
        context_.options.on_hangup();
      } catch (const std::exception& e) {
        spdlog::error("SIGHUP handler threw: {}", e.what());
      } catch (...) {
        spdlog::error("SIGHUP handler threw a non-standard exception");
      }
      if (!draining_) WaitForSignal();
    });
  }

  static void RunLoop(Worker& worker) {
    for (;;) {
      try {
        worker.io().run();
        return;
      } catch (...) {
        // A handler threw outside the per-request catch (e.g. from a timer it
        // scheduled). Keep serving; the connection concerned is unaffected.
      }
    }
  }

  // Runs on worker 0, the acceptors' loop. Sockets are created on the next
  // worker's io_context, so a connection never changes loops.
  void Accept(size_t index) {
    Worker& target = *workers_[next_worker_];
    next_worker_ = (next_worker_ + 1) % workers_.size();
    acceptors_[index].async_accept(
        target.io(), [this, index, &target](const error_code& ec, tcp::socket socket) {
          if (draining_ || ec == boost::asio::error::operation_aborted) return;
          if (ec) {
            RetryAcceptLater(index);  // e.g. EMFILE: back off; the backlog holds clients
            return;
          }
          boost::asio::post(target.io(), [&target, s = std::move(socket)]() mutable {
            target.Accept(std::move(s));
          });
          Accept(index);
        });
  }

  void RetryAcceptLater(size_t index) {
    boost::asio::steady_timer& timer = *retry_timers_[index];
    timer.expires_after(kAcceptRetryDelay);
    timer.async_wait([this, index](const error_code& ec) {
      if (!ec && !draining_) Accept(index);
    });
  }

  void BeginDrain() {
    if (draining_) return;
    draining_ = true;
    // Workers are told before the acceptors close, so whatever a client does
    // after seeing connections refused is ordered after the drain on every
    // loop. Worker 0 (this thread) drains inline: a post to one's own loop
    // is queued privately until this handler returns.
    for (auto& w : workers_) {
      auto drain = [this, w = w.get()] {
        w->BeginDrain([this] {
          boost::asio::post(workers_[0]->io(), [this] {
            if (++drained_workers_ == workers_.size()) StopAll();
          });
        });
      };
      if (w == workers_[0]) {
        drain();
      } else {
        boost::asio::post(w->io(), std::move(drain));
      }
    }
    for (auto& a : acceptors_) {
      error_code ignored;
      a.close(ignored);
    }
    for (auto& t : retry_timers_) t->cancel();
    if (signals_) {
      error_code ignored;
      signals_->cancel(ignored);
    }
    drain_timer_->expires_after(context_.options.drain_timeout);
    drain_timer_->async_wait([this](const error_code& ec) {
      if (!ec) StopAll();  // drain_timeout: force-close whatever remains
    });
  }

  void StopAll() {
    if (stopped_) return;
    stopped_ = true;
    drain_timer_->cancel();
    for (auto& w : workers_) {
      boost::asio::post(w->io(), [w = w.get()] {
        w->AbortAll();
        w->io().stop();
      });
    }
  }

  SharedLimits limits_;
  const ServerContext context_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<tcp::acceptor> acceptors_;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> retry_timers_;
  std::optional<boost::asio::signal_set> signals_;
  std::optional<boost::asio::steady_timer> drain_timer_;
  uint16_t port_ = 0;
  // Touched only on worker 0's thread.
  size_t next_worker_ = 0;
  size_t drained_workers_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Server> Server::Create(ServerOptions options, Handler& handler, Clock& clock,
                                       Random& random) {
  return std::make_unique<ServerImpl>(std::move(options), handler, clock, random);
}

}  // namespace bp::http
