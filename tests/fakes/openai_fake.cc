#include "fakes/openai_fake.h"

#include <chrono>
#include <utility>
#include <vector>

#include "fakes/chat_reader.h"
#include "json/writer.h"

namespace bp::fakes {
namespace {

using backends::ContentBlock;
using Kind = ContentBlock::Kind;

constexpr std::string_view kThrottleMessage =
    "Rate limit reached for requests (FAKE-THROTTLE). Please try again later.";
constexpr std::string_view kUnavailableMessage = "The server is busy (FAKE-UNAVAILABLE).";
constexpr std::string_view kInternalMessage = "Internal server error (FAKE-500).";
constexpr std::string_view kStreamCutMessage = "The stream was interrupted (FAKE-STREAM-CUT).";

std::string_view FinishReason(backends::StopReason reason) {
  switch (reason) {
    case backends::StopReason::kMaxTokens:
      return "length";
    case backends::StopReason::kToolUse:
      return "tool_calls";
    default:
      return "stop";
  }
}

// "application/json", parameters allowed ("; charset=utf-8").
bool IsJsonContentType(const std::string* value) {
  if (value == nullptr) return false;
  std::string_view v = *value;
  const size_t semi = v.find(';');
  if (semi != std::string_view::npos) v = v.substr(0, semi);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::string lower(v);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "application/json";
}

}  // namespace

std::optional<SseStyle> SseStyleFromName(std::string_view name) {
  if (name == "vllm") return SseStyle::kVllm;
  if (name == "llama") return SseStyle::kLlama;
  if (name == "ollama") return SseStyle::kOllama;
  return std::nullopt;
}

http::Response OpenAiError(unsigned status, std::string_view type, std::string_view message) {
  http::Response response;
  response.status = status;
  response.headers.push_back({"content-type", "application/json"});
  response.body = "{\"error\":{\"message\":";
  json::AppendString(response.body, message);
  response.body += ",\"type\":";
  json::AppendString(response.body, type);
  response.body += ",\"param\":null,\"code\":null}}";
  return response;
}

// One chat completion: the sink of the simulated model, writing the answer
// whole (chat.completion) or as chat.completion.chunk events.
class OpenAiFake::Call final : public backends::OutputSink,
                               public std::enable_shared_from_this<OpenAiFake::Call> {
 public:
  Call(OpenAiFake& fake, http::Request&& request, std::shared_ptr<http::ResponseStream> stream,
       const ChatRequest& chat, bool cut)
      : fake_(fake),
        request_(std::move(request)),
        stream_(std::move(stream)),
        streaming_(chat.stream),
        include_usage_(chat.include_usage),
        cut_(cut),
        id_("chatcmpl-fake" + std::to_string(fake.next_id_++)),
        created_(
            std::chrono::duration_cast<std::chrono::seconds>(fake.clock_.Now().time_since_epoch())
                .count()) {}

  void Start(const backends::ModelRequest& model_request) {
    self_ = shared_from_this();
    invocation_ = fake_.model_->Start(model_request, stream_->loop(), *this);
  }

  void OnStart(int64_t input_tokens) override {
    collector_.OnStart(input_tokens);
    if (!streaming_) return;
    fake_.log_.Record(request_, 200, "");
    stream_->StartStream(
        200, {{"content-type", "text/event-stream; charset=utf-8"}, {"cache-control", "no-cache"}});
    writer_ = BodyWriter::Create(stream_, fake_.options_.split_bytes);
    switch (style()) {
      case SseStyle::kVllm:
        Chunk(R"({"role":"assistant","content":""})");
        break;
      case SseStyle::kLlama:
        Chunk(R"({"role":"assistant","content":null})");
        break;
      case SseStyle::kOllama:
        break;
    }
  }
  void OnTextStart(int index) override { collector_.OnTextStart(index); }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    collector_.OnToolUseStart(index, id, name);
    if (!streaming_) return;
    tool_index_ = tool_calls_++;
    tool_id_ = std::string(id);
    tool_name_ = std::string(name);
    tool_args_.clear();
    if (style() == SseStyle::kOllama) return;  // sent whole at its end
    std::string delta = R"({"tool_calls":[{"index":)";
    json::AppendInt(delta, tool_index_);
    delta += R"(,"id":)";
    json::AppendString(delta, id);
    delta += R"(,"type":"function","function":{"name":)";
    json::AppendString(delta, name);
    delta += R"(,"arguments":""}}]})";
    Chunk(delta);
  }
  void OnTextDelta(int index, std::string_view text) override {
    collector_.OnTextDelta(index, text);
    if (!streaming_) return;
    std::string delta =
        style() == SseStyle::kOllama ? R"({"role":"assistant","content":)" : R"({"content":)";
    json::AppendString(delta, text);
    delta += '}';
    Delta(delta);
  }
  void OnToolInputDelta(int index, std::string_view fragment) override {
    collector_.OnToolInputDelta(index, fragment);
    if (!streaming_) return;
    if (style() == SseStyle::kOllama) {
      tool_args_ += fragment;
      return;
    }
    std::string delta = R"({"tool_calls":[{"index":)";
    json::AppendInt(delta, tool_index_);
    delta += R"(,"function":{"arguments":)";
    json::AppendString(delta, fragment);
    delta += "}}]}";
    Delta(delta);
  }
  void OnReasoningStart(int index) override { collector_.OnReasoningStart(index); }
  void OnReasoningDelta(int index, std::string_view text) override {
    collector_.OnReasoningDelta(index, text);
    if (!streaming_) return;
    std::string delta = style() == SseStyle::kOllama ? R"({"role":"assistant","reasoning":)"
                                                     : R"({"reasoning_content":)";
    json::AppendString(delta, text);
    delta += '}';
    Delta(delta);
  }
  void OnReasoningSignature(int index, std::string_view signature) override {
    collector_.OnReasoningSignature(index, signature);  // the format has no signatures
  }
  void OnBlockStop(int index) override {
    const bool tool = Block(index) != nullptr && Block(index)->kind == Kind::kToolUse;
    collector_.OnBlockStop(index);
    if (!streaming_ || !tool || style() != SseStyle::kOllama) return;
    std::string delta = R"({"role":"assistant","content":"","tool_calls":[{"id":)";
    json::AppendString(delta, tool_id_);
    delta += R"(,"index":)";
    json::AppendInt(delta, tool_index_);
    delta += R"(,"type":"function","function":{"name":)";
    json::AppendString(delta, tool_name_);
    delta += R"(,"arguments":)";
    json::AppendString(delta, tool_args_.empty() ? std::string_view("{}") : tool_args_);
    delta += "}}]}";
    Delta(delta);
  }
  void OnFinish(backends::StopReason reason, std::string_view stop_sequence,
                const backends::Usage& usage) override {
    collector_.OnFinish(reason, stop_sequence, usage);
    if (streaming_) {
      FinishStream(reason, stop_sequence, usage);
    } else {
      http::Response response;
      response.headers.push_back({"content-type", "application/json"});
      response.body = CompletionJson(reason, stop_sequence, usage);
      fake_.log_.Record(request_, 200, "");
      SendResponse(stream_, std::move(response), fake_.options_.split_bytes);
    }
    Done();
  }
  void OnError(const Status& status) override {
    if (streaming_ && writer_ != nullptr) {
      Event(ErrorJson(status.message(), "server_error"));
      writer_->Finish();
    } else {
      fake_.Fail(std::move(request_), stream_,
                 OpenAiError(400, "invalid_request_error", status.message()),
                 "invalid_request_error: " + status.message());
    }
    Done();
  }

