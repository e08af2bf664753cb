// Blocking HTTP/1.1 client over Asio + Beast. Blocking calls with timeouts are
// built from asynchronous operations on a private io_context that the calling
// thread runs until the one pending operation completes: beast::tcp_stream's
// timeouts apply only to asynchronous operations.

#include "http/client.h"

#include <array>
#include <cctype>
#include <optional>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace bp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using boost::system::error_code;
using Parser = beast::http::response_parser<beast::http::buffer_body>;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Header values and targets: visible bytes, spaces and tabs (targets: no
// spaces); never CR, LF or NUL, which would split the message.
bool IsSafeText(std::string_view s, bool allow_space) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\t' || u == ' ') {
      if (!allow_space) return false;
      continue;
    }
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

Status BadUrl(std::string_view url, std::string_view why) {
  return ValidationError("invalid endpoint URL '" + std::string(url) + "': " + std::string(why));
}

bool ValidHostName(std::string_view host) {
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return !host.empty();
}

Result<uint16_t> ParsePort(std::string_view url, std::string_view text) {
  if (text.empty() || text.size() > 5) return BadUrl(url, "the port must be 1..65535");
  uint32_t port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return BadUrl(url, "the port must be 1..65535");
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return BadUrl(url, "the port must be 1..65535");
  return static_cast<uint16_t>(port);
}

// Splits "host", "host:port", "[v6]" or "[v6]:port" into the endpoint.
Status ParseAuthority(std::string_view url, std::string_view authority, Endpoint& out) {
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "unterminated IPv6 literal");
    out.host = std::string(authority.substr(1, close - 1));
    error_code ec;
    (void)asio::ip::make_address_v6(out.host, ec);
    if (ec) return BadUrl(url, "'" + out.host + "' is not an IPv6 address");
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return BadUrl(url, "unexpected text after ']'");
    has_port = !rest.empty();
    if (has_port) port_text = rest.substr(1);
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      if (authority.find(':', colon + 1) != std::string_view::npos) {
        return BadUrl(url, "IPv6 addresses must be written in brackets: http://[::1]:8700");
      }
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (!ValidHostName(out.host)) return BadUrl(url, "the host is empty or malformed");
  }
  if (out.host.empty()) return BadUrl(url, "the host is empty");
  if (has_port) {
    BP_ASSIGN_OR_RETURN(out.port, ParsePort(url, port_text));
  }
  return Status::Ok();
}

