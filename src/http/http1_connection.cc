// HTTP/1.1 connections: Beast-based request parsing (request_parser.cc),
// hand-written response framing, one request at a time (pipelined requests
// wait in the input buffer), keep-alive, 100-continue, limits and timeouts.

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "http/connection.h"
#include "http/http_date.h"
#include "http/request_parser.h"
#include "http/response_headers.h"
#include "http/server_stream.h"

namespace bp::http {
namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;

class Http1Connection;

// Per-request facts the response framing needs.
struct ExchangeInfo {
  std::string request_id;
  int version = 11;  // 10 or 11
  bool head = false;
  bool keep_alive = true;
};

// The handler's answer channel for one request. Owns a reference to its
// connection; the connection serves no other request until this one is done.
class Http1Stream final : public ServerStream {
 public:
  Http1Stream(std::shared_ptr<Http1Connection> conn, ExchangeInfo info)
      : conn_(std::move(conn)), info_(std::move(info)) {}
  ~Http1Stream() override;

  void Respond(Response&& response) override;
  void StartStream(unsigned status, Headers&& headers) override;
  void Write(std::string&& chunk) override;
  void Finish() override;
  bool Closed() const override;
  size_t BufferedBytes() const override;
  EventLoop& loop() override;
  void FailInternal(std::string_view what) override;

 private:
  enum class State : uint8_t { kNew, kStreaming, kDone };
  std::shared_ptr<Http1Connection> conn_;
  const ExchangeInfo info_;
  State state_ = State::kNew;
};

class Http1Connection final : public Connection {
 public:
  Http1Connection(Worker& worker, tcp::socket socket, Peer peer)
      : worker_(worker),
        ctx_(worker.context()),
        socket_(std::move(socket)),
        timer_(worker.io()),
        peer_(std::move(peer)),
        parser_(ParserLimits{ctx_.options.max_header_bytes, ctx_.options.max_body_bytes}),
        body_(ctx_.limits) {
    // The body budget is taken before the body is stored, and held until
    // the response is done (the handler works on the body until then).
    parser_.set_body_gate([this](uint64_t total) {
      if (body_.GrowTo(total)) return Status::Ok();
      return BodyBudgetExhausted(total, ctx_.limits.body_bytes_in_flight(),
                                 ctx_.limits.body_limit());
    });
  }

  void Start(std::string&& initial) override {
    in_ = std::move(initial);
    ArmTimer(ctx_.options.idle_timeout);
    ProcessInput();
  }

  void Drain() override {
    draining_ = true;
    if (phase_ == Phase::kAwaitingRequest && in_.empty()) Close();
  }

  void Abort() override { Close(); }

  // --- called by Http1Stream (loop thread) ---
  bool closed() const { return phase_ == Phase::kClosed; }
  size_t buffered() const { return buffered_; }
  EventLoop& loop() { return worker_.loop(); }

  void SendComplete(const ExchangeInfo& info, Response&& response) {
    QueueHead(info, response.status, &response.headers, BodyFraming::kContentLength,
              response.body.size());
    if (!info.head && !response.body.empty() && !StatusForbidsBody(response.status)) {
      Queue(std::move(response.body));
    }
    CompleteResponse();
  }

  void SendStreamHead(const ExchangeInfo& info, unsigned status, const Headers& headers) {
    chunked_ = info.version == 11;
    if (!chunked_) keep_alive_ = false;  // HTTP/1.0: the body ends at close
    QueueHead(info, status, &headers, chunked_ ? BodyFraming::kChunked : BodyFraming::kUntilClose,
              0);
    StartWrite();
  }

  void SendChunk(const ExchangeInfo& info, std::string&& chunk) {
    if (info.head || chunk.empty()) return;  // an empty chunk would end the body
    if (chunked_) Queue(ChunkSizeLine(chunk.size()));
    Queue(std::move(chunk));
    if (chunked_) Queue(std::string("\r\n"));
    StartWrite();
  }

  void SendStreamEnd(const ExchangeInfo& info) {
    if (chunked_ && !info.head) Queue(std::string("0\r\n\r\n"));
    CompleteResponse();
  }

  // The handler dropped its stream without answering.
  void SendInternalError(const ExchangeInfo& info, std::string_view what) {
    if (closed()) return;
    SendComplete(info, BuildErrorResponse(ctx_.handler, InternalError(std::string(what)),
                                          info.request_id, 0));
  }

 private:
  enum class Phase : uint8_t { kAwaitingRequest, kReadingRequest, kHandling, kClosed };
  static constexpr size_t kReadSize = size_t{16} * 1024;
  // While a request is being handled, read ahead (pipelined bytes, or EOF
  // telling us the client went away) at most this much.
  static constexpr size_t kMaxReadAhead = size_t{64} * 1024;

  std::shared_ptr<Http1Connection> Self() {
    return std::static_pointer_cast<Http1Connection>(shared_from_this());
  }

  // --- input ---

  void ProcessInput() {
    ParseInput();
    // Idle: waiting for a request of which no byte has arrived.
    worker_.SetIdle(this, phase_ == Phase::kAwaitingRequest && in_.empty());
  }

