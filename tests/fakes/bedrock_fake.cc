#include "fakes/bedrock_fake.h"

#include <utility>
#include <vector>

#include "api/errors.h"
#include "api/runtime/converse_wire.h"
#include "api/runtime/stream_errors.h"
#include "core/arn.h"
#include "core/uri.h"
#include "json/writer.h"

namespace bp::fakes {
namespace {

// The model of an application inference profile nobody mapped.
constexpr std::string_view kDefaultModel = "anthropic.claude-haiku-4-5-20251001-v1:0";

constexpr std::string_view kInvalidModel = "The provided model identifier is invalid.";
constexpr std::string_view kThrottleMessage = "Too many requests, please wait before trying again.";
constexpr std::string_view kUnavailableMessage = "Bedrock is unable to process your request.";
constexpr std::string_view kInternalMessage =
    "The system encountered an unexpected error during processing. Try your request again.";
constexpr std::string_view kExpiredMessage =
    "The security token included in the request is expired";
constexpr std::string_view kStreamCutMessage =
    "The model stream was interrupted (FAKE-STREAM-CUT): an error occurred while the model was "
    "streaming its answer.";

http::Response BedrockError(unsigned status, std::string_view type, std::string_view message) {
  http::Response response;
  response.status = status;
  response.headers.push_back({"content-type", "application/json"});
  response.headers.push_back({"x-amzn-errortype", BedrockErrorTypeHeader(type)});
  response.body = "{\"message\":";
  json::AppendString(response.body, api::ToValidUtf8(message));
  response.body += '}';
  return response;
}

int64_t MillisSince(std::chrono::steady_clock::time_point start, const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - start).count();
}

}  // namespace

std::string BedrockErrorTypeHeader(std::string_view type) {
  const bool coral = type == "InvalidSignatureException" || type == "UnrecognizedClientException" ||
                     type == "IncompleteSignatureException" ||
                     type == "MissingAuthenticationTokenException" ||
                     type == "ExpiredTokenException" || type == "UnknownOperationException";
  return std::string(type) + (coral ? ":http://internal.amazon.com/coral/com.amazon.coral.service/"
                                    : ":http://internal.amazon.com/coral/com.amazon.bedrock/");
}

// The one set of credentials the fake accepts.
class BedrockFake::Lookup final : public auth::sigv4::CredentialLookup {
 public:
  explicit Lookup(auth::sigv4::Credentials credentials) : credentials_(std::move(credentials)) {}
  const auth::sigv4::Credentials* Find(std::string_view access_key_id) const override {
    return access_key_id == credentials_.access_key_id ? &credentials_ : nullptr;
  }

 private:
  const auth::sigv4::Credentials credentials_;
};

