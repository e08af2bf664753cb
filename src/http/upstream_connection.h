#pragma once
// One keep-alive connection of an upstream pool: connect (resolve, TCP, TLS),
// write a call's request, decode its response (response_decoder.h) and hand
// it to the call's callbacks, then go back to its pool or close. Private to
// bp_http; loop thread only (see upstream_pool.h for lifetimes).
//
// One timer per connection serves every deadline (connect, first byte, idle
// between reads, keep time while pooled). Moving a deadline later does not
// re-arm it: when it fires early it re-arms to the current deadline, so a
// stream of body pieces costs no timer syscall per piece.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/response_decoder.h"
#include "http/upstream_pool.h"

namespace bp::http {

class UpstreamConnection final : public std::enable_shared_from_this<UpstreamConnection> {
 public:
  explicit UpstreamConnection(std::shared_ptr<LoopPool> pool);
  ~UpstreamConnection();
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  // Runs `call` here: connects first when the connection is new; when it is
  // idle, writes at once (its pending read becomes the response's).
  // REQUIRES: new or idle.
  void Begin(std::shared_ptr<UpstreamCallState> call);
  // Idle in the pool: keeps a read pending, so that the upstream closing the
  // connection is noticed, and closes after keep_idle.
  void Park();
  // The call went away: closes at once, without a callback.
  void Abort();
  // Closes the socket and cancels the timer. Idempotent.
  void Close();
  // The call was paused (UpstreamCallState::paused) and is resumed: reads
  // again if a read was held back.
  void ResumeReading();

 private:
  enum class Phase : uint8_t { kNew, kConnecting, kExchanging, kIdle, kClosed };
  enum class Deadline : uint8_t { kConnect, kFirstByte, kIdle, kKeep };
  using Clock = std::chrono::steady_clock;

  boost::asio::ip::tcp::socket& Socket();
  void Connect();
  void ConnectTo();
  void Handshake();
  void Write();
  void Read();
  void OnRead(const boost::system::error_code& ec, size_t n);
  // Decodes and delivers what buf_ holds (`fresh_bytes`: a read added some),
  // then handles a clean end (`eof`) or reads on.
  void Process(bool eof, bool fresh_bytes);
  // Hands the head (once) and the decoded pieces to the call; false when the
  // call went away meanwhile.
  bool Deliver(const UpstreamCallState& call);
  void Complete();
  // A transport error once connected: the stale-connection retry, or a
  // failure of the call.
  void OnTransportError(const boost::system::error_code& ec);
  void Fail(UpstreamFailure failure, std::string message);
  void FailDecode();
  std::string ClosedMessage(std::string_view why) const;

  void SetDeadline(std::chrono::milliseconds after, Deadline kind);
  void ArmTimer(Clock::time_point at);
  void OnTimer(uint64_t generation);
  void Expire();

  const std::shared_ptr<LoopPool> pool_;
  UpstreamShared& shared_;                             // the pool's; counters are bumped here
  std::optional<boost::asio::ip::tcp::socket> plain_;  // http
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;  // https
  std::optional<boost::asio::ip::tcp::resolver> resolver_;
  std::vector<boost::asio::ip::tcp::endpoint> addresses_;
  boost::asio::steady_timer timer_;
  ResponseDecoder decoder_;
  // Received bytes not yet decoded are buf_[begin_, end_).
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;

  std::shared_ptr<UpstreamCallState> call_;
  Phase phase_ = Phase::kNew;
  bool reused_ = false;  // the call was written on a connection that had served one before
  bool writing_ = false;
  bool reading_ = false;
  bool head_delivered_ = false;
  // A read completed while the call was paused: its bytes (and whether the
  // upstream had ended) wait in buf_ for ResumeReading.
  bool held_ = false;
  bool held_eof_ = false;
  uint64_t response_bytes_ = 0;

  Deadline deadline_kind_ = Deadline::kConnect;
  Clock::time_point deadline_{};
  Clock::time_point timer_at_{};
  bool timer_armed_ = false;
  uint64_t timer_generation_ = 0;
};

}  // namespace bp::http