 private:
  SseStyle style() const { return fake_.options_.style; }

  const ContentBlock* Block(int index) {
    std::vector<ContentBlock>& blocks = collector_.response().content;
    if (index < 0 || static_cast<size_t>(index) >= blocks.size()) return nullptr;
    return &blocks[static_cast<size_t>(index)];
  }

  static std::string ErrorJson(std::string_view message, std::string_view type) {
    std::string out = R"({"error":{"message":)";
    json::AppendString(out, message);
    out += R"(,"type":)";
    json::AppendString(out, type);
    out += "}}";
    return out;
  }

  // {"id","object","created","model"[,"system_fingerprint"],
  std::string Head(std::string_view object) const {
    std::string out = R"({"id":)";
    json::AppendString(out, id_);
    out += R"(,"object":)";
    json::AppendString(out, object);
    out += R"(,"created":)";
    json::AppendInt(out, created_);
    out += R"(,"model":)";
    json::AppendString(out, fake_.options_.model);
    if (style() == SseStyle::kOllama) out += R"(,"system_fingerprint":"fp_ollama")";
    out += ',';
    return out;
  }

  std::string UsageJson(const backends::Usage& usage) const {
    const int64_t prompt =
        usage.input_tokens + usage.cache_read_input_tokens + usage.cache_write_input_tokens;
    std::string out = R"("usage":{"prompt_tokens":)";
    json::AppendInt(out, prompt);
    out += R"(,"completion_tokens":)";
    json::AppendInt(out, usage.output_tokens);
    out += R"(,"total_tokens":)";
    json::AppendInt(out, prompt + usage.output_tokens);
    out += '}';
    return out;
  }

