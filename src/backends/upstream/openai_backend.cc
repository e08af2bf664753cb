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

// Chat completions: SSE streams through ChatStreamTranslator, whole answers
// through DecodeChatCompletion, errors through UpstreamErrorStatus.
class ChatDecoder final : public AnswerDecoder {
 public:
  explicit ChatDecoder(openai::AnswerContext context) : context_(std::move(context)) {}

  bool IsStream(const http::Headers& headers) const override {
    return HasContentType(headers, "text/event-stream");
  }
  void StartStream(OutputSink& sink) override {
    translator_ = std::make_unique<openai::ChatStreamTranslator>(context_, sink);
  }
  void Feed(std::string_view piece) override { translator_->Feed(piece); }
  void Finish() override { translator_->Finish(); }
  bool StreamDone() const override { return translator_->done(); }
  size_t max_answer_bytes() const override { return openai::kMaxAnswerBytes; }
  void EmitWhole(std::string_view body, OutputSink& sink, const bool* cancelled) override {
    Result<openai::ChatAnswer> answer = openai::DecodeChatCompletion(body, context_);
    if (!answer.ok()) return sink.OnError(answer.status());
    openai::EmitAnswer(std::move(answer).value(), sink, cancelled);
  }
  size_t max_error_bytes() const override { return openai::kMaxErrorBodyBytes; }
  Status ErrorStatus(unsigned status, const http::Headers&, std::string_view body) override {
    return openai::UpstreamErrorStatus(static_cast<int>(status), body, context_.region);
  }
  std::string Who() const override { return "The OpenAI-compatible server at " + context_.region; }

 private:
  const openai::AnswerContext context_;
  std::unique_ptr<openai::ChatStreamTranslator> translator_;
};

}  // namespace

OpenAiBackend::OpenAiBackend(http::Endpoint endpoint, http::UpstreamOptions upstream,
                             OpenAiBackendOptions options)
    : options_(std::move(options)),
      upstream_(std::move(endpoint), std::move(upstream)),
      authorization_(options_.api_key.empty() ? std::string() : "Bearer " + options_.api_key) {}

OpenAiBackend::~OpenAiBackend() = default;

std::unique_ptr<Invocation> OpenAiBackend::Start(const ModelRequest& request, EventLoop& loop,
                                                 OutputSink& sink) {
  auto call = std::make_unique<UpstreamInvocation>(
      sink, std::make_unique<ChatDecoder>(openai::MakeAnswerContext(request)), request.stream);
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