  void ParseInput() {
    while (phase_ == Phase::kAwaitingRequest || phase_ == Phase::kReadingRequest) {
      if (in_.empty()) break;
      if (phase_ == Phase::kAwaitingRequest) {
        // The header must be complete within header_timeout, the whole
        // request within request_timeout, both from its first byte.
        phase_ = Phase::kReadingRequest;
        header_seen_ = false;
        request_deadline_ = std::chrono::steady_clock::now() + ctx_.options.request_timeout;
        ArmTimer(std::min(ctx_.options.header_timeout, ctx_.options.request_timeout));
      }
      const size_t used = parser_.Feed(in_);
      in_.erase(0, used);
      if (parser_.failed()) {
        SendParseError();
        return;
      }
      if (!header_seen_ && parser_.header_done()) {
        header_seen_ = true;
        ArmTimerAt(request_deadline_);
        // The announced body must fit the budget before anything else
        // happens (a 100 Continue included); the parser's gate covers
        // chunked bodies as their chunks come.
        const uint64_t announced = parser_.content_length().value_or(0);
        if (!body_.GrowTo(announced)) {
          SendError(BodyBudgetExhausted(announced, ctx_.limits.body_bytes_in_flight(),
                                        ctx_.limits.body_limit()),
                    503);
          return;
        }
      }
      if (parser_.done()) {
        Dispatch();
        return;
      }
      if (parser_.header_done() && parser_.expects_continue() && !continue_sent_) {
        continue_sent_ = true;
        Queue(std::string("HTTP/1.1 100 Continue\r\n\r\n"));
        StartWrite();
      }
      if (used == 0) break;  // header incomplete: need more bytes
    }
    EnsureReading();
  }

