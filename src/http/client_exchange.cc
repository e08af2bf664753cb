// One client attempt over Asio + Beast (+ OpenSSL for https). Blocking calls
// with timeouts are built from asynchronous operations on a private
// io_context that the calling thread runs until the one pending operation
// completes: beast::tcp_stream's timeouts apply only to asynchronous
// operations.

#include "http/client_exchange.h"

#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace bp::http {

struct TlsState {
  boost::asio::ssl::context context{boost::asio::ssl::context::tls_client};
};

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;
using Parser = beast::http::response_parser<beast::http::buffer_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIpLiteral(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// Runs `ioc` until the single operation started before the call completes.
void RunUntilDone(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

Response HeadOf(const Parser& parser) {
  const auto& msg = parser.get();
  Response head{.status = msg.result_int(), .headers = {}, .body = {}};
  for (const auto& field : msg) {
    head.headers.push_back(Header{Lower(field.name_string()), std::string(field.value())});
  }
  return head;
}

// The text of an OpenSSL error code without Asio's "(SSL routines)" suffix.
std::string SslReason(const error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    if (const char* reason = ::ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) {
      return reason;
    }
  }
  return ec.message();
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
    X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl);
    ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    bool set = false;
    if (IsIpLiteral(endpoint_.host)) {
      set = ::X509_VERIFY_PARAM_set1_ip_asc(param, endpoint_.host.c_str()) == 1;
    } else {
      set = ::SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str()) == 1 &&
            ::X509_VERIFY_PARAM_set1_host(param, endpoint_.host.c_str(), 0) == 1;
    }
    if (!set) {
      return Fail(FailureKind::kPermanent,
                  "TLS handshake with " + who + " failed: cannot set the expected host name");
    }
    error_code ec;
    beast::get_lowest_layer(stream).expires_after(options_.connect_timeout);
    stream.async_handshake(ssl::stream_base::client, [&ec](error_code e) { ec = e; });
    RunUntilDone(ioc_);
    if (!ec) return true;
    std::string prefix = "TLS handshake with " + who + " failed: ";
    long verify = ::SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return Fail(FailureKind::kPermanent, prefix + "certificate verify failed (" +
                                               ::X509_verify_cert_error_string(verify) + ")");
    }
    if (ec == beast::error::timeout) {
      return Fail(
          FailureKind::kBeforeSend,
          prefix + "timed out after " + std::to_string(options_.connect_timeout.count()) + " ms");
    }
    if (ec.category() == asio::error::get_ssl_category()) {
      std::string hint;
      if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER) {
        hint = " (the server does not speak TLS: is it an http:// endpoint?)";
      }
      return Fail(FailureKind::kPermanent, prefix + SslReason(ec) + hint);
    }
    return Fail(FailureKind::kBeforeSend, prefix + ec.message());  // reset, EOF: transient
  }

  std::string TransportMessage(const error_code& ec, std::string_view doing) const {
    const std::string url = endpoint_.ToString();
    if (ec == beast::error::timeout) {
      return "no progress from " + url + " for " + std::to_string(options_.read_timeout.count()) +
             " ms while " + std::string(doing) + " (timed out)";
    }
    if (ec == beast::http::error::end_of_stream || ec == beast::http::error::partial_message ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated) {
      return url + " closed the connection before the response was complete (" + SslReason(ec) +
             ")";
    }
    if (ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category()) {
      // Every other beast::http error is a parse failure.
      return "malformed HTTP response from " + url + ": " + ec.message();
    }
    return "error talking to " + url + " while " + std::string(doing) + ": " + SslReason(ec);
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

  bool TakeHead(const Parser& parser) {
    outcome_.response = HeadOf(parser);
    if (outcome_.response.status >= 400) {
      outcome_.held = true;
      return true;
    }
    outcome_.delivered = true;
    if (!callbacks_.on_head) return true;
    Status s = callbacks_.on_head(outcome_.response);
    return s.ok() || Fail(FailureKind::kPermanent, std::move(s));
  }

  template <class Stream>
  bool Read(Stream& stream, bool head_only) {
    std::optional<Parser> parser;
    bool have_head = false;
    std::array<char, 16 * 1024> piece{};
    auto start_parser = [&] {
      parser.emplace();
      parser->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser->body_limit(boost::none);
      parser->skip(head_only);  // a HEAD answer announces a body it does not send
    };
    start_parser();
    while (true) {
      parser->get().body().data = piece.data();
      parser->get().body().size = piece.size();
      error_code ec;
      beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
      beast::http::async_read_some(stream, buffer_, *parser,
                                   [&ec](error_code e, size_t) { ec = e; });
      RunUntilDone(ioc_);
      if (ec == beast::http::error::need_buffer) ec = {};
      if (ec) return Fail(FailureKind::kAfterSend, TransportMessage(ec, "reading the response"));
      if (!parser->is_header_done()) continue;
      // An interim 1xx answer (other than 101) is skipped; the real one follows.
      unsigned status = parser->get().result_int();
      if (status >= 100 && status < 200 && status != 101) {
        if (parser->is_done()) start_parser();
        continue;
      }
      if (!have_head) {
        have_head = true;
        if (!TakeHead(*parser)) return false;
      }
      size_t got = piece.size() - parser->get().body().size;
      if (!TakePiece(std::string_view(piece.data(), got))) return false;
      if (parser->is_done()) break;
    }
    error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    return true;
  }

  const Endpoint& endpoint_;
  const ClientOptions& options_;
  const ResponseCallbacks& callbacks_;
  asio::io_context ioc_;
  beast::flat_buffer buffer_;
  AttemptOutcome outcome_;
};

}  // namespace

Result<std::shared_ptr<TlsState>> MakeTlsState(const ClientOptions& options) {
  try {
    auto state = std::make_shared<TlsState>();
    SSL_CTX* ctx = state->context.native_handle();
    if (::SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
      return InternalError("cannot require TLS 1.2 or later");
    }
    error_code ec;
    state->context.set_default_verify_paths(ec);
    if (ec) return ValidationError("cannot load the system trust store: " + SslReason(ec));
    const std::string& bundle = options.ca_bundle_file;
    if (!bundle.empty()) {
      std::error_code fs_ec;
      if (!std::filesystem::is_regular_file(bundle, fs_ec)) {
        return ValidationError("cannot load the CA bundle '" + bundle +
                               "': no such file (from AWS_CA_BUNDLE or the client options)");
      }
      state->context.load_verify_file(bundle, ec);
      if (ec) {
        return ValidationError("cannot load the CA bundle '" + bundle + "': " + SslReason(ec) +
                               " (expected PEM certificates)");
      }
    }
    state->context.set_verify_mode(ssl::verify_peer);
    return state;
  } catch (const std::exception& e) {  // allocation or OpenSSL setup failures
    return InternalError(std::string("cannot set up TLS: ") + e.what());
  }
}

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
