// Worker bookkeeping (connection cap, idle shedding), protocol sniffing and
// lingering close.

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "http/connection.h"
#include "http/sniff.h"

namespace bp::http {
namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;

// Reads until the first bytes decide the protocol, then hands the socket and
// those bytes to the protocol's connection. Real HTTP/1.1 traffic decides
// within two bytes; the preface decides after 24.
class Sniffer final : public Connection {
 public:
  Sniffer(Worker& worker, tcp::socket socket, Peer peer)
      : worker_(worker), socket_(std::move(socket)), timer_(worker.io()), peer_(std::move(peer)) {}

  void Start(std::string&& initial) override {
    buffer_ = std::move(initial);
    worker_.SetIdle(this, true);  // nothing received yet
    Arm(worker_.context().options.idle_timeout);
    Read();
  }

  // Nothing was requested yet, so a drain may close at once.
  void Drain() override { Abort(); }

  void Abort() override {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    error_code ignored;
    socket_.close(ignored);
    worker_.Unregister(this);
  }

 private:
  static constexpr size_t kReadSize = size_t{16} * 1024;

  std::shared_ptr<Sniffer> Self() { return std::static_pointer_cast<Sniffer>(shared_from_this()); }

  void Arm(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = Self()](const error_code& ec) {
      if (!ec) self->Abort();
    });
  }

  void Read() {
    const size_t old = buffer_.size();
    buffer_.resize(old + kReadSize);
    socket_.async_read_some(boost::asio::buffer(buffer_.data() + old, kReadSize),
                            [self = Self(), old](const error_code& ec, size_t n) {
                              self->buffer_.resize(old + (ec ? 0 : n));
                              self->OnRead(ec);
                            });
  }

  void OnRead(const error_code& ec) {
    if (done_) return;
    if (ec) {
      Abort();
      return;
    }
    const Protocol protocol = SniffProtocol(buffer_);
    if (protocol == Protocol::kUndecided) {
      if (!started_) {  // a preface trickling in is a header arriving slowly
        started_ = true;
        worker_.SetIdle(this, false);
        Arm(worker_.context().options.header_timeout);
      }
      Read();
      return;
    }
    done_ = true;
    timer_.cancel();
    worker_.Unregister(this);
    std::shared_ptr<Connection> next =
        protocol == Protocol::kHttp2 ? MakeHttp2Connection(worker_, std::move(socket_), peer_)
                                     : MakeHttp1Connection(worker_, std::move(socket_), peer_);
    worker_.Register(next);
    next->Start(std::move(buffer_));
  }

  Worker& worker_;
  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const Peer peer_;
  std::string buffer_;
  bool done_ = false;
  bool started_ = false;  // bytes arrived
};

struct Linger : std::enable_shared_from_this<Linger> {
  explicit Linger(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  void Start(LingerLimits limits) {
    error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      socket.close(ec);
      return;
    }
    this->limits = limits;
    deadline = std::chrono::steady_clock::now() + limits.total;
    Arm();
    Read();
  }

  // Closes after `idle` without input, and in any case at the deadline.
  void Arm() {
    timer.expires_at(std::min(deadline, std::chrono::steady_clock::now() + limits.idle));
    timer.async_wait([self = shared_from_this()](const error_code& wait_ec) {
      if (!wait_ec) self->Close();
    });
  }

  void Read() {
    socket.async_read_some(boost::asio::buffer(buf),
                           [self = shared_from_this()](const error_code& ec, size_t n) {
                             if (ec) {
                               self->Close();
                               return;
                             }
                             if (n > 0) self->Arm();  // cancels the pending wait
                             self->Read();
                           });
  }

  void Close() {
    timer.cancel();
    error_code ignored;
    socket.close(ignored);
  }

  tcp::socket socket;
  boost::asio::steady_timer timer;
  LingerLimits limits;
  std::chrono::steady_clock::time_point deadline;
  std::array<char, 16384> buf;
};

}  // namespace

Worker::Worker(const ServerContext& context)
    : context_(context), io_(std::make_unique<boost::asio::io_context>(1)), loop_(*io_) {}