  std::string TimingsJson(const backends::Usage& usage) const {
    std::string out = R"("timings":{"cache_n":0,"prompt_n":)";
    json::AppendInt(
        out, usage.input_tokens + usage.cache_read_input_tokens + usage.cache_write_input_tokens);
    out += R"(,"prompt_ms":1.0,"predicted_n":)";
    json::AppendInt(out, usage.output_tokens);
    out += R"(,"predicted_ms":1.0})";
    return out;
  }

  void Event(std::string_view data) {
    std::string event = "data: ";
    event += data;
    event += "\n\n";
    writer_->Write(std::move(event));
  }

  // A chunk whose only choice has `delta` and no finish reason.
  void Chunk(std::string_view delta) {
    std::string out = Head("chat.completion.chunk");
    out += R"("choices":[{"index":0,"delta":)";
    out += delta;
    if (style() == SseStyle::kVllm) out += R"(,"logprobs":null)";
    out += R"(,"finish_reason":null}]})";
    Event(out);
  }

  // A content chunk; FAKE-STREAM-CUT ends the stream after the first one.
  void Delta(std::string_view delta) {
    Chunk(delta);
    if (!cut_) return;
    Event(ErrorJson(kStreamCutMessage, "server_error"));
    writer_->Finish();
    Done();
  }

  void FinishStream(backends::StopReason reason, std::string_view stop_sequence,
                    const backends::Usage& usage) {
    const bool usage_allowed = !fake_.options_.no_usage;
    std::string out = Head("chat.completion.chunk");
    out += R"("choices":[{"index":0,"delta":)";
    out += style() == SseStyle::kOllama ? R"({"role":"assistant","content":""})" : "{}";
    if (style() == SseStyle::kVllm) out += R"(,"logprobs":null)";
    out += R"(,"finish_reason":)";
    json::AppendString(out, FinishReason(reason));
    if (style() == SseStyle::kVllm) {
      out += R"(,"stop_reason":)";
      if (reason == backends::StopReason::kStopSequence) {
        json::AppendString(out, stop_sequence);
      } else {
        out += "null";
      }
    }
    out += "}]";
    if (style() == SseStyle::kLlama && usage_allowed) {
      out += ',' + UsageJson(usage) + ',' + TimingsJson(usage);
    }
    out += '}';
    Event(out);
    if (style() != SseStyle::kLlama && usage_allowed && include_usage_) {
      Event(Head("chat.completion.chunk") + R"("choices":[],)" + UsageJson(usage) + "}");
    }
    Event("[DONE]");
    writer_->Finish();
  }

