// Fuzzes what arrives on a server socket. Input that starts with the HTTP/2
// preface drives an Http2Session (nghttp2 server session plus our callbacks,
// with a handler that answers, streams, or drops requests); anything else
// drives the HTTP/1.1 RequestParser, fed whole (pipelined requests) and in
// small pieces (as a connection would). Must never crash, hang or leak.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/event_loop.h"
#include "http/http2_session.h"
#include "http/message.h"
#include "http/request_parser.h"
#include "http/sniff.h"

namespace {

using bp::http::Header;
using bp::http::ParserLimits;
using bp::http::Request;
using bp::http::RequestParser;

constexpr ParserLimits kLimits{.max_header_bytes = 2048, .max_body_bytes = 4096};

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckRequest(const Request& r) {
  Check(r.body.size() <= kLimits.max_body_bytes);
  Check(!r.method.empty());
  for (const Header& h : r.headers) {
    for (char c : h.name) Check(!(c >= 'A' && c <= 'Z'));
  }
}

// Parses requests one after another, presenting `step` new bytes at a time.
void FeedHttp1(std::string_view input, size_t step) {
  RequestParser parser(kLimits);
  std::string pending;
  size_t offset = 0;
  while (offset < input.size() || !pending.empty()) {
    const size_t n = std::min(step, input.size() - offset);
    pending.append(input.substr(offset, n));
    offset += n;
    const size_t used = parser.Feed(pending);
    Check(used <= pending.size());
    pending.erase(0, used);
    if (parser.failed()) return;
    if (parser.done()) {
      CheckRequest(parser.TakeRequest());
      parser.Reset();
    } else if (used == 0 && n == 0) {
      return;  // incomplete and no more input
    }
    Check(pending.size() <= kLimits.max_header_bytes + step);
  }
}

class FixedClock final : public bp::Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));
  }
  std::chrono::steady_clock::time_point SteadyNow() const override { return {}; }
};

class CountingRandom final : public bp::Random {
 public:
  uint64_t Next() override { return ++n_ * 0x9E3779B97F4A7C15ULL; }

 private:
  uint64_t n_ = 0;
};

class NoTimer final : public bp::TimerHandle {};

// Runs posted work at once; timers never fire.
class InlineLoop final : public bp::EventLoop {
 public:
  void Post(std::function<void()> fn) override { fn(); }
  std::unique_ptr<bp::TimerHandle> After(std::chrono::milliseconds,
                                         std::function<void()>) override {
    return std::make_unique<NoTimer>();
  }
};

class ScriptedHandler final : public bp::http::Handler {
 public:
  void Handle(Request&& request, std::shared_ptr<bp::http::ResponseStream> stream) override {
    CheckRequest(request);
    switch (request.target.size() % 3) {
      case 0:
        stream->Respond(
            {.status = 200, .headers = {{"content-type", "x/y"}}, .body = request.body});
        break;
      case 1:
        stream->StartStream(200, {{"Content-Type", "a/b"}, {"connection", "x"}});
        stream->Write(std::string(request.body.size() % 40000, 'z'));
        stream->Write("tail");
        stream->Finish();
        break;
      default:
        break;  // dropped unanswered: the server answers 500
    }
  }
  bp::http::Response ErrorResponse(const bp::Status& status, std::string_view id) override {
    return {.status = 400, .headers = {}, .body = status.message() + std::string(id)};
  }
};

void FuzzHttp2(std::string_view input) {
  FixedClock clock;
  CountingRandom random;
  InlineLoop loop;
  ScriptedHandler handler;
  bp::http::ServerOptions options;
  options.max_header_bytes = kLimits.max_header_bytes;
  options.max_body_bytes = kLimits.max_body_bytes;
  auto created = bp::http::Http2Session::Create(
      {.options = options, .handler = handler, .clock = clock, .random = random, .loop = loop},
      nullptr);
  Check(created.ok());
  std::shared_ptr<bp::http::Http2Session> session = std::move(created).value();
  std::string out;
  // Two reads, split where the input says, with output drained in between.
  const size_t split = input.size() > 24 ? 24 + static_cast<uint8_t>(input[24]) : input.size();
  for (std::string_view part : {input.substr(0, std::min(split, input.size())),
                                input.substr(std::min(split, input.size()))}) {
    if (part.empty()) continue;
    if (!session->Receive(part, std::chrono::steady_clock::time_point()).ok()) break;
    for (int i = 0; i < 64; ++i) {
      out.clear();
      if (!session->CollectOutput(out, 1 << 16) || out.empty()) break;
    }
  }
  session->ExpireRequests(std::chrono::steady_clock::time_point::max());
  session->Drain();
  out.clear();
  session->CollectOutput(out, 1 << 20);
  session->Abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (bp::http::SniffProtocol(input) == bp::http::Protocol::kHttp2) {
    FuzzHttp2(input);
    return 0;
  }
  FeedHttp1(input, input.size() + 1);
  FeedHttp1(input, 7);
  (void)bp::http::ParseRequest(input, kLimits);
  return 0;
}