  void EnsureReading() {
    if (reading_ || phase_ == Phase::kClosed) return;
    if (phase_ == Phase::kHandling && in_.size() >= kMaxReadAhead) return;
    reading_ = true;
    socket_.async_read_some(
        boost::asio::buffer(read_buf_),
        [self = Self()](const error_code& ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, size_t n) {
    reading_ = false;
    if (phase_ == Phase::kClosed) return;
    if (ec) {  // EOF or reset: the client is gone; a pending stream sees Closed()
      Close();
      return;
    }
    in_.append(read_buf_.data(), n);
    if (phase_ == Phase::kHandling) {
      EnsureReading();
      return;
    }
    ProcessInput();
  }

  void Dispatch() {
    CancelTimer();
    phase_ = Phase::kHandling;
    continue_sent_ = false;
    keep_alive_ = parser_.keep_alive();
    Request request = parser_.TakeRequest();
    request.remote_address = peer_.address;
    request.remote_port = peer_.port;
    request.request_id = NewUuid(ctx_.random);
    ExchangeInfo info{request.request_id, parser_.version(), request.method == "HEAD", keep_alive_};
    auto stream = std::make_shared<Http1Stream>(Self(), std::move(info));
    EnsureReading();
    DispatchRequest(ctx_.handler, std::move(request), stream);
  }

  void SendParseError() {
    const ErrorCode code = parser_.error() == ParseError::kMalformed ? ErrorCode::kValidation
                                                                     : ErrorCode::kPayloadTooLarge;
    SendError(parser_.error() == ParseError::kRefused ? parser_.refusal()
                                                      : Status(code, parser_.error_message()),
              StatusForParseError(parser_.error()));
  }

  // Answers a request the server refuses itself, then closes (the rest of
  // the request is not read).
  void SendError(const Status& status, unsigned http_status) {
    CancelTimer();
    phase_ = Phase::kHandling;
    keep_alive_ = false;
    ExchangeInfo info{NewUuid(ctx_.random), 11, false, false};
    SendComplete(info, BuildErrorResponse(ctx_.handler, status, info.request_id, http_status));
  }

  // --- output ---

  void QueueHead(const ExchangeInfo& info, unsigned status, const Headers* headers,
                 BodyFraming framing, uint64_t content_length) {
    const bool close = !keep_alive_ || draining_;
    Http1Head head{.status = status,
                   .headers = headers,
                   .date = CachedHttpDate(ctx_.clock),
                   .request_id = info.request_id,
                   .framing = framing,
                   .content_length = content_length,
                   .close = close,
                   .http10_keep_alive = !close && info.version == 10};
    Queue(FormatHttp1Head(head));
  }

  void Queue(std::string&& bytes) {
    buffered_ += bytes.size();
    pending_.push_back(std::move(bytes));
  }

  // The last bytes of the response are queued; continue once they are out.
  void CompleteResponse() {
    response_complete_ = true;
    if (writing_ || !pending_.empty()) {
      StartWrite();
      return;
    }
    boost::asio::post(worker_.io(), [self = Self()] {
      if (!self->closed() && self->response_complete_ && !self->writing_) self->OnResponseDone();
    });
  }

  void StartWrite() {
    if (writing_ || pending_.empty() || phase_ == Phase::kClosed) return;
    writing_ = true;
    inflight_.swap(pending_);
    buffers_.clear();
    for (const std::string& s : inflight_) buffers_.emplace_back(s.data(), s.size());
    boost::asio::async_write(socket_, buffers_, [self = Self()](const error_code& ec, size_t n) {
      self->OnWrite(ec, n);
    });
  }

  void OnWrite(const error_code& ec, size_t n) {
    writing_ = false;
    buffered_ -= n;
    inflight_.clear();
    if (phase_ == Phase::kClosed) return;
    if (ec) {
      Close();
      return;
    }
    if (!pending_.empty()) {
      StartWrite();
    } else if (response_complete_) {
      OnResponseDone();
    }
  }

  void OnResponseDone() {
    response_complete_ = false;
    chunked_ = false;
    ReleaseBodyLater();  // the request is over: its body budget goes back
    if (!keep_alive_ || draining_) {
      phase_ = Phase::kClosed;
      CancelTimer();
      error_code ignored;
      socket_.cancel(ignored);  // the read-ahead; the lingering close reads on its own
      worker_.Unregister(this);
      LingeringClose(std::move(socket_));
      return;
    }
    phase_ = Phase::kAwaitingRequest;
    parser_.Reset();
    ArmTimer(ctx_.options.idle_timeout);
    ProcessInput();
  }

  // --- timers and teardown ---

  // From a posted task: the handler's own clean-up (a runtime call releases
  // its parsed request from a posted task too) runs first, so the heap trim
  // after a large body finds that memory free.
  void ReleaseBodyLater() {
    if (body_.bytes() == 0) return;
    boost::asio::post(worker_.io(), [released = std::move(body_)]() mutable { released.Reset(); });
    body_ = BodyReservation(ctx_.limits);
  }

  void ArmTimer(std::chrono::milliseconds timeout) {
    ArmTimerAt(std::chrono::steady_clock::now() + timeout);
  }

  void ArmTimerAt(std::chrono::steady_clock::time_point deadline) {
    const uint64_t generation = ++timer_generation_;
    timer_.expires_at(deadline);
    timer_.async_wait([self = Self(), generation](const error_code& ec) {
      if (!ec && generation == self->timer_generation_) self->Close();
    });
  }

  void CancelTimer() {
    ++timer_generation_;
    timer_.cancel();
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    body_.Reset();
    CancelTimer();
    error_code ignored;
    socket_.close(ignored);
    worker_.Unregister(this);
  }

  Worker& worker_;
  const ServerContext& ctx_;
  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const Peer peer_;
  RequestParser parser_;
  BodyReservation body_;  // of the request being read or handled

  Phase phase_ = Phase::kAwaitingRequest;
  bool header_seen_ = false;  // of the request being read
  std::chrono::steady_clock::time_point request_deadline_;
  std::string in_;  // received, not yet parsed
  std::array<char, kReadSize> read_buf_;
  bool reading_ = false;
  bool continue_sent_ = false;
  bool keep_alive_ = true;
  bool draining_ = false;
  bool chunked_ = false;
  uint64_t timer_generation_ = 0;

  std::vector<std::string> pending_;   // queued, not yet handed to the socket
  std::vector<std::string> inflight_;  // being written
  std::vector<boost::asio::const_buffer> buffers_;
  size_t buffered_ = 0;
  bool writing_ = false;
  bool response_complete_ = false;
};

Http1Stream::~Http1Stream() {
  if (conn_->closed() || state_ == State::kDone) return;
  try {
    if (state_ == State::kNew) {
      conn_->SendInternalError(info_, "the handler dropped the request without answering");
    } else {
      conn_->Abort();  // the body cannot be completed; closing shows the truncation
    }
  } catch (...) {  // nothing more can be done in a destructor
  }
}

void Http1Stream::Respond(Response&& response) {
  if (state_ != State::kNew || conn_->closed()) return;
  state_ = State::kDone;
  conn_->SendComplete(info_, std::move(response));
}

void Http1Stream::StartStream(unsigned status, Headers&& headers) {
  if (state_ != State::kNew || conn_->closed()) return;
  state_ = State::kStreaming;
  conn_->SendStreamHead(info_, status, headers);
}

void Http1Stream::Write(std::string&& chunk) {
  if (state_ != State::kStreaming || conn_->closed()) return;
  conn_->SendChunk(info_, std::move(chunk));
}

void Http1Stream::Finish() {
  if (state_ != State::kStreaming || conn_->closed()) return;
  state_ = State::kDone;
  conn_->SendStreamEnd(info_);
}

bool Http1Stream::Closed() const { return conn_->closed(); }
size_t Http1Stream::BufferedBytes() const { return conn_->buffered(); }
EventLoop& Http1Stream::loop() { return conn_->loop(); }

void Http1Stream::FailInternal(std::string_view what) {
  if (conn_->closed()) return;
  if (state_ == State::kNew) {
    state_ = State::kDone;
    conn_->SendInternalError(info_, what);
  } else if (state_ == State::kStreaming) {
    state_ = State::kDone;
    conn_->Abort();
  }
}

}  // namespace

std::shared_ptr<Connection> MakeHttp1Connection(Worker& worker, tcp::socket socket, Peer peer) {
  return std::make_shared<Http1Connection>(worker, std::move(socket), std::move(peer));
}

}  // namespace bp::http