  std::string CompletionJson(backends::StopReason reason, std::string_view stop_sequence,
                             const backends::Usage& usage) {
    std::string text;
    std::string reasoning;
    bool has_text = false;
    std::string calls;
    for (const ContentBlock& block : collector_.response().content) {
      if (block.kind == Kind::kText) {
        text += block.text;
        has_text = true;
      } else if (block.kind == Kind::kReasoning) {
        reasoning += block.text;
      } else if (block.kind == Kind::kToolUse) {
        if (!calls.empty()) calls += ',';
        calls += R"({"id":)";
        json::AppendString(calls, block.tool_use_id);
        calls += R"(,"type":"function","function":{"name":)";
        json::AppendString(calls, block.tool_name);
        calls += R"(,"arguments":)";
        json::AppendString(calls,
                           block.input_json.empty() ? std::string_view("{}") : block.input_json);
        calls += "}}";
      }
    }
    std::string out = Head("chat.completion");
    out += R"("choices":[{"index":0,"message":{"role":"assistant","content":)";
    if (has_text || calls.empty()) {
      json::AppendString(out, text);
    } else {
      out += "null";
    }
    if (!calls.empty()) out += R"(,"tool_calls":[)" + calls + "]";
    if (!reasoning.empty()) {
      out += style() == SseStyle::kOllama ? R"(,"reasoning":)" : R"(,"reasoning_content":)";
      json::AppendString(out, reasoning);
    }
    out += '}';
    if (style() == SseStyle::kVllm) out += R"(,"logprobs":null)";
    out += R"(,"finish_reason":)";
    json::AppendString(out, FinishReason(reason));
    if (style() == SseStyle::kVllm) {
      out += R"(,"stop_reason":)";
      if (reason == backends::StopReason::kStopSequence) {
        json::AppendString(out, stop_sequence);
      } else {
        out += "null";
      }
    }
    out += "}]";
    if (!fake_.options_.no_usage) {
      out += ',' + UsageJson(usage);
      if (style() == SseStyle::kLlama) out += ',' + TimingsJson(usage);
    }
    out += '}';
    return out;
  }

  void Done() {
    invocation_.reset();
    stream_->loop().Post([self = std::move(self_)] {});
  }

  OpenAiFake& fake_;
  http::Request request_;
  const std::shared_ptr<http::ResponseStream> stream_;
  const bool streaming_;
  const bool include_usage_;
  const bool cut_;
  const std::string id_;
  const int64_t created_;
  std::shared_ptr<Call> self_;
  std::unique_ptr<backends::Invocation> invocation_;
  std::shared_ptr<BodyWriter> writer_;
  backends::ResponseCollector collector_;
  // The tool call being streamed.
  int64_t tool_calls_ = 0;
  int64_t tool_index_ = 0;
  std::string tool_id_;
  std::string tool_name_;
  std::string tool_args_;
};

OpenAiFake::OpenAiFake(OpenAiFakeOptions options, const Clock& clock, RequestLog& log,
                       HeldStreams& held)
    : options_(std::move(options)),
      clock_(clock),
      log_(log),
      held_(held),
      model_(std::make_unique<backends::simulated::SimulatedBackend>(
          backends::simulated::SimulatedOptions{.time_to_first_token = std::chrono::milliseconds(0),
                                                .tokens_per_second = 0})) {}

OpenAiFake::~OpenAiFake() = default;

void OpenAiFake::Fail(http::Request&& request, const std::shared_ptr<http::ResponseStream>& stream,
                      http::Response&& response, std::string_view why) {
  log_.Record(request, response.status, why);
  SendResponse(stream, std::move(response), options_.split_bytes);
}

http::Response OpenAiFake::ErrorResponse(const Status& status, std::string_view request_id) {
  (void)request_id;
  const unsigned code = status.code() == ErrorCode::kPayloadTooLarge ? 413 : 400;
  return OpenAiError(code, "invalid_request_error", status.message());
}

