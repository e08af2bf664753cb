#include "http/upstream_connection.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

namespace bp::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

// One read's worth; the buffer grows (up to max_header_bytes more) only for
// a header section that does not fit.
constexpr size_t kReadSize = size_t{16} * 1024;

std::string Ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// The peer ended the connection (rather than, say, the buffer being bad).
bool ClosedByPeer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

UpstreamConnection::UpstreamConnection(std::shared_ptr<LoopPool> pool)
    : pool_(std::move(pool)),
      shared_(pool_->shared()),
      timer_(pool_->io()),
      decoder_(shared_.options.max_header_bytes),
      buf_(kReadSize) {
  if (shared_.endpoint.scheme == Scheme::kHttps) {
    tls_.emplace(pool_->io(), shared_.tls.value()->context);
  } else {
    plain_.emplace(pool_->io());
  }
}

UpstreamConnection::~UpstreamConnection() = default;

tcp::socket& UpstreamConnection::Socket() { return tls_ ? tls_->next_layer() : *plain_; }

void UpstreamConnection::Begin(std::shared_ptr<UpstreamCallState> call) {
  call_ = std::move(call);
  call_->connection = this;
  head_delivered_ = false;
  response_bytes_ = 0;
  decoder_.Reset(call_->head_request);
  if (phase_ == Phase::kIdle) {
    phase_ = Phase::kExchanging;
    reused_ = true;
    Write();
    return;
  }
  reused_ = false;
  Connect();
}

void UpstreamConnection::Connect() {
  phase_ = Phase::kConnecting;
  shared_.connections_opened.fetch_add(1, std::memory_order_relaxed);
  SetDeadline(shared_.options.connect_timeout, Deadline::kConnect);
  if (shared_.literal) {
    addresses_.assign(1, tcp::endpoint(*shared_.literal, shared_.endpoint.port));
    return ConnectTo();
  }
  if (const auto* cached = pool_->CachedAddresses(Clock::now())) {
    addresses_ = *cached;
    return ConnectTo();
  }
  // getaddrinfo runs on Asio's resolver thread for this loop, never here.
  resolver_.emplace(pool_->io());
  resolver_->async_resolve(
      shared_.endpoint.host, std::to_string(shared_.endpoint.port), tcp::resolver::numeric_service,
      [self = shared_from_this()](const error_code& ec, const tcp::resolver::results_type& found) {
        if (self->phase_ == Phase::kClosed) return;
        if (ec || found.empty()) {
          return self->Fail(UpstreamFailure::kConnect,
                            "cannot connect to " + self->shared_.url + ": cannot resolve host '" +
                                self->shared_.endpoint.host +
                                "': " + (ec ? ec.message() : std::string("no address")));
        }
        self->addresses_.clear();
        for (const auto& entry : found) self->addresses_.push_back(entry.endpoint());
        self->pool_->CacheAddresses(self->addresses_, Clock::now());
        self->ConnectTo();
      });
}

void UpstreamConnection::ConnectTo() {
  asio::async_connect(
      Socket(), addresses_,
      [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
        if (self->phase_ == Phase::kClosed) return;
        if (ec) {
          return self->Fail(UpstreamFailure::kConnect,
                            "cannot connect to " + self->shared_.url + ": " + ec.message());
        }
        error_code ignored;
        self->Socket().set_option(tcp::no_delay(true), ignored);  // pieces must not wait for Nagle
        if (self->tls_) return self->Handshake();
        self->phase_ = Phase::kExchanging;
        self->Write();
      });
}

void UpstreamConnection::Handshake() {
  Status prepared = PrepareTlsConnection(tls_->native_handle(), shared_.endpoint.host, shared_.who);
  if (!prepared.ok()) return Fail(UpstreamFailure::kTls, prepared.message());
  tls_->async_handshake(
      ssl::stream_base::client, [self = shared_from_this()](const error_code& ec) {
        if (self->phase_ == Phase::kClosed) return;
        if (ec) {
          TlsFailure failure =
              DescribeHandshakeFailure(self->tls_->native_handle(), ec, self->shared_.who);
          return self->Fail(UpstreamFailure::kTls, std::move(failure.message));
        }
        self->phase_ = Phase::kExchanging;
        self->Write();
      });
}

