// HTTP/2 (h2c, prior knowledge) connections: socket I/O and timers around an
// Http2Session, which holds the protocol logic.

#include <array>
#include <optional>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "http/connection.h"
#include "http/http2_session.h"

namespace bp::http {
namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;
using SteadyTime = std::chrono::steady_clock::time_point;

class Http2Connection final : public Connection, public Http2Session::Transport {
 public:
  Http2Connection(Worker& worker, tcp::socket socket, Peer peer)
      : worker_(worker), socket_(std::move(socket)), timer_(worker.io()), peer_(std::move(peer)) {}

  void Start(std::string&& initial) override {
    const ServerContext& ctx = worker_.context();
    auto session = Http2Session::Create({.options = ctx.options,
                                         .handler = ctx.handler,
                                         .clock = ctx.clock,
                                         .random = ctx.random,
                                         .loop = worker_.loop(),
                                         .remote_address = peer_.address,
                                         .remote_port = peer_.port,
                                         .limits = &ctx.limits},
                                        this);
    if (!session.ok()) {
      Close();
      return;
    }
    session_ = std::move(session).value();
    Consume(initial);
    Read();
  }

  void Drain() override {
    if (closed_) return;
    session_->Drain();
    Flush();
  }

  void Abort() override { Close(); }

  void OnOutputReady() override { Flush(); }

 private:
  static constexpr size_t kReadSize = size_t{16} * 1024;
  static constexpr size_t kWriteSoftLimit = size_t{64} * 1024;

  std::shared_ptr<Http2Connection> Self() {
    return std::static_pointer_cast<Http2Connection>(shared_from_this());
  }

  void Read() {
    if (reading_ || closed_) return;
    reading_ = true;
    socket_.async_read_some(boost::asio::buffer(read_buf_),
                            [self = Self()](const error_code& ec, size_t n) {
                              self->reading_ = false;
                              if (self->closed_) return;
                              if (ec) {  // the peer is gone: open streams report Closed()
                                self->Close();
                                return;
                              }
                              self->Consume(std::string_view(self->read_buf_.data(), n));
                              self->Read();
                            });
  }

  void Consume(std::string_view bytes) {
    if (closed_) return;
    if (!session_->Receive(bytes, std::chrono::steady_clock::now()).ok()) {
      Close();  // nghttp2 asks for an immediate close (bad preface, flooding, ...)
      return;
    }
    Flush();
    UpdateTimer();
  }

  void Flush() {
    if (writing_ || closed_) return;
    out_.clear();
    if (!session_->CollectOutput(out_, kWriteSoftLimit)) {
      Close();
      return;
    }
    if (out_.empty()) {
      if (session_->Finished()) CloseGracefully();
      return;
    }
    writing_ = true;
    boost::asio::async_write(socket_, boost::asio::buffer(out_),
                             [self = Self()](const error_code& ec, size_t /*n*/) {
                               self->writing_ = false;
                               if (self->closed_) return;
                               if (ec) {
                                 self->Close();
                                 return;
                               }
                               self->Flush();
                               self->UpdateTimer();
                             });
  }

  // One timer serves the idle timeout (no open stream) and the request
  // timeouts of streams still receiving their request.
  void UpdateTimer() {
    if (closed_) return;
    const SteadyTime now = std::chrono::steady_clock::now();
    std::optional<SteadyTime> deadline = session_->ExpireRequests(now);
    worker_.SetIdle(this, session_->open_streams() == 0);
    if (session_->open_streams() == 0) {
      if (!idle_since_) idle_since_ = now;
      const SteadyTime idle_deadline = *idle_since_ + worker_.context().options.idle_timeout;
      if (!deadline || idle_deadline < *deadline) deadline = idle_deadline;
    } else {
      idle_since_.reset();
    }
    if (deadline == armed_deadline_) return;
    armed_deadline_ = deadline;
    const uint64_t generation = ++timer_generation_;
    if (!deadline) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(*deadline);
    timer_.async_wait([self = Self(), generation](const error_code& ec) {
      if (!ec && generation == self->timer_generation_) self->OnTimer();
    });
  }

  void OnTimer() {
    if (closed_) return;
    armed_deadline_.reset();
    const SteadyTime now = std::chrono::steady_clock::now();
    if (idle_since_ && session_->open_streams() == 0 &&
        now >= *idle_since_ + worker_.context().options.idle_timeout) {
      session_->Terminate();  // GOAWAY; Flush() closes once it is written
      Flush();
      return;
    }
    UpdateTimer();
    Flush();
  }

  void CloseGracefully() {
    if (closed_) return;
    Detach();
    error_code ignored;
    socket_.cancel(ignored);  // the pending read; the lingering close reads on its own
    LingeringClose(std::move(socket_));
  }

  void Close() {
    if (closed_) return;
    Detach();
    error_code ignored;
    socket_.close(ignored);
  }

  void Detach() {
    closed_ = true;
    ++timer_generation_;
    timer_.cancel();
    if (session_) session_->Abort();
    worker_.Unregister(this);
  }

  Worker& worker_;
  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const Peer peer_;
  std::shared_ptr<Http2Session> session_;
  std::array<char, kReadSize> read_buf_;
  std::string out_;
  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  std::optional<SteadyTime> idle_since_;
  std::optional<SteadyTime> armed_deadline_;
  uint64_t timer_generation_ = 0;
};

}  // namespace

std::shared_ptr<Connection> MakeHttp2Connection(Worker& worker, tcp::socket socket, Peer peer) {
  return std::make_shared<Http2Connection>(worker, std::move(socket), std::move(peer));
}

}  // namespace bp::http
