#include "http/request_parser.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace bp::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool EqualsIgnoreCase(beast::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != b[i]) return false;
  }
  return true;
}

// Receives Beast's parse events and builds the Request in place: no
// intermediate field container, one string per header name/value.
struct ParseSink {
  Request request;
  int version = 11;
  bool expects_continue = false;
  size_t max_body_bytes = 0;
  RequestParser::BodyGate* gate = nullptr;  // may be null or empty
  Status refusal;                           // what the gate said, when it refused
};

class BeastParser final : public bhttp::basic_parser<true> {
 public:
  explicit BeastParser(ParseSink& sink) : sink_(sink) {}

 private:
  void on_request_impl(bhttp::verb /*method*/, beast::string_view method_str,
                       beast::string_view target, int version, beast::error_code& ec) override {
    if (version != 10 && version != 11) {
      ec = bhttp::error::bad_version;
      return;
    }
    sink_.version = version;
    sink_.request.method.assign(method_str.data(), method_str.size());
    sink_.request.target.assign(target.data(), target.size());
  }

  void on_response_impl(int, beast::string_view, int, beast::error_code& ec) override {
    ec = bhttp::error::bad_method;  // unreachable for a request parser
  }

  void on_field_impl(bhttp::field name, beast::string_view name_string, beast::string_view value,
                     beast::error_code& /*ec*/) override {
    if (is_header_done()) return;  // chunked trailers are not exposed
    Header& h = sink_.request.headers.emplace_back();
    h.name.resize(name_string.size());
    std::transform(name_string.begin(), name_string.end(), h.name.begin(), AsciiLower);
    h.value.assign(value.data(), value.size());
    if (name == bhttp::field::expect && EqualsIgnoreCase(value, "100-continue")) {
      sink_.expects_continue = true;
    }
  }

  void on_header_impl(beast::error_code& /*ec*/) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code& ec) override {
    // Beast has already refused lengths over the body limit. The gate sees
    // the announced length before a byte of the body is stored.
    if (content_length && !Admit(*content_length, ec)) return;
    if (content_length) sink_.request.body.reserve(static_cast<size_t>(*content_length));
  }

  size_t on_body_impl(beast::string_view body, beast::error_code& /*ec*/) override {
    sink_.request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}

  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                            beast::error_code& ec) override {
    if (!Admit(sink_.request.body.size() + body.size(), ec)) return 0;
    sink_.request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(beast::error_code& /*ec*/) override {}

  bool Admit(uint64_t total, beast::error_code& ec) {
    if (sink_.gate == nullptr || !*sink_.gate) return true;
    sink_.refusal = (*sink_.gate)(total);
    if (sink_.refusal.ok()) return true;
    ec = beast::error::timeout;  // any error stops Beast; SetError reads `refusal`
    return false;
  }

  ParseSink& sink_;
};

}  // namespace

unsigned StatusForParseError(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return 0;
    case ParseError::kMalformed:
      return 400;
    case ParseError::kHeaderTooLarge:
      return 431;
    case ParseError::kBodyTooLarge:
      return 413;
    case ParseError::kRefused:
      return 503;
  }
  return 400;
}

class RequestParser::Impl {
 public:
  explicit Impl(ParserLimits limits) : limits_(limits) { Reset(); }