void UpstreamConnection::Write() {
  SetDeadline(shared_.options.first_byte_timeout, Deadline::kFirstByte);
  writing_ = true;
  std::array<asio::const_buffer, 2> buffers{asio::buffer(call_->head), asio::buffer(call_->body)};
  // The call is captured so that the buffers outlive the write even when the
  // call is cancelled meanwhile.
  auto done = [self = shared_from_this(), call = call_](const error_code& ec, size_t) {
    self->writing_ = false;
    if (self->phase_ == Phase::kClosed || self->call_ != call) return;
    if (ec) self->OnTransportError(ec);
  };
  if (tls_) {
    asio::async_write(*tls_, buffers, std::move(done));
  } else {
    asio::async_write(*plain_, buffers, std::move(done));
  }
  // Read while writing: an upstream may answer (and close) before it has
  // read the whole body. A reused connection already has its read pending.
  if (!reading_) Read();
}

void UpstreamConnection::Read() {
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    // The decoder keeps at most max_header_bytes undecoded, so this stops
    // growing at max_header_bytes + kReadSize.
    buf_.resize(std::min(buf_.size() * 2, shared_.options.max_header_bytes + kReadSize));
  }
  reading_ = true;
  auto handler = [self = shared_from_this()](const error_code& ec, size_t n) {
    self->reading_ = false;
    self->OnRead(ec, n);
  };
  auto space = asio::buffer(buf_.data() + end_, buf_.size() - end_);
  if (tls_) {
    tls_->async_read_some(space, std::move(handler));
  } else {
    plain_->async_read_some(space, std::move(handler));
  }
}

void UpstreamConnection::OnRead(const error_code& ec, size_t n) {
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kIdle) {  // the upstream closed it, or sent what nobody asked for
    Close();
    pool_->Forget(this);
    return;
  }
  end_ += n;
  if (n > 0) {
    response_bytes_ += n;
    SetDeadline(shared_.options.idle_timeout, Deadline::kIdle);
  }
  // A clean end (TCP FIN, TLS close_notify) may end a body delimited by the
  // close; an abrupt one never does.
  const bool eof = ec == asio::error::eof;
  if (ec && !eof) return OnTransportError(ec);
  // Paused: what arrived waits, undecoded, and the socket is left unread
  // (TCP's window then holds the upstream back) until ResumeReading.
  if (call_->paused) {
    held_eof_ = eof;
    held_ = true;
    return;
  }
  Process(eof, n > 0);
}

void UpstreamConnection::Process(bool eof, bool fresh_bytes) {
  const std::shared_ptr<UpstreamCallState> call = call_;  // alive through the callbacks
  if (fresh_bytes) {
    begin_ += decoder_.Feed(std::string_view(buf_.data() + begin_, end_ - begin_));
    if (!Deliver(*call)) return;
    if (decoder_.failed()) return FailDecode();
    if (decoder_.done()) return Complete();
  }
  if (eof) {
    if (response_bytes_ == 0) return OnTransportError(boost::asio::error::eof);
    if (decoder_.FeedEof()) return Complete();
    return FailDecode();
  }
  if (!call->paused) Read();
}

void UpstreamConnection::ResumeReading() {
  if (phase_ != Phase::kExchanging || call_ == nullptr || reading_) return;
  SetDeadline(shared_.options.idle_timeout, Deadline::kIdle);
  if (held_) {
    held_ = false;
    return Process(held_eof_, begin_ < end_);
  }
  Read();
}

bool UpstreamConnection::Deliver(const UpstreamCallState& call) {
  if (!head_delivered_ && decoder_.header_done()) {
    head_delivered_ = true;
    if (call.callbacks.on_head) {
      call.callbacks.on_head(decoder_.head());
      if (call_.get() != &call) return false;  // cancelled from the callback
    }
  }
  if (!call.callbacks.on_body) return true;
  for (std::string_view piece : decoder_.pieces()) {
    call.callbacks.on_body(piece);
    if (call_.get() != &call) return false;
  }
  return true;
}

void UpstreamConnection::Complete() {
  std::shared_ptr<UpstreamCallState> call = std::move(call_);
  call->connection = nullptr;
  // Reusable only when the request went out whole and nothing follows the
  // response (bytes after it would be a protocol error).
  if (decoder_.keep_alive() && !writing_ && begin_ == end_) {
    pool_->Return(shared_from_this());
  } else {
    Close();
  }
  call->Finish(UpstreamResult{});
}

