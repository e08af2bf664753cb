// One client attempt over Asio + Beast (+ OpenSSL for https). Blocking calls
// with timeouts are built from asynchronous operations on a private
// io_context that the calling thread runs until the one pending operation
// completes: beast::tcp_stream's timeouts apply only to asynchronous
// operations.

#include "http/client_exchange.h"

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/client_tls.h"
#include "http/response_decoder.h"

namespace bp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr size_t kReadSize = size_t{16} * 1024;

// Runs `ioc` until the single operation started before the call completes.
void RunUntilDone(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

// One attempt: connect, (handshake,) write, read. Lives for one RunAttempt().
class Attempt {
 public:
  Attempt(const Endpoint& endpoint, const ClientOptions& options,
          const ResponseCallbacks& callbacks)
      : endpoint_(endpoint), options_(options), callbacks_(callbacks) {}

  AttemptOutcome Run(TlsState* tls, const std::string& head, const Request& request) {
    beast::tcp_stream tcp(ioc_);
    if (!Connect(tcp)) return std::move(outcome_);
    if (endpoint_.scheme == Scheme::kHttp) return Exchange(tcp, head, request);
    TlsStream stream(std::move(tcp), tls->context);
    if (!Handshake(stream)) return std::move(outcome_);
    return Exchange(stream, head, request);
  }

 private:
  bool Fail(FailureKind kind, std::string message) {
    outcome_.status = Status(ErrorCode::kServiceUnavailable, std::move(message));
    outcome_.failure = kind;
    return false;
  }

  bool Fail(FailureKind kind, Status status) {
    outcome_.status = std::move(status);
    outcome_.failure = kind;
    return false;
  }

  bool Connect(beast::tcp_stream& tcp) {
    const std::string url = endpoint_.ToString();
    std::vector<tcp::endpoint> targets;
    error_code ec;
    asio::ip::address addr = asio::ip::make_address(endpoint_.host, ec);
    if (!ec) {
      targets.emplace_back(addr, endpoint_.port);
    } else {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
      if (ec) {
        // An authoritative "no such host" will not change on a retry.
        FailureKind kind =
            ec == asio::error::host_not_found ? FailureKind::kPermanent : FailureKind::kBeforeSend;
        return Fail(kind, "cannot connect to " + url + ": cannot resolve host '" + endpoint_.host +
                              "': " + ec.message());
      }
      for (const auto& r : results) targets.push_back(r.endpoint());
    }
    tcp.expires_after(options_.connect_timeout);
    tcp.async_connect(targets, [&ec](error_code e, const tcp::endpoint&) { ec = e; });
    RunUntilDone(ioc_);
    if (ec == beast::error::timeout) {
      return Fail(FailureKind::kBeforeSend, "cannot connect to " + url + ": timed out after " +
                                                std::to_string(options_.connect_timeout.count()) +
                                                " ms");
    }
    if (ec) return Fail(FailureKind::kBeforeSend, "cannot connect to " + url + ": " + ec.message());
    tcp.socket().set_option(tcp::no_delay(true), ec);  // best effort
    return true;
  }

  // SNI for host names; the certificate must name the host (DNS) or the IP.
  bool Handshake(TlsStream& stream) {
    const std::string who = endpoint_.host + ":" + std::to_string(endpoint_.port);
    SSL* ssl = stream.native_handle();
    Status prepared = PrepareTlsConnection(ssl, endpoint_.host, who);
    if (!prepared.ok()) return Fail(FailureKind::kPermanent, std::move(prepared));
    error_code ec;
    beast::get_lowest_layer(stream).expires_after(options_.connect_timeout);
    stream.async_handshake(ssl::stream_base::client, [&ec](error_code e) { ec = e; });
    RunUntilDone(ioc_);
    if (!ec) return true;
    if (ec == beast::error::timeout && ::SSL_get_verify_result(ssl) == X509_V_OK) {
      return Fail(FailureKind::kBeforeSend,
                  "TLS handshake with " + who + " failed: timed out after " +
                      std::to_string(options_.connect_timeout.count()) + " ms");
    }
    TlsFailure failure = DescribeHandshakeFailure(ssl, ec, who);
    return Fail(failure.kind == TlsFailureKind::kTransport ? FailureKind::kBeforeSend
                                                           : FailureKind::kPermanent,
                std::move(failure.message));
  }

  std::string TransportMessage(const error_code& ec, std::string_view doing) const {
    const std::string url = endpoint_.ToString();
    if (ec == beast::error::timeout) {
      return "no progress from " + url + " for " + std::to_string(options_.read_timeout.count()) +
             " ms while " + std::string(doing) + " (timed out)";
    }
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated) {
      return ClosedMessage(SslReason(ec));
    }
    return "error talking to " + url + " while " + std::string(doing) + ": " + SslReason(ec);
  }

  std::string ClosedMessage(const std::string& why) const {
    return endpoint_.ToString() + " closed the connection before the response was complete (" +
           why + ")";
  }

  // The decoder said no: a truncated answer, or one that is not HTTP.
  bool FailDecode(const ResponseDecoder& decoder) {
    if (decoder.error() == DecodeError::kTruncated) {
      return Fail(FailureKind::kAfterSend, ClosedMessage(decoder.error_message()));
    }
    return Fail(FailureKind::kAfterSend, "malformed HTTP response from " + endpoint_.ToString() +
                                             ": " + decoder.error_message());
  }

  template <class Stream>
  AttemptOutcome Exchange(Stream& stream, const std::string& head, const Request& request) {
    if (Write(stream, head, request)) Read(stream, /*head_only=*/request.method == "HEAD");
    return std::move(outcome_);
  }

  template <class Stream>
  bool Write(Stream& stream, const std::string& head, const Request& request) {
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(request.body)};
    error_code ec;
    beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
    asio::async_write(stream, buffers, [&ec](error_code e, size_t) { ec = e; });
    RunUntilDone(ioc_);
    if (ec) return Fail(FailureKind::kAfterSend, TransportMessage(ec, "sending the request"));
    return true;
  }

  // Hands a piece of a successful answer to the caller, or keeps a piece of
  // an error answer.
  bool TakePiece(std::string_view piece) {
    if (piece.empty()) return true;
    if (outcome_.held) {
      if (outcome_.response.body.size() + piece.size() > options_.max_body_bytes) {
        return Fail(FailureKind::kPermanent,
                    Status(ErrorCode::kPayloadTooLarge,
                           "the error response from " + endpoint_.ToString() + " is larger than " +
                               std::to_string(options_.max_body_bytes) + " bytes"));
      }
      outcome_.response.body.append(piece);
      return true;
    }
    if (!callbacks_.on_body) return true;
    Status s = callbacks_.on_body(piece);
    return s.ok() || Fail(FailureKind::kPermanent, std::move(s));
  }

  bool TakeHead(const Response& head) {
    outcome_.response = head;
    if (outcome_.response.status >= 400) {
      outcome_.held = true;
      return true;
    }
    outcome_.delivered = true;
    if (!callbacks_.on_head) return true;
    Status s = callbacks_.on_head(outcome_.response);
    return s.ok() || Fail(FailureKind::kPermanent, std::move(s));
  }

  // Hands what one Feed() decoded to TakeHead/TakePiece.
  bool TakeDecoded(const ResponseDecoder& decoder, bool& have_head) {
    if (!have_head && decoder.header_done()) {
      have_head = true;
      if (!TakeHead(decoder.head())) return false;
    }
    for (std::string_view piece : decoder.pieces()) {
      if (!TakePiece(piece)) return false;
    }
    return true;
  }

  template <class Stream>
  bool Read(Stream& stream, bool head_only) {
    ResponseDecoder decoder(options_.max_header_bytes);
    decoder.Reset(head_only);
    // Room for a whole header section (the decoder needs it contiguous) and
    // one more read.
    std::vector<char> buf(options_.max_header_bytes + kReadSize);
    size_t begin = 0;
    size_t end = 0;
    bool have_head = false;
    while (true) {
      if (begin > 0) {
        std::memmove(buf.data(), buf.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      }
      error_code ec;
      size_t got = 0;
      beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
      stream.async_read_some(asio::buffer(buf.data() + end, buf.size() - end),
                             [&ec, &got](error_code e, size_t n) {
                               ec = e;
                               got = n;
                             });
      RunUntilDone(ioc_);
      end += got;
      // A clean end (TCP FIN, or TLS close_notify) may end a body delimited
      // by the close; an abrupt one never does.
      const bool eof = ec == asio::error::eof;
      if (ec && !eof)
        return Fail(FailureKind::kAfterSend, TransportMessage(ec, "reading the response"));
      begin += decoder.Feed(std::string_view(buf.data() + begin, end - begin));
      if (!TakeDecoded(decoder, have_head)) return false;
      if (decoder.failed()) return FailDecode(decoder);
      if (decoder.done()) break;
      if (eof) {
        if (!decoder.FeedEof()) return FailDecode(decoder);
        if (!TakeDecoded(decoder, have_head)) return false;
        break;
      }
    }
    error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    return true;
  }

  const Endpoint& endpoint_;
  const ClientOptions& options_;
  const ResponseCallbacks& callbacks_;
  asio::io_context ioc_;
  AttemptOutcome outcome_;
};

}  // namespace

AttemptOutcome RunAttempt(const Endpoint& endpoint, const ClientOptions& options, TlsState* tls,
                          const std::string& head, const Request& request,
                          const ResponseCallbacks& callbacks) {
  try {
    Attempt attempt(endpoint, options, callbacks);
    return attempt.Run(tls, head, request);
  } catch (const std::exception& e) {  // Asio/Beast allocation or system errors
    AttemptOutcome outcome;
    outcome.status = Status(ErrorCode::kServiceUnavailable,
                            "error talking to " + endpoint.ToString() + ": " + e.what());
    outcome.failure = FailureKind::kPermanent;
    return outcome;
  }
}

}  // namespace bp::http
