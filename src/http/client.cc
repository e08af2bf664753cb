// http::Client: endpoint URLs and the retry loop around single attempts
// (client_exchange.cc does the I/O; client_request.cc writes the request).

#include "http/client.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <netinet/in.h>
#include <thread>
#include <utility>

#include "http/client_exchange.h"
#include "http/client_request.h"
#include "http/client_tls.h"

namespace bp::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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
    in6_addr parsed{};
    if (::inet_pton(AF_INET6, out.host.c_str(), &parsed) != 1) {
      return BadUrl(url, "'" + out.host + "' is not an IPv6 address");
    }
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

uint16_t DefaultPort(Scheme scheme) { return scheme == Scheme::kHttps ? 443 : 80; }

bool IsIdempotent(Idempotency idempotency, std::string_view method) {
  switch (idempotency) {
    case Idempotency::kIdempotent:
      return true;
    case Idempotency::kNotIdempotent:
      return false;
    case Idempotency::kByMethod:
      break;
  }
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE";
}

// A non-negative decimal integer header value, or nullopt.
std::optional<uint64_t> HeaderNumber(const Headers& headers, std::string_view name) {
  const std::string* value = FindHeader(headers, name);
  if (value == nullptr || value->empty() || value->size() > 12) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size()) return std::nullopt;
  return n;
}

// x-amz-retry-after (milliseconds), else Retry-After (delta-seconds; the
// HTTP-date form is not used by AWS and is ignored).
std::optional<std::chrono::milliseconds> RetryAfter(const Response& response) {
  if (auto ms = HeaderNumber(response.headers, "x-amz-retry-after")) {
    return std::chrono::milliseconds(*ms);
  }
  if (auto s = HeaderNumber(response.headers, "retry-after")) {
    return std::chrono::milliseconds(*s * 1000);
  }
  return std::nullopt;
}

// Full jitter: uniform in [0, min(max_delay, base_delay * 2^(attempt-1))].
std::chrono::milliseconds Backoff(const RetryOptions& retry, int attempt, Random& random) {
  int64_t cap = std::max<int64_t>(0, retry.max_delay.count());
  int64_t ceiling = std::max<int64_t>(0, retry.base_delay.count());
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  return std::chrono::milliseconds(
      static_cast<int64_t>(random.Next() % (static_cast<uint64_t>(ceiling) + 1)));
}

// Whether a failed attempt may be repeated, and what to say about it.
struct Verdict {
  bool retry = false;
  std::optional<std::chrono::milliseconds> at_least;  // the answer's Retry-After
  std::string reason;
};

Verdict Judge(const AttemptOutcome& outcome, const RetryOptions& retry, bool idempotent) {
  if (outcome.delivered) return {};
  if (!outcome.status.ok()) {
    bool again = outcome.failure == FailureKind::kBeforeSend ||
                 (outcome.failure == FailureKind::kAfterSend && idempotent);
    return Verdict{.retry = again, .at_least = std::nullopt, .reason = outcome.status.message()};
  }
  if (!outcome.held) return {};
  Transience t =
      retry.classify ? retry.classify(outcome.response) : DefaultTransience(outcome.response);
  bool again = t == Transience::kThrottled || (t == Transience::kTransient && idempotent);
  return Verdict{.retry = again,
                 .at_least = RetryAfter(outcome.response),
                 .reason = "HTTP " + std::to_string(outcome.response.status)};
}

// Hands a held error answer to the callbacks, as one piece.
Status Deliver(const Response& held, const ResponseCallbacks& callbacks) {
  Response head{.status = held.status, .headers = held.headers, .body = {}};
  if (callbacks.on_head) BP_RETURN_IF_ERROR(callbacks.on_head(head));
  if (!held.body.empty() && callbacks.on_body) BP_RETURN_IF_ERROR(callbacks.on_body(held.body));
  return Status::Ok();
}

Result<std::shared_ptr<TlsState>> SetUpTls(const Endpoint& endpoint, const ClientOptions& options) {
  if (endpoint.scheme != Scheme::kHttps) return std::shared_ptr<TlsState>();
  return MakeTlsState(options.ca_bundle_file);
}

}  // namespace

Transience DefaultTransience(const Response& response) {
  if (response.status == 429) return Transience::kThrottled;
  if (response.status >= 500 && response.status <= 599) return Transience::kTransient;
  return Transience::kPermanent;
}

std::string Endpoint::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != DefaultPort(scheme)) h += ":" + std::to_string(port);
  return h;
}

std::string Endpoint::ToString() const {
  return (scheme == Scheme::kHttps ? "https://" : "http://") + Authority() + base_path;
}

Result<Endpoint> ParseEndpointUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return BadUrl(url, "expected http://HOST:PORT or https://HOST, e.g. http://127.0.0.1:8700");
  }
  std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return BadUrl(url, "the scheme must be http:// or https://");
  }
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
  endpoint.scheme = scheme == "https" ? Scheme::kHttps : Scheme::kHttp;
  endpoint.port = DefaultPort(endpoint.scheme);
  BP_RETURN_IF_ERROR(ParseAuthority(url, authority, endpoint));
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (!IsSafeRequestText(path, /*allow_space=*/false)) {
      return BadUrl(url, "the path holds spaces or control bytes");
    }
    endpoint.base_path = std::string(path);
  }
  return endpoint;
}

Client::Client(Endpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      tls_(SetUpTls(endpoint_, options_)) {}

Result<Response> Client::Send(const Request& request, const ResponseCallbacks& callbacks,
                              Idempotency idempotency) const {
  BP_RETURN_IF_ERROR(tls_.status());
  BP_RETURN_IF_ERROR(CheckClientRequest(request));
  TlsState* tls = tls_->get();
  const RetryOptions& retry = options_.retry;
  const int max_attempts = std::max(1, retry.max_attempts);
  const bool idempotent = IsIdempotent(idempotency, request.method);
  std::string head;
  AppendRequestHead(endpoint_.base_path, endpoint_.Authority(), options_.user_agent, request,
                    /*keep_alive=*/false, head);
  SystemRandom system_random;
  Random& random = retry.random ? *retry.random : system_random;
  for (int attempt = 1;; ++attempt) {
    AttemptOutcome outcome = RunAttempt(endpoint_, options_, tls, head, request, callbacks);
    Verdict verdict = Judge(outcome, retry, idempotent);
    std::chrono::milliseconds delay = Backoff(retry, attempt, random);
    if (verdict.at_least) {
      if (*verdict.at_least > retry.max_delay) verdict.retry = false;  // asks too much
      delay = std::max(delay, *verdict.at_least);
    }
    if (!verdict.retry || attempt >= max_attempts) {
      if (!outcome.status.ok()) {
        if (attempt == 1) return outcome.status;
        return Status(outcome.status.code(), outcome.status.message() + " (gave up after " +
                                                 std::to_string(attempt) + " attempts)");
      }
      if (outcome.held) BP_RETURN_IF_ERROR(Deliver(outcome.response, callbacks));
      outcome.response.body.clear();
      return std::move(outcome.response);
    }
    if (retry.on_retry) {
      retry.on_retry(RetryNotice{.attempt = attempt, .delay = delay, .reason = verdict.reason});
    }
    if (retry.sleep) {
      retry.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

Result<Response> Client::Send(const Request& request, Idempotency idempotency) const {
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
  BP_ASSIGN_OR_RETURN(Response response, Send(request, collect, idempotency));
  response.body = std::move(body);
  return response;
}

}  // namespace bp::http