  void Reset() {
    sink_ = ParseSink();
    sink_.gate = &gate_;
    // Room for an AWS SDK request's headers (about 10), kept under 1 KiB: a
    // larger block is a "large" malloc request, which makes glibc
    // consolidate its fast bins on every request.
    sink_.request.headers.reserve(14);
    parser_.emplace(sink_);
    parser_->eager(true);
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<size_t>(limits_.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(static_cast<std::uint64_t>(limits_.max_body_bytes));
    error_ = ParseError::kNone;
    error_message_.clear();
  }

  size_t Feed(std::string_view data) {
    if (parser_->is_done() || error_ != ParseError::kNone) return 0;
    size_t used = 0;
    while (used < data.size() && !parser_->is_done()) {
      beast::error_code ec;
      const size_t n =
          parser_->put(boost::asio::const_buffer(data.data() + used, data.size() - used), ec);
      used += n;
      if (ec == bhttp::error::need_more) break;
      if (ec) {
        SetError(ec);
        break;
      }
      if (n == 0) break;
    }
    // Beast bounds the header section by header_limit but not a chunk-size
    // line (extensions) or the trailer section; without this check a client
    // could make the caller buffer an unbounded amount of unconsumed input.
    if (error_ == ParseError::kNone && !parser_->is_done() &&
        data.size() - used > limits_.max_header_bytes) {
      error_ = ParseError::kMalformed;
      error_message_ = "malformed HTTP request: chunk header or trailer exceeds " +
                       std::to_string(limits_.max_header_bytes) + " bytes";
    }
    return used;
  }

  bool header_done() const { return parser_->is_header_done(); }
  bool done() const { return error_ == ParseError::kNone && parser_->is_done(); }
  ParseError error() const { return error_; }
  const std::string& error_message() const { return error_message_; }
  bool keep_alive() const { return parser_->keep_alive(); }
  bool expects_continue() const { return sink_.expects_continue; }
  int version() const { return sink_.version; }
  Request TakeRequest() { return std::move(sink_.request); }
  void set_body_gate(BodyGate gate) { gate_ = std::move(gate); }
  std::optional<uint64_t> content_length() const {
    if (!parser_->is_header_done() || parser_->chunked()) return std::nullopt;
    auto length = parser_->content_length();
    return length ? std::optional<uint64_t>(*length) : std::nullopt;
  }
  const Status& refusal() const { return sink_.refusal; }

 private:
  void SetError(const beast::error_code& ec) {
    if (!sink_.refusal.ok()) {
      error_ = ParseError::kRefused;
      error_message_ = sink_.refusal.message();
    } else if (ec == bhttp::error::header_limit) {
      error_ = ParseError::kHeaderTooLarge;
      error_message_ =
          "request header exceeds " + std::to_string(limits_.max_header_bytes) + " bytes";
    } else if (ec == bhttp::error::body_limit) {
      error_ = ParseError::kBodyTooLarge;
      error_message_ = "request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes";
    } else {
      error_ = ParseError::kMalformed;
      error_message_ = "malformed HTTP request: " + ec.message();
    }
  }

  const ParserLimits limits_;
  BodyGate gate_;
  ParseSink sink_;
  std::optional<BeastParser> parser_;
  ParseError error_ = ParseError::kNone;
  std::string error_message_;
};

RequestParser::RequestParser(ParserLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
RequestParser::~RequestParser() = default;
void RequestParser::Reset() { impl_->Reset(); }
size_t RequestParser::Feed(std::string_view data) { return impl_->Feed(data); }
bool RequestParser::header_done() const { return impl_->header_done(); }
bool RequestParser::done() const { return impl_->done(); }
ParseError RequestParser::error() const { return impl_->error(); }
const std::string& RequestParser::error_message() const { return impl_->error_message(); }
bool RequestParser::keep_alive() const { return impl_->keep_alive(); }
bool RequestParser::expects_continue() const { return impl_->expects_continue(); }
int RequestParser::version() const { return impl_->version(); }
Request RequestParser::TakeRequest() { return impl_->TakeRequest(); }
void RequestParser::set_body_gate(BodyGate gate) { impl_->set_body_gate(std::move(gate)); }
const Status& RequestParser::refusal() const { return impl_->refusal(); }
std::optional<uint64_t> RequestParser::content_length() const { return impl_->content_length(); }

Result<Request> ParseRequest(std::string_view bytes, const ParserLimits& limits, size_t* consumed) {
  RequestParser parser(limits);
  const size_t used = parser.Feed(bytes);
  if (parser.error() == ParseError::kRefused) return parser.refusal();
  if (parser.failed()) {
    const ErrorCode code = parser.error() == ParseError::kMalformed ? ErrorCode::kValidation
                                                                    : ErrorCode::kPayloadTooLarge;
    return Status(code, parser.error_message());
  }
  if (!parser.done()) return ValidationError("incomplete HTTP request");
  if (consumed != nullptr) *consumed = used;
  return parser.TakeRequest();
}

}  // namespace bp::http