// One model call: the sink of the simulated model, writing the Converse
// answer (whole, or as event-stream frames).
class BedrockFake::Call final : public backends::OutputSink,
                                public std::enable_shared_from_this<BedrockFake::Call> {
 public:
  Call(BedrockFake& fake, http::Request&& request, std::shared_ptr<http::ResponseStream> stream,
       bool streaming, bool cut, std::optional<backends::ServiceTier> tier)
      : fake_(fake),
        request_(std::move(request)),
        stream_(std::move(stream)),
        streaming_(streaming),
        cut_(cut),
        tier_(tier),
        started_at_(fake.clock_.SteadyNow()) {}

  void Start(const backends::ModelRequest& model_request) {
    self_ = shared_from_this();  // kept until the answer is complete
    invocation_ = fake_.model_->Start(model_request, stream_->loop(), *this);
  }

  void OnStart(int64_t input_tokens) override {
    collector_.OnStart(input_tokens);
    if (!streaming_) return;
    fake_.log_.Record(request_, 200, "");
    stream_->StartStream(200, {{"content-type", "application/vnd.amazon.eventstream"}});
    writer_ = BodyWriter::Create(stream_, fake_.options_.split_bytes);
    std::string frame;
    api::runtime::AppendConverseMessageStart(frame);
    writer_->Write(std::move(frame));
  }
  void OnTextStart(int index) override { collector_.OnTextStart(index); }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    collector_.OnToolUseStart(index, id, name);
    if (!streaming_) return;
    std::string frame;
    api::runtime::AppendConverseToolUseStart(frame, index, id, name);
    writer_->Write(std::move(frame));
  }
  void OnTextDelta(int index, std::string_view text) override {
    collector_.OnTextDelta(index, text);
    if (!streaming_) return;
    std::string frame;
    api::runtime::AppendConverseTextDelta(frame, index, text);
    Delta(std::move(frame));
  }
  void OnToolInputDelta(int index, std::string_view fragment) override {
    collector_.OnToolInputDelta(index, fragment);
    if (!streaming_) return;
    std::string frame;
    api::runtime::AppendConverseToolInputDelta(frame, index, fragment);
    Delta(std::move(frame));
  }
  void OnReasoningStart(int index) override { collector_.OnReasoningStart(index); }
  void OnReasoningDelta(int index, std::string_view text) override {
    collector_.OnReasoningDelta(index, text);
    if (!streaming_) return;
    std::string frame;
    api::runtime::AppendConverseReasoningDelta(frame, index, text);
    Delta(std::move(frame));
  }
  void OnReasoningSignature(int index, std::string_view signature) override {
    collector_.OnReasoningSignature(index, signature);
    if (!streaming_) return;
    std::string frame;
    api::runtime::AppendConverseReasoningSignature(frame, index, signature);
    writer_->Write(std::move(frame));
  }
  void OnBlockStop(int index) override {
    collector_.OnBlockStop(index);
    if (!streaming_) return;
    std::string frame;
    api::runtime::AppendConverseBlockStop(frame, index);
    writer_->Write(std::move(frame));
  }
  void OnFinish(backends::StopReason reason, std::string_view stop_sequence,
                const backends::Usage& usage) override {
    collector_.OnFinish(reason, stop_sequence, usage);
    const int64_t latency = MillisSince(started_at_, fake_.clock_);
    if (streaming_) {
      std::string frames;
      api::runtime::AppendConverseFinish(frames, reason, usage, latency, tier_);
      writer_->Write(std::move(frames));
      writer_->Finish();
    } else {
      http::Response response;
      response.headers.push_back({"content-type", "application/json"});
      response.body = api::runtime::ConverseResponseJson(collector_.response(), latency, tier_);
      fake_.log_.Record(request_, 200, "");
      SendResponse(stream_, std::move(response), fake_.options_.split_bytes);
    }
    Done();
  }
  void OnError(const Status& status) override {
    if (streaming_ && writer_ != nullptr) {
      std::string frame;
      api::runtime::AppendStreamException(frame, api::StreamApi::kConverse, status);
      writer_->Write(std::move(frame));
      writer_->Finish();
    } else {
      fake_.FailWith(std::move(request_), stream_, status);
    }
    Done();
  }

 private:
  // A delta frame; FAKE-STREAM-CUT ends the stream after the first one.
  void Delta(std::string&& frame) {
    writer_->Write(std::move(frame));
    if (!cut_) return;
    std::string error;
    api::runtime::AppendStreamException(
        error, api::StreamApi::kConverse,
        Status(ErrorCode::kModelStreamError, std::string(kStreamCutMessage)),
        {.original_status_code = 500, .original_message = {}});
    writer_->Write(std::move(error));
    writer_->Finish();
    Done();
  }

  // Nothing more comes: the invocation is dropped (also from inside its own
  // callback, which backend.h allows) and so is this call, once the
  // callback has returned.
  void Done() {
    invocation_.reset();
    stream_->loop().Post([self = std::move(self_)] {});
  }

  BedrockFake& fake_;
  http::Request request_;
  const std::shared_ptr<http::ResponseStream> stream_;
  const bool streaming_;
  const bool cut_;
  const std::optional<backends::ServiceTier> tier_;
  const std::chrono::steady_clock::time_point started_at_;
  std::shared_ptr<Call> self_;
  std::unique_ptr<backends::Invocation> invocation_;
  std::shared_ptr<BodyWriter> writer_;
  backends::ResponseCollector collector_;
};

