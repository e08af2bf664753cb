#include "backends/upstream/openai_backend.h"

#include <utility>

#include "backends/openai/chat_answer.h"
#include "backends/openai/chat_request.h"
#include "backends/openai/chat_stream.h"
#include "backends/openai/upstream_error.h"
#include "backends/tokenizer.h"
#include "backends/upstream/upstream_call.h"

namespace bp::backends::upstream {

namespace {

constexpr std::string_view kChatPath = "/v1/chat/completions";

}  // namespace

// One chat-completions call. Owned by the runtime through its Invocation
// handle; the upstream call is the last member, so it is cancelled before
// anything its callbacks use is destroyed.
class OpenAiBackend::Call final : public Invocation {
 public:
  Call(OutputSink& sink, openai::AnswerContext context, bool stream)
      : sink_(sink), context_(std::move(context)), stream_(stream) {}
  ~Call() override { *cancelled_ = true; }

  void Fail(EventLoop& loop, Status status) {
    failure_ = PostError(loop, sink_, std::move(status));
  }

  void Send(const http::Upstream& upstream, EventLoop& loop, http::Request request) {
    upstream_call_ =
        upstream.Start(loop, std::move(request),
                       {.on_head = [this](const http::Response& head) { OnHead(head); },
                        .on_body = [this](std::string_view piece) { OnBody(piece); },
                        .on_done = [this](const http::UpstreamResult& result) { OnDone(result); }});
  }

 private:
  enum class Mode : uint8_t { kWhole, kSse, kError };

  void OnHead(const http::Response& head) {
    status_ = head.status;
    if (status_ < 200 || status_ > 299) {
      mode_ = Mode::kError;
      return;
    }
    if (stream_ && IsEventStream(head.headers)) {
      mode_ = Mode::kSse;
      translator_ = std::make_unique<openai::ChatStreamTranslator>(context_, sink_);
    }
  }

  void OnBody(std::string_view piece) {
    switch (mode_) {
      case Mode::kSse:
        translator_->Feed(piece);  // may destroy this call: nothing after it
        return;
      case Mode::kError:
        AppendCapped(body_, piece, openai::kMaxErrorBodyBytes);
        return;
      case Mode::kWhole:
        if (body_.size() + piece.size() > openai::kMaxAnswerBytes) {
          upstream_call_.reset();
          return sink_.OnError(Status(ErrorCode::kModelError,
                                      "The OpenAI-compatible server at " + context_.region +
                                          " answered more than " +
                                          std::to_string(openai::kMaxAnswerBytes) + " bytes"));
        }
        body_.append(piece);
        return;
    }
  }

  void OnDone(const http::UpstreamResult& result) {
    if (!result.status.ok()) {
      if (translator_ != nullptr && translator_->done()) return;
      return sink_.OnError(
          TransportError("The OpenAI-compatible server at", context_.region, result.status));
    }
    switch (mode_) {
      case Mode::kSse:
        translator_->Finish();
        return;
      case Mode::kError:
        return sink_.OnError(
            openai::UpstreamErrorStatus(static_cast<int>(status_), body_, context_.region));
      case Mode::kWhole: {
        Result<openai::ChatAnswer> answer = openai::DecodeChatCompletion(body_, context_);
        if (!answer.ok()) return sink_.OnError(answer.status());
        const std::shared_ptr<bool> cancelled = cancelled_;  // outlives this call
        openai::EmitAnswer(std::move(answer).value(), sink_, cancelled.get());
        return;
      }
    }
  }

  OutputSink& sink_;
  const openai::AnswerContext context_;
  const bool stream_;
  const std::shared_ptr<bool> cancelled_ = std::make_shared<bool>(false);
  Mode mode_ = Mode::kWhole;
  unsigned status_ = 0;
  std::string body_;
  std::unique_ptr<openai::ChatStreamTranslator> translator_;
  std::unique_ptr<TimerHandle> failure_;
  std::unique_ptr<http::UpstreamCall> upstream_call_;  // last: cancelled first
};

OpenAiBackend::OpenAiBackend(http::Endpoint endpoint, http::UpstreamOptions upstream,
                             OpenAiBackendOptions options)
    : options_(std::move(options)),
      upstream_(std::move(endpoint), std::move(upstream)),
      authorization_(options_.api_key.empty() ? std::string() : "Bearer " + options_.api_key) {}

OpenAiBackend::~OpenAiBackend() = default;

std::unique_ptr<Invocation> OpenAiBackend::Start(const ModelRequest& request, EventLoop& loop,
                                                 OutputSink& sink) {
  auto call = std::make_unique<Call>(sink, openai::MakeAnswerContext(request), request.stream);
  Result<std::string> body =
      openai::BuildChatRequest(request, {.model = options_.model,
                                         .stream = request.stream,
                                         .include_usage = true,
                                         .default_max_tokens = options_.default_max_tokens});
  if (!body.ok()) {
    call->Fail(loop, std::move(body).status());
    return call;
  }
  http::Request out;
  out.method = "POST";
  out.target = std::string(kChatPath);
  out.headers.push_back({"content-type", "application/json"});
  out.headers.push_back({"accept", request.stream ? "text/event-stream" : "application/json"});
  if (!authorization_.empty()) out.headers.push_back({"authorization", authorization_});
  out.body = std::move(body).value();
  call->Send(upstream_, loop, std::move(out));
  return call;
}

int64_t OpenAiBackend::CountInputTokens(const ModelRequest& request) const {
  return CountRequestTokens(request);
}

}  // namespace bp::backends::upstream