// The upstream pools' idle sockets are closed while their io_context exists.
// Then the io_context goes: destroying its pending handlers destroys the
// connections they own while everything else here is still intact.
Worker::~Worker() {
  loop_.CloseUpstreamPools();
  io_.reset();
}

void Worker::Accept(tcp::socket socket) {
  error_code ec;
  if (draining_) {
    socket.close(ec);
    return;
  }
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) {
    socket.close(ec);
    return;
  }
  if (connections_.size() >= context_.limits.per_worker_connections && !MakeRoom()) {
    socket.close(ec);  // every connection is busy: refuse rather than run out of descriptors
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);  // streamed chunks must not wait for Nagle
  Peer peer{remote.address().to_string(), remote.port()};
  auto sniffer = std::make_shared<Sniffer>(*this, std::move(socket), std::move(peer));
  Register(sniffer);
  sniffer->Start({});
}

void Worker::Register(const std::shared_ptr<Connection>& connection) {
  connections_.emplace(connection.get(), Entry{.connection = connection, .key = connection.get()});
}

void Worker::Unregister(Connection* connection) {
  auto it = connections_.find(connection);
  if (it != connections_.end()) {
    UnlinkIdle(it->second);
    connections_.erase(it);
  }
  MaybeReportDrained();
}

void Worker::LinkIdle(Entry& entry) {
  entry.idle = true;
  entry.idle_prev = idle_tail_;
  entry.idle_next = nullptr;
  (idle_tail_ != nullptr ? idle_tail_->idle_next : idle_head_) = &entry;
  idle_tail_ = &entry;
}

void Worker::UnlinkIdle(Entry& entry) {
  if (!entry.idle) return;
  (entry.idle_prev != nullptr ? entry.idle_prev->idle_next : idle_head_) = entry.idle_next;
  (entry.idle_next != nullptr ? entry.idle_next->idle_prev : idle_tail_) = entry.idle_prev;
  entry.idle = false;
  entry.idle_prev = entry.idle_next = nullptr;
}

void Worker::SetIdle(Connection* connection, bool idle) {
  auto it = connections_.find(connection);
  if (it == connections_.end() || it->second.idle == idle) return;
  if (idle) {
    LinkIdle(it->second);
  } else {
    UnlinkIdle(it->second);
  }
}

bool Worker::MakeRoom() {
  const bool first = context_.limits.FirstShed();
  while (idle_head_ != nullptr) {
    Entry& oldest = *idle_head_;
    UnlinkIdle(oldest);
    std::shared_ptr<Connection> victim = oldest.connection.lock();
    if (!victim) {
      connections_.erase(oldest.key);
      continue;
    }
    if (first) {
      spdlog::warn(
          "connection limit reached ({} connections): closing the connections idle the longest to "
          "accept new ones (logged once; see server.max_connections and the open-file limit)",
          context_.limits.max_connections);
    }
    victim->Abort();  // unregisters itself
    return true;
  }
  if (first) {
    spdlog::warn(
        "connection limit reached ({} connections) and none is idle: refusing new "
        "connections until one closes (logged once; see server.max_connections)",
        context_.limits.max_connections);
  }
  return false;
}

void Worker::BeginDrain(std::function<void()> on_drained) {
  draining_ = true;
  on_drained_ = std::move(on_drained);
  std::vector<std::shared_ptr<Connection>> live;
  live.reserve(connections_.size());
  for (auto& [ptr, entry] : connections_) {
    if (auto c = entry.connection.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->Drain();
  MaybeReportDrained();
}

void Worker::AbortAll() {
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [ptr, entry] : connections_) {
    if (auto c = entry.connection.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->Abort();
  connections_.clear();
  idle_head_ = idle_tail_ = nullptr;
}

void Worker::MaybeReportDrained() {
  if (!draining_ || !on_drained_) return;
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (!it->second.connection.expired()) {
      ++it;
      continue;
    }
    UnlinkIdle(it->second);
    it = connections_.erase(it);
  }
  if (!connections_.empty()) return;
  std::function<void()> done = std::move(on_drained_);
  on_drained_ = nullptr;
  done();
}

void LingeringClose(tcp::socket socket, LingerLimits limits) {
  std::make_shared<Linger>(std::move(socket))->Start(limits);
}

}  // namespace bp::http