Result<std::unique_ptr<BedrockFake>> BedrockFake::Create(BedrockFakeOptions options,
                                                         const Clock& clock, RequestLog& log,
                                                         HeldStreams& held) {
  if (options.region.empty()) return ValidationError("bedrock fake: --region is required");
  BP_ASSIGN_OR_RETURN(catalog::Catalog catalog, catalog::Catalog::Builtin());
  return std::unique_ptr<BedrockFake>(
      new BedrockFake(std::move(options), clock, log, held, std::move(catalog)));
}

BedrockFake::BedrockFake(BedrockFakeOptions options, const Clock& clock, RequestLog& log,
                         HeldStreams& held, catalog::Catalog catalog)
    : options_(std::move(options)),
      clock_(clock),
      log_(log),
      held_(held),
      catalog_(std::move(catalog)) {
  lookup_ = std::make_unique<Lookup>(options_.credentials);
  verifier_ = std::make_unique<auth::sigv4::Verifier>(
      auth::sigv4::VerifierOptions{
          .region = options_.region, .service = "bedrock", .allowed_skew = options_.allowed_skew},
      *lookup_, clock_);
  // Prompt caching as the endpoint's own simulated regions do it: the
  // catalog's per-model minimum prefix.
  backends::simulated::PromptCacheOptions cache_options;
  for (const catalog::FoundationModel& model : catalog_.models()) {
    if (model.prompt_cache_min_tokens <= 0) continue;
    cache_options.models.emplace(model.model_id, backends::simulated::ModelCacheRules{
                                                     .min_tokens = model.prompt_cache_min_tokens});
  }
  prompt_cache_ =
      std::make_unique<backends::simulated::PromptCache>(clock_, std::move(cache_options));
  model_ = std::make_unique<backends::simulated::SimulatedBackend>(
      backends::simulated::SimulatedOptions{.time_to_first_token = std::chrono::milliseconds(0),
                                            .tokens_per_second = options_.tokens_per_second},
      prompt_cache_.get());
}

BedrockFake::~BedrockFake() = default;

std::optional<std::string> BedrockFake::ResolveModel(std::string_view identifier) const {
  auto served_here = [this](const std::vector<std::string>& regions) {
    for (const std::string& r : regions) {
      if (r == options_.region) return true;
    }
    return false;
  };
  auto plain = [&](std::string_view id) -> std::optional<std::string> {
    if (const catalog::FoundationModel* m = catalog_.FindModel(id)) {
      if (served_here(m->regions)) return m->model_id;
      return std::nullopt;
    }
    if (const catalog::SystemProfile* p = catalog_.FindSystemProfile(id)) {
      if (served_here(p->regions)) return p->model_id;
    }
    return std::nullopt;
  };
  if (!identifier.starts_with("arn:")) return plain(identifier);
  if (auto it = options_.profiles.find(identifier); it != options_.profiles.end()) {
    return it->second;
  }
  Result<Arn> arn = Arn::Parse(identifier);
  if (!arn.ok() || arn->partition != "aws" || arn->region != options_.region) return std::nullopt;
  switch (ClassifyBedrockArn(*arn)) {
    case BedrockResourceKind::kFoundationModel:
      if (!arn->account.empty()) return std::nullopt;
      return plain(arn->ResourceId());
    case BedrockResourceKind::kSystemProfile:
      if (arn->account.empty()) return std::nullopt;
      return plain(arn->ResourceId());
    case BedrockResourceKind::kApplicationProfile:
      if (arn->account.empty()) return std::nullopt;
      return std::string(kDefaultModel);
    case BedrockResourceKind::kOther:
      return std::nullopt;
  }
  return std::nullopt;
}

void BedrockFake::Fail(http::Request&& request, const std::shared_ptr<http::ResponseStream>& stream,
                       unsigned status, std::string_view type, std::string_view message) {
  log_.Record(request, status, std::string(type) + ": " + std::string(message));
  SendResponse(stream, BedrockError(status, type, message), options_.split_bytes);
}

