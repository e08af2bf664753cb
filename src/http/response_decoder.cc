#include "http/response_decoder.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace bp::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

void AssignLower(std::string& out, beast::string_view s) {
  out.resize(s.size());
  std::transform(s.begin(), s.end(), out.begin(), AsciiLower);
}

bool IsInterim(unsigned status) { return status >= 100 && status < 200 && status != 101; }

constexpr size_t kMinChunkReentry = 5;

}  // namespace

// Beast's parse events, written straight into the decoder's head and pieces.
class ResponseDecoder::Impl {
 public:
  class BeastParser final : public bhttp::basic_parser<false> {
   public:
    explicit BeastParser(ResponseDecoder& d) : d_(d) {}

   private:
    void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                         beast::error_code& ec) override {
      ec = bhttp::error::bad_method;  // unreachable for a response parser
    }

    void on_response_impl(int code, beast::string_view /*reason*/, int version,
                          beast::error_code& ec) override {
      if (version != 10 && version != 11) {
        ec = bhttp::error::bad_version;
        return;
      }
      d_.head_.status = static_cast<unsigned>(code);
      d_.fields_ = 0;
    }

    void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                       beast::error_code&) override {
      if (is_header_done()) return;  // chunked trailers are not exposed
      Headers& headers = d_.head_.headers;
      if (d_.fields_ == headers.size()) headers.emplace_back();
      Header& h = headers[d_.fields_++];
      AssignLower(h.name, name);
      h.value.assign(value.data(), value.size());
    }

    void on_header_impl(beast::error_code&) override {
      d_.head_.headers.resize(d_.fields_);
      if (!IsInterim(d_.head_.status)) d_.header_done_ = true;
    }

    void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}

    size_t on_body_impl(beast::string_view body, beast::error_code&) override {
      if (!body.empty()) d_.pieces_.emplace_back(body.data(), body.size());
      return body.size();
    }

    void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}

    size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
      if (!body.empty()) d_.pieces_.emplace_back(body.data(), body.size());
      return body.size();
    }

    void on_finish_impl(beast::error_code&) override {}

    ResponseDecoder& d_;
  };

  void Start(ResponseDecoder& d, size_t max_header_bytes, bool head_request) {
    parser.emplace(d);
    parser->eager(true);
    parser->header_limit(
        static_cast<std::uint32_t>(std::min<size_t>(max_header_bytes, UINT32_MAX)));
    parser->body_limit(boost::none);  // bodies stream through; callers bound what they keep
    parser->skip(head_request);       // a HEAD answer announces a body it does not send
  }

  std::optional<BeastParser> parser;
};

ResponseDecoder::ResponseDecoder(size_t max_header_bytes)
    : max_header_bytes_(max_header_bytes), impl_(std::make_unique<Impl>()) {
  head_.headers.reserve(16);
  pieces_.reserve(8);
  Reset(false);
}

ResponseDecoder::~ResponseDecoder() = default;

void ResponseDecoder::Reset(bool head_request) {
  head_request_ = head_request;
  head_.status = 0;
  fields_ = 0;
  pieces_.clear();
  started_ = false;
  header_done_ = false;
  eof_done_ = false;
  awaiting_more_ = false;
  error_ = DecodeError::kNone;
  error_message_.clear();
  impl_->Start(*this, max_header_bytes_, head_request);
}

void ResponseDecoder::SetError(DecodeError error, std::string message) {
  error_ = error;
  error_message_ = std::move(message);
}

bool ResponseDecoder::done() const {
  return error_ == DecodeError::kNone && header_done_ && (eof_done_ || impl_->parser->is_done());
}

size_t ResponseDecoder::Feed(std::string_view data) {
  pieces_.clear();
  if (done() || failed()) return 0;
  if (!data.empty()) started_ = true;
  size_t used = 0;
  while (used < data.size()) {
    // Beast re-parses a last chunk it stopped in from its start and asserts
    // (debug builds) that it then has at least 5 bytes ("0\r\n\r\n"); so
    // a chunk header or trailer it is waiting on gets fed again only once
    // that much is there. A message cannot end in fewer, so none is held up.
    if (awaiting_more_ && header_done_ && impl_->parser->chunked() &&
        data.size() - used < kMinChunkReentry) {
      break;
    }
    beast::error_code ec;
    const size_t n =
        impl_->parser->put(boost::asio::const_buffer(data.data() + used, data.size() - used), ec);
    used += n;
    awaiting_more_ = ec == bhttp::error::need_more && used < data.size();
    if (ec == bhttp::error::need_more) break;
    if (ec == bhttp::error::header_limit) {
      SetError(DecodeError::kHeaderTooLarge,
               "the response header exceeds " + std::to_string(max_header_bytes_) + " bytes");
      return used;
    }
    if (ec) {
      SetError(DecodeError::kMalformed, ec.message());
      return used;
    }
    if (impl_->parser->is_done()) {
      if (header_done_) break;
      impl_->Start(*this, max_header_bytes_,
                   head_request_);  // an interim answer: the real one follows
      continue;
    }
    if (n == 0) break;
  }
  // Beast bounds the header section by header_limit but not a chunk-size
  // line (extensions) or the trailer section; without this a peer could make
  // the caller buffer an unbounded amount of unconsumed input.
  if (!done() && data.size() - used > max_header_bytes_) {
    SetError(DecodeError::kHeaderTooLarge, "a chunk header or the trailer exceeds " +
                                               std::to_string(max_header_bytes_) + " bytes");
  }
  return used;
}

bool ResponseDecoder::FeedEof() {
  pieces_.clear();
  if (done() || failed()) return done();
  // After an interim answer the parser is a fresh one that may have seen
  // nothing yet; Beast's put_eof() requires that it has.
  const bool got_some = started_ && impl_->parser->got_some();
  beast::error_code ec;
  if (got_some) impl_->parser->put_eof(ec);
  if (!ec && got_some && header_done_ && impl_->parser->is_done()) {
    eof_done_ = true;
    return true;
  }
  SetError(DecodeError::kTruncated, started_ ? "partial message" : "end of stream");
  return false;
}

bool ResponseDecoder::keep_alive() const {
  if (!done() || eof_done_ || head_.status == 101) return false;
  return impl_->parser->keep_alive() && !impl_->parser->need_eof();
}

}  // namespace bp::http
