#include "backends/upstream/bedrock_backend.h"

#include <utility>

#include "auth/credentials/provider.h"
#include "auth/sigv4/signer.h"
#include "backends/bedrock/converse_answer.h"
#include "backends/bedrock/converse_request.h"
#include "backends/bedrock/converse_stream.h"
#include "backends/bedrock/upstream_error.h"
#include "backends/tokenizer.h"
#include "backends/upstream/upstream_call.h"

namespace bp::backends::upstream {

namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024 * 1024;
constexpr size_t kMaxErrorBytes = 64 * 1024;

// Converse answers: event streams through ConverseStreamTranslator, whole
// answers through DecodeConverseResponse, errors through UpstreamErrorStatus
// (refreshing the credentials when Bedrock refused them).
class ConverseDecoder final : public AnswerDecoder {
 public:
  ConverseDecoder(bedrock::AnswerContext context,
                  auth::credentials::CredentialProvider& credentials)
      : context_(std::move(context)), credentials_(credentials) {}

  bool IsStream(const http::Headers& headers) const override {
    return HasContentType(headers, "application/vnd.amazon.eventstream");
  }
  void StartStream(OutputSink& sink) override {
    translator_ = std::make_unique<bedrock::ConverseStreamTranslator>(context_, sink);
  }
  void Feed(std::string_view piece) override { translator_->Feed(piece); }
  void Finish() override { translator_->Finish(); }
  bool StreamDone() const override { return translator_->done(); }
  size_t max_answer_bytes() const override { return kMaxAnswerBytes; }
  void EmitWhole(std::string_view body, OutputSink& sink, const bool* cancelled) override {
    Result<ModelResponse> answer = bedrock::DecodeConverseResponse(body, context_);
    if (!answer.ok()) return sink.OnError(answer.status());
    bedrock::EmitResponse(std::move(answer).value(), sink, cancelled);
  }
  size_t max_error_bytes() const override { return kMaxErrorBytes; }
  Status ErrorStatus(unsigned status, const http::Headers& headers,
                     std::string_view body) override {
    const std::string* type = http::FindHeader(headers, "x-amzn-errortype");
    const std::string_view error_type = type != nullptr ? std::string_view(*type) : "";
    if (bedrock::IsCredentialError(static_cast<int>(status), error_type, body)) {
      credentials_.RequestRefresh();
    }
    return bedrock::UpstreamErrorStatus(static_cast<int>(status), error_type, body,
                                        context_.region);
  }
  std::string Who() const override { return "Amazon Bedrock in " + context_.region; }

 private:
  const bedrock::AnswerContext context_;
  auth::credentials::CredentialProvider& credentials_;
  std::unique_ptr<bedrock::ConverseStreamTranslator> translator_;
};

}  // namespace

std::string_view GeographyOf(std::string_view region) {
  if (region.rfind("eu-", 0) == 0) return "eu";
  if (region.rfind("us-gov-", 0) == 0) return "us-gov";
  if (region.rfind("us-", 0) == 0) return "us";
  if (region.rfind("ap-", 0) == 0) return "apac";
  if (region.rfind("ca-", 0) == 0) return "ca";
  return "";
}

BedrockBackend::BedrockBackend(http::Endpoint endpoint, http::UpstreamOptions upstream,
                               BedrockBackendOptions options,
                               auth::credentials::CredentialProvider& credentials,
                               const Clock& clock)
    : options_(std::move(options)),
      upstream_(std::move(endpoint), std::move(upstream)),
      host_(upstream_.endpoint().Authority()),
      credentials_(credentials),
      clock_(clock) {}

BedrockBackend::~BedrockBackend() = default;

std::string BedrockBackend::UpstreamModelId(const ModelRequest& request) const {
  if (auto it = options_.profile_model_ids.find(request.profile_name);
      it != options_.profile_model_ids.end()) {
    return it->second;
  }
  if (options_.model_id == BedrockModelId::kSystemProfile) {
    const std::string_view geo = GeographyOf(options_.region);
    if (!geo.empty()) return std::string(geo) + "." + request.model_id;
  }
  return request.model_id;
}

std::unique_ptr<Invocation> BedrockBackend::Start(const ModelRequest& request, EventLoop& loop,
                                                  OutputSink& sink) {
  auto call = std::make_unique<UpstreamInvocation>(
      sink,
      std::make_unique<ConverseDecoder>(
          bedrock::MakeAnswerContext(request, CountRequestTokens(request)), credentials_),
      request.stream);
  Result<std::shared_ptr<const auth::credentials::Credentials>> credentials = credentials_.Get();
  if (!credentials.ok()) {
    call->Fail(loop, Status(ErrorCode::kServiceUnavailable,
                            "Amazon Bedrock in " + request.region +
                                " cannot be called: " + credentials.status().message()));
    return call;
  }
  Result<std::string> body = bedrock::BuildConverseRequest(request);
  if (!body.ok()) {
    call->Fail(loop, std::move(body).status());
    return call;
  }
  http::Request out;
  out.method = "POST";
  out.target = bedrock::ConversePath(UpstreamModelId(request), request.stream);
  out.headers.push_back({"host", host_});
  out.headers.push_back({"content-type", "application/json"});
  out.headers.push_back(
      {"accept", request.stream ? "application/vnd.amazon.eventstream" : "application/json"});
  out.body = std::move(body).value();
  const auth::credentials::Credentials& c = **credentials;
  if (c.is_bearer()) {
    out.headers.push_back({"authorization", "Bearer " + *c.bearer_token});
  } else {
    const std::string signed_path = upstream_.endpoint().base_path + out.target;
    auth::sigv4::SigningOptions signing{
        .region = options_.region, .service = "bedrock", .time = clock_.Now()};
    const std::shared_ptr<const DerivedKeyEntry> key = KeyFor(*credentials, signing);
    signing.signing_key = &key->key;
    Result<auth::sigv4::SigningResult> signature = auth::sigv4::SignWithHeaders(
        auth::sigv4::Credentials{.access_key_id = c.access_key_id,
                                 .secret_access_key = c.secret_access_key,
                                 .session_token = c.session_token},
        {.method = out.method,
         .path = signed_path,
         .query = "",
         .headers = out.headers,
         .body = out.body},
        signing);
    if (!signature.ok()) {
      call->Fail(loop, Status(ErrorCode::kInternal, "cannot sign the call to Amazon Bedrock in " +
                                                        request.region + ": " +
                                                        signature.status().message()));
      return call;
    }
    for (http::Header& h : signature->headers_to_add) out.headers.push_back(std::move(h));
  }
  call->Send(upstream_, loop, std::move(out));
  return call;
}

std::shared_ptr<const BedrockBackend::DerivedKeyEntry> BedrockBackend::KeyFor(
    const std::shared_ptr<const auth::credentials::Credentials>& credentials,
    const auth::sigv4::SigningOptions& options) const {
  std::string day = auth::sigv4::SigningDay(options.time);
  std::shared_ptr<const DerivedKeyEntry> entry = derived_key_.load(std::memory_order_acquire);
  if (entry != nullptr && entry->credentials == credentials && entry->day == day) return entry;
  // Several loops may derive the same key at once; any of them may win.
  entry = std::make_shared<const DerivedKeyEntry>(
      DerivedKeyEntry{.credentials = credentials,
                      .day = std::move(day),
                      .key = auth::sigv4::DeriveKeyFor(credentials->secret_access_key, options)});
  derived_key_.store(entry, std::memory_order_release);
  return entry;
}

int64_t BedrockBackend::CountInputTokens(const ModelRequest& request) const {
  return CountRequestTokens(request);
}

}  // namespace bp::backends::upstream