// Runs `ioc` until the single operation started before the call completes.
void RunUntilDone(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

std::string SerializeHead(const Endpoint& endpoint, const ClientOptions& options,
                          const Request& request) {
  std::string out = request.method + " " + endpoint.base_path + request.target + " HTTP/1.1\r\n";
  bool has_length = false;
  for (const Header& h : request.headers) {
    out += h.name + ": " + h.value + "\r\n";
    has_length = has_length || Lower(h.name) == "content-length";
  }
  if (FindHeader(request.headers, "host") == nullptr) {
    out += "host: " + endpoint.Authority() + "\r\n";
  }
  if (FindHeader(request.headers, "user-agent") == nullptr) {
    out += "user-agent: " + options.user_agent + "\r\n";
  }
  bool body_method =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!has_length && (!request.body.empty() || body_method)) {
    out += "content-length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "connection: close\r\n\r\n";
  return out;
}

Status CheckRequest(const Request& request) {
  if (!IsToken(request.method)) {
    return ValidationError("invalid HTTP method '" + request.method + "'");
  }
  if (request.target.empty() || request.target.front() != '/' ||
      !IsSafeText(request.target, /*allow_space=*/false)) {
    return ValidationError("invalid request target '" + request.target +
                           "': it must start with '/' and hold no spaces or control bytes");
  }
  for (const Header& h : request.headers) {
    if (!IsToken(h.name)) return ValidationError("invalid header name '" + h.name + "'");
    if (!IsSafeText(h.value, /*allow_space=*/true)) {
      return ValidationError("the value of header '" + h.name + "' holds control bytes");
    }
  }
  return Status::Ok();
}

Response HeadOf(const Parser& parser) {
  const auto& msg = parser.get();
  Response head{.status = msg.result_int(), .headers = {}, .body = {}};
  for (const auto& field : msg) {
    head.headers.push_back(Header{Lower(field.name_string()), std::string(field.value())});
  }
  return head;
}

// One exchange: connect, write, read. Lives for one Send() call.
class Exchange {
 public:
  Exchange(const Endpoint& endpoint, const ClientOptions& options,
           const ResponseCallbacks& callbacks)
      : endpoint_(endpoint), options_(options), callbacks_(callbacks), stream_(ioc_) {}

  Result<Response> Run(const Request& request) {
    BP_RETURN_IF_ERROR(Connect());
    BP_RETURN_IF_ERROR(Write(request));
    return Read(/*head_only=*/request.method == "HEAD");
  }

 private:
  Status Unavailable(std::string_view what) const {
    return Status(ErrorCode::kServiceUnavailable, std::string(what));
  }

  Status Connect() {
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
        return Unavailable("cannot connect to " + url + ": cannot resolve host '" + endpoint_.host +
                           "': " + ec.message());
      }
      for (const auto& r : results) targets.push_back(r.endpoint());
    }
    stream_.expires_after(options_.connect_timeout);
    stream_.async_connect(targets, [&ec](error_code e, const tcp::endpoint&) { ec = e; });
    RunUntilDone(ioc_);
    if (ec == beast::error::timeout) {
      return Unavailable("cannot connect to " + url + ": timed out after " +
                         std::to_string(options_.connect_timeout.count()) + " ms");
    }
    if (ec) return Unavailable("cannot connect to " + url + ": " + ec.message());
    stream_.socket().set_option(tcp::no_delay(true), ec);  // best effort
    return Status::Ok();
  }

  Status Write(const Request& request) {
    std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head_ = SerializeHead(endpoint_, options_, request)),
        asio::buffer(request.body)};
    error_code ec;
    stream_.expires_after(options_.read_timeout);
    asio::async_write(stream_, buffers, [&ec](error_code e, size_t) { ec = e; });
    RunUntilDone(ioc_);
    if (ec) return TransportError(ec, "sending the request");
    return Status::Ok();
  }

  Status TransportError(const error_code& ec, std::string_view doing) const {
    const std::string url = endpoint_.ToString();
    if (ec == beast::error::timeout) {
      return Unavailable("no progress from " + url + " for " +
                         std::to_string(options_.read_timeout.count()) + " ms while " +
                         std::string(doing) + " (timed out)");
    }
    if (ec == beast::http::error::end_of_stream || ec == beast::http::error::partial_message ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe) {
      return Unavailable(url + " closed the connection before the response was complete (" +
                         ec.message() + ")");
    }
    if (ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category()) {
      // Every other beast::http error is a parse failure.
      return Unavailable("malformed HTTP response from " + url + ": " + ec.message());
    }
    return Unavailable("error talking to " + url + " while " + std::string(doing) + ": " +
                       ec.message());
  }

  Result<Response> Read(bool head_only) {
    std::optional<Parser> parser;
    std::optional<Response> head;
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
      stream_.expires_after(options_.read_timeout);
      beast::http::async_read_some(stream_, buffer_, *parser,
                                   [&ec](error_code e, size_t) { ec = e; });
      RunUntilDone(ioc_);
      if (ec == beast::http::error::need_buffer) ec = {};
      if (ec) return TransportError(ec, "reading the response");
      if (!parser->is_header_done()) continue;
      // An interim 1xx answer (other than 101) is skipped; the real one follows.
      unsigned status = parser->get().result_int();
      if (status >= 100 && status < 200 && status != 101) {
        if (parser->is_done()) start_parser();
        continue;
      }
      if (!head) {
        head = HeadOf(*parser);
        if (callbacks_.on_head) BP_RETURN_IF_ERROR(callbacks_.on_head(*head));
      }
      size_t got = piece.size() - parser->get().body().size;
      if (got > 0 && callbacks_.on_body) {
        BP_RETURN_IF_ERROR(callbacks_.on_body(std::string_view(piece.data(), got)));
      }
      if (parser->is_done()) break;
    }
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return std::move(*head);
  }

  const Endpoint& endpoint_;
  const ClientOptions& options_;
  const ResponseCallbacks& callbacks_;
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string head_;  // serialized request head; must outlive the write
};

}  // namespace

std::string Endpoint::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 80) h += ":" + std::to_string(port);
  return h;
}

std::string Endpoint::ToString() const { return "http://" + Authority() + base_path; }

Result<Endpoint> ParseEndpointUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return BadUrl(url, "expected http://HOST:PORT, e.g. http://127.0.0.1:8700");
  }
  std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    return ValidationError("https endpoints are not supported by this build yet ('" +
                           std::string(url) + "')");
  }
  if (scheme != "http") return BadUrl(url, "the scheme must be http://");
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(url, "a query or fragment is not allowed");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(url, "user information ('user@') is not allowed");
  }
  Endpoint endpoint;
  BP_RETURN_IF_ERROR(ParseAuthority(url, authority, endpoint));
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (!IsSafeText(path, /*allow_space=*/false)) {
      return BadUrl(url, "the path holds spaces or control bytes");
    }
    endpoint.base_path = std::string(path);
  }
  return endpoint;
}

Client::Client(Endpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {}

Result<Response> Client::Send(const Request& request, const ResponseCallbacks& callbacks) const {
  BP_RETURN_IF_ERROR(CheckRequest(request));
  try {
    Exchange exchange(endpoint_, options_, callbacks);
    return exchange.Run(request);
  } catch (const std::exception& e) {  // Asio/Beast allocation or system errors
    return Status(ErrorCode::kServiceUnavailable,
                  "error talking to " + endpoint_.ToString() + ": " + e.what());
  }
}

Result<Response> Client::Send(const Request& request) const {
  std::string body;
  ResponseCallbacks collect{
      .on_head = nullptr, .on_body = [&](std::string_view piece) -> Status {
        if (body.size() + piece.size() > options_.max_body_bytes) {
          return Status(ErrorCode::kPayloadTooLarge,
                        "the response from " + endpoint_.ToString() + " is larger than " +
                            std::to_string(options_.max_body_bytes) + " bytes");
        }
        body.append(piece);
        return Status::Ok();
      }};
  BP_ASSIGN_OR_RETURN(Response response, Send(request, collect));
  response.body = std::move(body);
  return response;
}

}  // namespace bp::http