void OpenAiFake::Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) {
  const std::string path(request.path());
  if (path == "/_fake/requests" && request.method == "GET") {
    http::Response response;
    response.headers.push_back({"content-type", "application/json"});
    response.body = log_.Json();
    return stream->Respond(std::move(response));
  }
  if (path == "/_fake/mode" && request.method == "POST") {
    Status applied = fail_switch_.Apply(request.body);
    if (!applied.ok()) {
      return stream->Respond(OpenAiError(400, "invalid_request_error", applied.message()));
    }
    return stream->Respond(http::Response{
        .status = 200, .headers = {{"content-type", "application/json"}}, .body = "{}"});
  }
  const bool chat = path == "/v1/chat/completions" && request.method == "POST";
  const bool models = path == "/v1/models" && request.method == "GET";
  if (!chat && !models) {
    const std::string message = "Unknown request URL: " + request.method + " " + path;
    return Fail(std::move(request), stream, OpenAiError(404, "invalid_request_error", message),
                "not_found: " + message);
  }
  if (options_.api_key) {
    const std::string* auth = http::FindHeader(request.headers, "authorization");
    if (auth == nullptr || *auth != "Bearer " + *options_.api_key) {
      const std::string message = auth == nullptr ? "Missing bearer authentication in header"
                                                  : "Incorrect API key provided";
      http::Response response = OpenAiError(401, "invalid_request_error", message);
      response.body.replace(response.body.rfind("null"), 4, "\"invalid_api_key\"");
      return Fail(std::move(request), stream, std::move(response), "invalid_api_key: " + message);
    }
  }
  if (models) {
    std::string body = R"({"object":"list","data":[{"id":)";
    json::AppendString(body, options_.model);
    body += R"(,"object":"model","created":)";
    json::AppendInt(
        body,
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count());
    body += R"(,"owned_by":"bp-fake-upstream"}]})";
    log_.Record(request, 200, "");
    return SendResponse(stream,
                        http::Response{.status = 200,
                                       .headers = {{"content-type", "application/json"}},
                                       .body = std::move(body)},
                        options_.split_bytes);
  }
  if (!IsJsonContentType(http::FindHeader(request.headers, "content-type"))) {
    const std::string message = "Content-Type must be application/json";
    return Fail(std::move(request), stream, OpenAiError(400, "invalid_request_error", message),
                "invalid_request_error: " + message);
  }
  if (fail_switch_.failing()) {
    return Fail(std::move(request), stream,
                OpenAiError(503, "unavailable_error", kUnavailableMessage),
                "unavailable_error: /_fake/mode");
  }
  Result<ChatRequest> parsed = ReadChatRequest(request.body, options_.model);
  if (!parsed.ok()) {
    if (parsed.status().code() == ErrorCode::kResourceNotFound) {
      std::string body = R"({"object":"error","message":)";
      json::AppendString(body, parsed.status().message());
      body += R"(,"type":"NotFoundError","param":null,"code":404})";
      return Fail(std::move(request), stream,
                  http::Response{.status = 404,
                                 .headers = {{"content-type", "application/json"}},
                                 .body = std::move(body)},
                  "NotFoundError: " + parsed.status().message());
    }
    return Fail(std::move(request), stream,
                OpenAiError(400, "invalid_request_error", parsed.status().message()),
                "invalid_request_error: " + parsed.status().message());
  }
  ChatRequest chat_request = std::move(parsed).value();
  if (!options_.answer_as.empty()) chat_request.model.model_id = options_.answer_as;
  const Fault fault = FaultOf(chat_request.model);
  switch (fault) {
    case Fault::kThrottle:
      return Fail(std::move(request), stream,
                  OpenAiError(429, "rate_limit_error", kThrottleMessage), "rate_limit_error");
    case Fault::kUnavailable:
      return Fail(std::move(request), stream,
                  OpenAiError(503, "unavailable_error", kUnavailableMessage), "unavailable_error");
    case Fault::kInternal:
      return Fail(std::move(request), stream, OpenAiError(500, "server_error", kInternalMessage),
                  "server_error");
    case Fault::kExpired:
      return Fail(
          std::move(request), stream,
          OpenAiError(401, "invalid_request_error", "The API key has expired (FAKE-EXPIRED)."),
          "invalid_api_key: FAKE-EXPIRED");
    case Fault::kHang:
      log_.Record(request, 0, "FAKE-HANG: never answered");
      return held_.Hold(std::move(stream));
    case Fault::kStreamCut:
    case Fault::kNone:
      break;
  }
  const bool cut = chat_request.stream && fault == Fault::kStreamCut;
  auto call =
      std::make_shared<Call>(*this, std::move(request), std::move(stream), chat_request, cut);
  call->Start(chat_request.model);
}

}  // namespace bp::fakes