void BedrockFake::FailWith(http::Request&& request,
                           const std::shared_ptr<http::ResponseStream>& stream,
                           const Status& status) {
  const api::ErrorWire wire = api::WireFor(status.code());
  Fail(std::move(request), stream, wire.http_status, wire.type, status.message());
}

http::Response BedrockFake::ErrorResponse(const Status& status, std::string_view request_id) {
  (void)request_id;
  const api::ErrorWire wire = api::WireFor(status.code());
  return BedrockError(wire.http_status, wire.type, status.message());
}

void BedrockFake::Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) {
  const std::string_view path = request.path();
  if (path == "/_fake/requests" && request.method == "GET") {
    http::Response response;
    response.headers.push_back({"content-type", "application/json"});
    response.body = log_.Json();
    return stream->Respond(std::move(response));
  }
  if (path == "/_fake/mode" && request.method == "POST") {
    Status applied = fail_switch_.Apply(request.body);
    if (!applied.ok())
      return stream->Respond(BedrockError(400, "ValidationException", applied.message()));
    return stream->Respond(http::Response{
        .status = 200, .headers = {{"content-type", "application/json"}}, .body = "{}"});
  }

  // Routing: POST /model/{modelId}/converse[-stream], nothing else.
  Result<std::vector<std::string>> segments = SplitAndDecodePath(path);
  const bool routed = segments.ok() && segments->size() == 3 && (*segments)[0] == "model" &&
                      ((*segments)[2] == "converse" || (*segments)[2] == "converse-stream") &&
                      request.method == "POST";
  if (!routed) {
    return Fail(std::move(request), stream, 404, "UnknownOperationException",
                "The requested operation is not recognized by the service.");
  }
  const std::string identifier = (*segments)[1];
  const bool streaming = (*segments)[2] == "converse-stream";

  // Authentication first, as AWS does: nothing about the body is looked at
  // for a request that is not correctly signed.
  Result<auth::sigv4::VerifiedSignature> verified = verifier_->Verify(request);
  if (!verified.ok()) return FailWith(std::move(request), stream, verified.status());

  if (fail_switch_.failing()) {
    return Fail(std::move(request), stream, 503, "ServiceUnavailableException",
                kUnavailableMessage);
  }
  std::optional<std::string> model_id = ResolveModel(identifier);
  if (!model_id) return Fail(std::move(request), stream, 400, "ValidationException", kInvalidModel);

  Result<backends::ModelRequest> parsed = api::runtime::ParseConverseRequest(request.body);
  if (!parsed.ok()) return FailWith(std::move(request), stream, parsed.status());
  backends::ModelRequest model_request = std::move(parsed).value();
  model_request.model_id = *model_id;
  model_request.region = options_.region;
  if (!model_request.cache_points.empty()) model_request.profile_arn = identifier;

  switch (FaultOf(model_request)) {
    case Fault::kThrottle:
      return Fail(std::move(request), stream, 429, "ThrottlingException", kThrottleMessage);
    case Fault::kUnavailable:
      return Fail(std::move(request), stream, 503, "ServiceUnavailableException",
                  kUnavailableMessage);
    case Fault::kInternal:
      return Fail(std::move(request), stream, 500, "InternalServerException", kInternalMessage);
    case Fault::kExpired:
      return Fail(std::move(request), stream, 403, "ExpiredTokenException", kExpiredMessage);
    case Fault::kHang:
      log_.Record(request, 0, "FAKE-HANG: never answered");
      return held_.Hold(std::move(stream));
    case Fault::kStreamCut:
    case Fault::kNone:
      break;
  }
  const bool cut = streaming && FaultOf(model_request) == Fault::kStreamCut;
  auto call = std::make_shared<Call>(*this, std::move(request), std::move(stream), streaming, cut,
                                     model_request.service_tier);
  call->Start(model_request);
}

}  // namespace bp::fakes