void UpstreamConnection::OnTransportError(const error_code& ec) {
  const bool closed = ClosedByPeer(ec);
  if (closed && reused_ && response_bytes_ == 0 && call_ && !call_->retried) {
    // The upstream closed this idle connection as the request went out: it
    // never processed it. Once, on a new connection.
    std::shared_ptr<UpstreamCallState> call = std::move(call_);
    call->connection = nullptr;
    call->retried = true;
    Close();
    shared_.stale_retries.fetch_add(1, std::memory_order_relaxed);
    pool_->RunFresh(std::move(call));
    return;
  }
  Fail(UpstreamFailure::kConnectionLost,
       closed ? ClosedMessage(SslReason(ec))
              : "error talking to " + shared_.url + ": " + SslReason(ec));
}

std::string UpstreamConnection::ClosedMessage(std::string_view why) const {
  return shared_.url + " closed the connection before the response was complete (" +
         std::string(why) + ")";
}

void UpstreamConnection::FailDecode() {
  if (decoder_.error() == DecodeError::kTruncated) {
    return Fail(UpstreamFailure::kConnectionLost, ClosedMessage(decoder_.error_message()));
  }
  Fail(UpstreamFailure::kMalformed,
       "malformed HTTP response from " + shared_.url + ": " + decoder_.error_message());
}

void UpstreamConnection::Fail(UpstreamFailure failure, std::string message) {
  std::shared_ptr<UpstreamCallState> call = std::move(call_);
  Close();
  if (!call) return;
  call->connection = nullptr;
  call->Finish(UpstreamResult{.status = Status(ErrorCode::kServiceUnavailable, std::move(message)),
                              .failure = failure,
                              .response_started = response_bytes_ > 0});
}

void UpstreamConnection::Park() {
  phase_ = Phase::kIdle;
  begin_ = end_ = 0;
  SetDeadline(shared_.options.keep_idle, Deadline::kKeep);
  if (!reading_) Read();
}

void UpstreamConnection::Abort() {
  call_.reset();
  Close();
}

void UpstreamConnection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  try {
    timer_.cancel();
    if (resolver_) resolver_->cancel();
  } catch (...) {  // Asio reports a failed cancel by throwing; the phase check covers it
  }
  error_code ignored;
  Socket().close(ignored);
}

void UpstreamConnection::SetDeadline(std::chrono::milliseconds after, Deadline kind) {
  deadline_kind_ = kind;
  deadline_ = Clock::now() + after;
  if (timer_armed_ && timer_at_ <= deadline_) return;  // fires early, re-arms then
  ArmTimer(deadline_);
}

void UpstreamConnection::ArmTimer(Clock::time_point at) {
  timer_at_ = at;
  timer_armed_ = true;
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(at);  // cancels the wait pending, whose handler then sees an old generation
  timer_.async_wait(
      [self = shared_from_this(), generation](const error_code&) { self->OnTimer(generation); });
}

void UpstreamConnection::OnTimer(uint64_t generation) {
  if (generation != timer_generation_ || phase_ == Phase::kClosed) return;
  timer_armed_ = false;
  if (Clock::now() < deadline_) return ArmTimer(deadline_);
  // A paused call's upstream is not stalling: the caller is.
  if (deadline_kind_ == Deadline::kIdle && call_ != nullptr && call_->paused) {
    deadline_ = Clock::now() + shared_.options.idle_timeout;
    return ArmTimer(deadline_);
  }
  Expire();
}

void UpstreamConnection::Expire() {
  const UpstreamOptions& o = shared_.options;
  switch (deadline_kind_) {
    case Deadline::kConnect:
      return Fail(UpstreamFailure::kConnectTimeout,
                  "cannot connect to " + shared_.url + ": timed out after " +
                      Ms(o.connect_timeout) + " (connect timeout)");
    case Deadline::kFirstByte:
      return Fail(UpstreamFailure::kFirstByteTimeout, "no response from " + shared_.url +
                                                          " within " + Ms(o.first_byte_timeout) +
                                                          " (first-byte timeout)");
    case Deadline::kIdle:
      return Fail(UpstreamFailure::kIdleTimeout, "the response from " + shared_.url +
                                                     " stalled: no bytes for " +
                                                     Ms(o.idle_timeout) + " (idle timeout)");
    case Deadline::kKeep:
      Close();
      pool_->Forget(this);
      return;
  }
}

}  // namespace bp::http
