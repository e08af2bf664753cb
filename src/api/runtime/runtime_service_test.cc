#include "api/runtime/runtime_service.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/fake_response_stream.h"
#include "api/runtime/runtime_test_util.h"
#include "core/arn.h"
#include "eventstream/eventstream.h"
#include "storage/caching_store.h"
#include "storage/memory/memory_profile_store.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kModel[] = "anthropic.claude-haiku-4-5-20251001-v1:0";
constexpr char kId[] = "acwt9yee9wzo";

// A backend that answers by script: fail before output, or emit `words` as
// text deltas (failing after the first one when `fail_mid_stream`).
class ScriptedBackend final : public backends::ModelBackend {
 public:
  struct Script {
    Status fail_before;  // OK: no failure before output
    bool fail_mid_stream = false;
    bool hang = false;  // never produce anything
    std::vector<std::string> words = {"hello", " world"};
    bool usage_estimated = false;  // OnFinish's Usage::estimated
    bool estimates_input = false;  // EstimatesInputTokens(), as an OpenAI-compatible backend
  };
  explicit ScriptedBackend(Script script) : script_(std::move(script)) {}

  std::unique_ptr<backends::Invocation> Start(const backends::ModelRequest& request,
                                              EventLoop& loop,
                                              backends::OutputSink& sink) override {
    ++calls;
    last_model_id = request.model_id;
    auto alive = std::make_shared<bool>(true);
    if (script_.hang) return std::make_unique<Handle>(std::move(alive));
    loop.Post([this, &sink, alive] {
      if (!*alive) return;
      if (!script_.fail_before.ok()) return sink.OnError(script_.fail_before);
      sink.OnStart(7);
      sink.OnTextStart(0);
      for (size_t i = 0; i < script_.words.size(); ++i) {
        sink.OnTextDelta(0, script_.words[i]);
        if (script_.fail_mid_stream) {
          return sink.OnError(Status(ErrorCode::kModelStreamError, "broke mid-answer"));
        }
      }
      sink.OnBlockStop(0);
      sink.OnFinish(backends::StopReason::kEndTurn, "",
                    {.input_tokens = 7,
                     .output_tokens = static_cast<int64_t>(script_.words.size()),
                     .estimated = script_.usage_estimated});
    });
    return std::make_unique<Handle>(std::move(alive));
  }
  int64_t CountInputTokens(const backends::ModelRequest&) const override { return 7; }
  bool EstimatesInputTokens() const override { return script_.estimates_input; }

  int calls = 0;
  std::string last_model_id;

 private:
  struct Handle final : backends::Invocation {
    explicit Handle(std::shared_ptr<bool> a) : alive(std::move(a)) {}
    ~Handle() override { *alive = false; }
    std::shared_ptr<bool> alive;
  };
  Script script_;
};

class RuntimeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::ProfileRecord p;
    p.id = kId;
    p.name = "rd-haiku-45";
    p.arn = ApplicationProfileArn("eu-central-1", "123456789012", kId);
    p.source_arn = "src";
    for (const char* r : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
      p.model_arns.push_back(FoundationModelArn(r, kModel));
    }
    ASSERT_OK(store_->Create({.profile = p}).status());
  }

  void Use(const std::string& region, ScriptedBackend::Script script) {
    owned_[region] = std::make_unique<ScriptedBackend>(std::move(script));
    backends_[region] = owned_[region].get();
  }
  ScriptedBackend& Backend(const std::string& region) { return *owned_.at(region); }

  // Runs one call of `api` on `service` (default: service_) and everything it schedules.
  std::shared_ptr<testing::FakeResponseStream> Call(RuntimeApi api, std::string model_id,
                                                    std::string body,
                                                    const RuntimeService* service = nullptr,
                                                    AccessNote* access = nullptr) {
    ApiCall call{.request = testing::MakeRequest("POST", "/model/x/converse", std::move(body)),
                 .params = {std::move(model_id)},
                 .principal = {.name = "p",
                               .arn = "arn:aws:iam::123456789012:role/p",
                               .access_key_id = "AKIA"},
                 .operation = "Converse",
                 .access = access};
    auto stream = std::make_shared<testing::FakeResponseStream>();
    (service != nullptr ? *service : service_).Serve(api, std::move(call), stream);
    static_cast<testing::ManualLoop&>(stream->loop()).RunAll();
    return stream;
  }

  static std::vector<eventstream::Frame> Frames(const std::string& body) {
    return testing::DecodeFrames(body);
  }

  static constexpr char kConverse[] = R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})";
  static constexpr char kAnthropic[] =
      R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";

  bp::testing::FakeClock clock_;
  bp::testing::SeededRandom random_{7};
  catalog::Catalog catalog_ = catalog::Catalog::Builtin().value();
  storage::MemoryProfileStore memory_;
  std::unique_ptr<storage::CachingProfileStore> store_ =
      std::move(storage::CachingProfileStore::Create(memory_).value());
  auth::AllowAllAuthorizer authz_;
  InvokeGate gate_{{.account_id = "123456789012", .region = "eu-central-1"}, *store_, authz_};
  routing::Router router_{{.home_region = "eu-central-1", .failure_threshold = 2},
                          {"eu-central-1", "eu-west-1", "eu-west-3"},
                          clock_};
  std::map<std::string, std::unique_ptr<ScriptedBackend>> owned_;
  BackendMap backends_;
  RuntimeService service_{{},
                          {.gate = gate_,
                           .catalog = catalog_,
                           .router = router_,
                           .backends = backends_,
                           .clock = clock_,
                           .random = random_}};
};

TEST_F(RuntimeServiceTest, ConverseIsAnsweredByTheHomeRegion) {
  for (const char* r : {"eu-central-1", "eu-west-1", "eu-west-3"}) Use(r, {});
  auto s = Call(RuntimeApi::kConverse, kId, kConverse);
  EXPECT_EQ(s->answers, 1);
  EXPECT_EQ(s->response.status, 200u);
  EXPECT_EQ(s->Header("x-bedrock-profiles-region"), "eu-central-1");
  EXPECT_THAT(s->response.body, HasSubstr(R"("text":"hello world")"));
  EXPECT_THAT(s->response.body, HasSubstr(R"("stopReason":"end_turn")"));
  EXPECT_EQ(Backend("eu-central-1").last_model_id, kModel);
  EXPECT_EQ(Backend("eu-west-1").calls, 0);
}

TEST_F(RuntimeServiceTest, RetryableFailureBeforeOutputIsRetriedInAnotherRegion) {
  Use("eu-central-1", {.fail_before = Status(ErrorCode::kServiceUnavailable, "down")});
  Use("eu-west-1", {});
  Use("eu-west-3", {});
  auto s = Call(RuntimeApi::kConverse, kId, kConverse);
  EXPECT_EQ(s->answers, 1);
  EXPECT_EQ(s->response.status, 200u);
  EXPECT_EQ(s->Header("x-bedrock-profiles-region"), "eu-west-1");
  std::vector<routing::RegionHealth> health = router_.Health();
  EXPECT_EQ(health[0].failures, 1u);
  EXPECT_EQ(health[1].successes, 1u);
  for (const auto& h : health) EXPECT_EQ(h.outstanding, 0u) << h.region;
}

TEST_F(RuntimeServiceTest, NonStreamingCallsRetryAMidAnswerFaultToo) {
  Use("eu-central-1", {.fail_mid_stream = true});
  Use("eu-west-1", {});
  Use("eu-west-3", {});
  auto s = Call(RuntimeApi::kInvoke, kId, kAnthropic);
  EXPECT_EQ(s->response.status, 200u);
  EXPECT_EQ(s->Header("x-bedrock-profiles-region"), "eu-west-1");
  EXPECT_EQ(s->Header("x-amzn-bedrock-input-token-count"), "7");
  EXPECT_EQ(s->Header("x-amzn-bedrock-output-token-count"), "2");
  EXPECT_THAT(s->response.body, HasSubstr(R"("model":"claude-haiku-4-5-20251001")"));
}

TEST_F(RuntimeServiceTest, WhenEveryRegionFailsTheLastErrorIsAnswered) {
  for (const char* r : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
    Use(r, {.fail_before = Status(ErrorCode::kThrottling, std::string("busy in ") + r)});
  }
  auto s = Call(RuntimeApi::kConverse, kId, kConverse);
  EXPECT_EQ(s->answers, 1);
  EXPECT_EQ(s->response.status, 429u);
  EXPECT_THAT(s->response.body, HasSubstr("busy in eu-west-3"));
  EXPECT_EQ(Backend("eu-west-3").calls, 1);
}

TEST_F(RuntimeServiceTest, ClientErrorsAreNotRetried) {
  Use("eu-central-1", {.fail_before = ValidationError("bad tool choice")});
  Use("eu-west-1", {});
  auto s = Call(RuntimeApi::kConverse, kId, kConverse);
  EXPECT_EQ(s->response.status, 400u);
  EXPECT_EQ(Backend("eu-west-1").calls, 0);
  EXPECT_EQ(router_.Health()[0].failures, 0u) << "a client error says nothing about the region";
}

TEST_F(RuntimeServiceTest, ConverseStreamWritesEventsAndEndsWithMetadata) {
  Use("eu-central-1", {});
  auto s = Call(RuntimeApi::kConverseStream, kId, kConverse);
  EXPECT_EQ(s->answers, 1);
  EXPECT_TRUE(s->finished);
  EXPECT_EQ(s->Header("content-type"), "application/vnd.amazon.eventstream");
  std::vector<std::string> types;
  for (const auto& f : Frames(s->response.body)) {
    types.emplace_back(f.StringHeader(":event-type"));
  }
  EXPECT_THAT(types, ElementsAre("messageStart", "contentBlockDelta", "contentBlockDelta",
                                 "contentBlockStop", "messageStop", "metadata"));
}

TEST_F(RuntimeServiceTest, AFaultAfterTheFirstByteBecomesAnExceptionEvent) {
  Use("eu-central-1", {.fail_mid_stream = true});
  Use("eu-west-1", {});
  auto s = Call(RuntimeApi::kConverseStream, kId, kConverse);
  EXPECT_EQ(s->answers, 1);
  EXPECT_TRUE(s->finished);
  std::vector<eventstream::Frame> frames = Frames(s->response.body);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].StringHeader(":message-type"), "exception");
  EXPECT_EQ(frames[2].StringHeader(":exception-type"), "modelStreamErrorException");
  EXPECT_EQ(Backend("eu-west-1").calls, 0) << "bytes were sent: no retry";
}

TEST_F(RuntimeServiceTest, StreamsRetryFailuresBeforeTheFirstByte) {
  Use("eu-central-1", {.fail_before = Status(ErrorCode::kThrottling, "busy")});
  Use("eu-west-1", {});
  auto s = Call(RuntimeApi::kInvokeStream, kId, kAnthropic);
  EXPECT_EQ(s->answers, 1);
  EXPECT_EQ(s->Header("x-bedrock-profiles-region"), "eu-west-1");
  std::vector<eventstream::Frame> frames = Frames(s->response.body);
  ASSERT_FALSE(frames.empty());
  for (const auto& f : frames) EXPECT_EQ(f.StringHeader(":event-type"), "chunk");
}

TEST_F(RuntimeServiceTest, RefusalsAndBadBodiesNeverReachABackend) {
  Use("eu-central-1", {});
  EXPECT_EQ(Call(RuntimeApi::kConverse, kModel, kConverse)->response.status, 400u);
  EXPECT_EQ(Call(RuntimeApi::kConverse, "zzzzzzzzzzzz", kConverse)->response.status, 404u);
  EXPECT_EQ(Call(RuntimeApi::kConverse, kId, "{not json")->response.status, 400u);
  auto big = Call(RuntimeApi::kConverse, kId,
                  R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)"
                  R"("inferenceConfig":{"maxTokens":64001}})");
  EXPECT_EQ(big->response.status, 400u);
  EXPECT_THAT(big->response.body, HasSubstr("model limit of 64000"));
  EXPECT_EQ(Backend("eu-central-1").calls, 0);
}

TEST_F(RuntimeServiceTest, AnAttemptWithoutAFirstTokenInTimeIsRetriedElsewhere) {
  Use("eu-central-1", {.hang = true});
  Use("eu-west-1", {});
  RuntimeService impatient({.first_token_timeout = std::chrono::milliseconds(100)},
                           {.gate = gate_,
                            .catalog = catalog_,
                            .router = router_,
                            .backends = backends_,
                            .clock = clock_,
                            .random = random_});
  ApiCall call{.request = testing::MakeRequest("POST", "/model/x/converse", kConverse),
               .params = {kId},
               .principal = {.name = "p",
                             .arn = "arn:aws:iam::123456789012:role/p",
                             .access_key_id = "AKIA"},
               .operation = "Converse"};
  auto s = std::make_shared<testing::FakeResponseStream>();
  impatient.Serve(RuntimeApi::kConverseStream, std::move(call), s);
  static_cast<testing::ManualLoop&>(s->loop()).RunAll();
  EXPECT_EQ(s->answers, 1);
  EXPECT_EQ(s->Header("x-bedrock-profiles-region"), "eu-west-1");
  EXPECT_TRUE(s->finished);
  EXPECT_EQ(router_.Health()[0].failures, 1u) << "the silent region is charged a failure";
  for (const auto& h : router_.Health()) EXPECT_EQ(h.outstanding, 0u) << h.region;
}

TEST_F(RuntimeServiceTest, AProfileWithoutAServedRegionIsUnavailable) {
  auto s = Call(RuntimeApi::kConverse, kId, kConverse);  // no backends at all
  EXPECT_EQ(s->response.status, 503u);
}

}  // namespace
}  // namespace bp::api::runtime

namespace bp::api::runtime {
namespace {

class RecordingUsageSink final : public metering::UsageSink {
 public:
  void Record(const metering::UsageRecord& record) override { records.push_back(record); }
  std::vector<metering::UsageRecord> records;
};

class MeteredRuntimeServiceTest : public RuntimeServiceTest {
 protected:
  std::shared_ptr<testing::FakeResponseStream> Metered(RuntimeApi api, std::string model_id,
                                                       std::string body) {
    return Call(api, std::move(model_id), std::move(body), &metered_);
  }

  RecordingUsageSink sink_;
  RuntimeService metered_{{.source_region = "eu-central-1"},
                          {.gate = gate_,
                           .catalog = catalog_,
                           .router = router_,
                           .backends = backends_,
                           .clock = clock_,
                           .random = random_,
                           .usage = &sink_}};
};

TEST_F(MeteredRuntimeServiceTest, EveryCallLeavesOneRecordWhateverItsOutcome) {
  Use("eu-central-1", {.fail_before = Status(ErrorCode::kServiceUnavailable, "down")});
  Use("eu-west-1", {});
  Use("eu-west-3", {});
  Metered(RuntimeApi::kConverse, kId,
          R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)"
          R"("serviceTier":{"type":"priority"},"requestMetadata":{"run":"e2e-1"}})");
  ASSERT_EQ(sink_.records.size(), 1u);
  const metering::UsageRecord& ok = sink_.records[0];
  EXPECT_EQ(ok.operation, metering::Operation::kConverse);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.error_code, "");
  EXPECT_EQ(ok.principal, "arn:aws:iam::123456789012:role/p");
  EXPECT_EQ(ok.profile_name, "rd-haiku-45");
  EXPECT_EQ(ok.model_id, kModel);
  EXPECT_EQ(ok.source_region, "eu-central-1");
  EXPECT_EQ(ok.serving_region, "eu-west-1");
  EXPECT_EQ(ok.attempts, 2);
  EXPECT_EQ(ok.tokens.input, 7);
  EXPECT_EQ(ok.tokens.output, 2);
  EXPECT_EQ(ok.service_tier, "priority");
  EXPECT_EQ(ok.request_metadata,
            (std::vector<std::pair<std::string, std::string>>{{"run", "e2e-1"}}));
  EXPECT_GE(ok.ttft_ms, 0);
  EXPECT_FALSE(ok.cut_short);
  EXPECT_FALSE(ok.tokens_estimated);

  // A body Bedrock refuses: a record with the profile and the error.
  Metered(RuntimeApi::kConverse, kId, "{}");
  ASSERT_EQ(sink_.records.size(), 2u);
  EXPECT_EQ(sink_.records[1].status, 400);
  EXPECT_EQ(sink_.records[1].error_code, "ValidationException");
  EXPECT_EQ(sink_.records[1].profile_name, "rd-haiku-45");
  EXPECT_EQ(sink_.records[1].tokens.input, 0);

  // An unknown profile: no profile in the record.
  Metered(RuntimeApi::kConverse, "zzzzzzzzzzzz", kConverse);
  ASSERT_EQ(sink_.records.size(), 3u);
  EXPECT_EQ(sink_.records[2].error_code, "ResourceNotFoundException");
  EXPECT_EQ(sink_.records[2].profile_name, "");
}

TEST_F(MeteredRuntimeServiceTest, AStreamThatFailsAfterItsFirstByteIsMeteredAsProduced) {
  Use("eu-central-1", {.fail_mid_stream = true});
  Use("eu-west-1", {});
  Use("eu-west-3", {});
  Metered(RuntimeApi::kConverseStream, kId, kConverse);
  ASSERT_EQ(sink_.records.size(), 1u);
  const metering::UsageRecord& r = sink_.records[0];
  EXPECT_EQ(r.operation, metering::Operation::kConverseStream);
  EXPECT_EQ(r.status, 200);  // the stream had started
  EXPECT_EQ(r.error_code, "ModelStreamErrorException");
  EXPECT_TRUE(r.cut_short);
  EXPECT_EQ(r.tokens.input, 7);
  EXPECT_EQ(r.tokens.output, 1);     // the one delta delivered
  EXPECT_FALSE(r.tokens_estimated);  // OnStart's input was the model's report
}

// A backend that reports its usage as a local estimate (an OpenAI-compatible
// server that sent none): the record says so, for every operation.
TEST_F(MeteredRuntimeServiceTest, EstimatedUsageIsRecordedAsEstimated) {
  Use("eu-central-1", {.usage_estimated = true});
  for (RuntimeApi api : {RuntimeApi::kConverse, RuntimeApi::kConverseStream}) {
    Metered(api, kId, kConverse);
  }
  for (RuntimeApi api : {RuntimeApi::kInvoke, RuntimeApi::kInvokeStream}) {
    Metered(api, kId, kAnthropic);
  }
  ASSERT_EQ(sink_.records.size(), 4u);
  for (const metering::UsageRecord& r : sink_.records) {
    EXPECT_EQ(r.status, 200) << metering::OperationName(r.operation);
    EXPECT_EQ(r.tokens.input, 7);
    EXPECT_TRUE(r.tokens_estimated) << metering::OperationName(r.operation);
    EXPECT_FALSE(r.cut_short);
  }
}

// A stream cut short before any usage came: its input is what OnStart
// reported, an estimate when the backend estimates it.
TEST_F(MeteredRuntimeServiceTest, ACutShortStreamOfAnEstimatingBackendIsEstimated) {
  Use("eu-central-1", {.fail_mid_stream = true, .estimates_input = true});
  Metered(RuntimeApi::kConverseStream, kId, kConverse);
  ASSERT_EQ(sink_.records.size(), 1u);
  EXPECT_TRUE(sink_.records[0].cut_short);
  EXPECT_EQ(sink_.records[0].tokens.input, 7);
  EXPECT_TRUE(sink_.records[0].tokens_estimated);
}

// An estimating region that failed before any output leaves no mark on the
// answer of the region that served the call.
TEST_F(MeteredRuntimeServiceTest, AFailedOverEstimatingRegionDoesNotMarkTheAnswer) {
  Use("eu-central-1",
      {.fail_before = Status(ErrorCode::kServiceUnavailable, "down"), .estimates_input = true});
  Use("eu-west-1", {});
  Use("eu-west-3", {});
  Metered(RuntimeApi::kConverseStream, kId, kConverse);
  ASSERT_EQ(sink_.records.size(), 1u);
  EXPECT_EQ(sink_.records[0].serving_region, "eu-west-1");
  EXPECT_FALSE(sink_.records[0].tokens_estimated);
}

// A call that failed before producing a token has no tokens, so none is an estimate.
TEST_F(MeteredRuntimeServiceTest, AFailedCallWithoutTokensIsNotEstimated) {
  for (const char* r : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
    Use(r, {.fail_before = Status(ErrorCode::kModelError, "bad"), .estimates_input = true});
  }
  Metered(RuntimeApi::kConverse, kId, kConverse);
  ASSERT_EQ(sink_.records.size(), 1u);
  EXPECT_NE(sink_.records[0].error_code, "");
  EXPECT_EQ(sink_.records[0].tokens.input, 0);
  EXPECT_FALSE(sink_.records[0].tokens_estimated);
}

class RecordingNote final : public AccessNote {
 public:
  void Attach(AccessUsage&& usage) override { attached.push_back(std::move(usage)); }
  std::vector<AccessUsage> attached;
};

void ExpectSameAsRecord(const AccessUsage& u, const metering::UsageRecord& r) {
  EXPECT_EQ(u.profile_name, r.profile_name);
  EXPECT_EQ(u.profile_arn, r.profile_arn);
  EXPECT_EQ(u.model_id, r.model_id);
  EXPECT_EQ(u.source_region, r.source_region);
  EXPECT_EQ(u.serving_region, r.serving_region);
  EXPECT_EQ(u.attempts, r.attempts);
  EXPECT_EQ(u.error_code, r.error_code);
  EXPECT_EQ(u.cut_short, r.cut_short);
  EXPECT_EQ(u.input_tokens, r.tokens.input);
  EXPECT_EQ(u.output_tokens, r.tokens.output);
  EXPECT_EQ(u.cache_read_tokens, r.tokens.cache_read);
  EXPECT_EQ(u.cache_write_tokens, r.tokens.cache_write());
  EXPECT_EQ(u.tokens_estimated, r.tokens_estimated);
  EXPECT_EQ(u.ttft_ms, r.ttft_ms);
  EXPECT_EQ(u.service_tier, r.service_tier);
  EXPECT_EQ(u.cost_micro_usd, r.cost_micro_usd);
  EXPECT_EQ(u.price_version, r.price_version);
  EXPECT_EQ(u.request_metadata, r.request_metadata);
  EXPECT_EQ(u.tags, r.tags);
}

// The access line gets each call's record (api/access_usage.h), once, with
// the ledger's figures, whatever the outcome.
TEST_F(MeteredRuntimeServiceTest, EachCallsRecordGoesToItsAccessLineToo) {
  Use("eu-central-1", {.fail_mid_stream = true});
  Use("eu-west-1", {});
  Use("eu-west-3", {});
  RecordingNote ok;
  Call(RuntimeApi::kConverse, kId,
       R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],"requestMetadata":{"run":"1"}})",
       &metered_, &ok);
  RecordingNote refused;
  Call(RuntimeApi::kConverse, kId, "{}", &metered_, &refused);
  RecordingNote cut;
  Call(RuntimeApi::kConverseStream, kId, kConverse, &metered_, &cut);
  ASSERT_EQ(sink_.records.size(), 3u);
  int i = 0;
  for (RecordingNote* note : {&ok, &refused, &cut}) {
    ASSERT_EQ(note->attached.size(), 1u) << i;
    ExpectSameAsRecord(note->attached[0], sink_.records[i]);
    ++i;
  }
  EXPECT_EQ(ok.attached[0].output_tokens, 2);
  EXPECT_EQ(ok.attached[0].request_metadata,
            (std::vector<std::pair<std::string, std::string>>{{"run", "1"}}));
  EXPECT_EQ(refused.attached[0].error_code, "ValidationException");
  EXPECT_TRUE(cut.attached[0].cut_short);

  // An estimated usage reaches the line as it reaches the record (whichever
  // region the router picks after the failures above).
  for (const char* region : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
    Use(region, {.usage_estimated = true});
  }
  RecordingNote estimated;
  Call(RuntimeApi::kConverse, kId, kConverse, &metered_, &estimated);
  ASSERT_EQ(sink_.records.size(), 4u);
  ASSERT_EQ(estimated.attached.size(), 1u);
  ExpectSameAsRecord(estimated.attached[0], sink_.records[3]);
  EXPECT_TRUE(estimated.attached[0].tokens_estimated);
}

// CountTokens (a sync route) meters a request without tokens; its line gets it too.
TEST_F(MeteredRuntimeServiceTest, CountTokensRecordGoesToItsAccessLine) {
  Use("eu-central-1", {});
  RecordingNote note;
  ApiCall call{
      .request = testing::MakeRequest(
          "POST", "/model/x/count-tokens",
          R"({"input":{"converse":{"messages":[{"role":"user","content":[{"text":"hi"}]}]}}})"),
      .params = {kId},
      .principal = {.name = "p", .arn = "arn:aws:iam::123456789012:role/p"},
      .operation = "CountTokens",
      .access = &note};
  ASSERT_OK(metered_.CountTokens(call).status());
  ASSERT_EQ(sink_.records.size(), 1u);
  ASSERT_EQ(note.attached.size(), 1u);
  ExpectSameAsRecord(note.attached[0], sink_.records[0]);
  EXPECT_EQ(note.attached[0].profile_name, "rd-haiku-45");
}

class QuotaRuntimeServiceTest : public RuntimeServiceTest {
 protected:
  static metering::QuotaSettings Settings() {
    metering::QuotaSettings s;
    s.profiles["rd-haiku-45"] = {.requests_per_minute = 2, .tokens_per_minute = 2000};
    s.default_max_tokens = 500;
    return s;
  }
  std::shared_ptr<testing::FakeResponseStream> Limited(std::string body) {
    return Call(RuntimeApi::kConverse, kId, std::move(body), &limited_);
  }

  metering::Quotas quotas_{Settings(), clock_};
  RecordingUsageSink sink_;
  RuntimeService limited_{{.source_region = "eu-central-1"},
                          {.gate = gate_,
                           .catalog = catalog_,
                           .router = router_,
                           .backends = backends_,
                           .clock = clock_,
                           .random = random_,
                           .usage = &sink_,
                           .quotas = &quotas_}};
};

TEST_F(QuotaRuntimeServiceTest, OverTheRequestRateIsThrottledBeforeAnyBackendWork) {
  Use("eu-central-1", {});
  EXPECT_EQ(Limited(kConverse)->response.status, 200u);
  EXPECT_EQ(Limited(kConverse)->response.status, 200u);
  auto third = Limited(kConverse);
  EXPECT_EQ(third->response.status, 429u);
  EXPECT_THAT(third->Header("x-amzn-errortype"), HasSubstr("ThrottlingException"));
  EXPECT_THAT(third->response.body,
              HasSubstr("Rate exceeded: profile rd-haiku-45 allows 2 requests per minute; try "
                        "again in 60 s."));
  EXPECT_EQ(Backend("eu-central-1").calls, 2);
  ASSERT_EQ(sink_.records.size(), 3u);
  EXPECT_EQ(sink_.records[2].error_code, "ThrottlingException");
  EXPECT_EQ(sink_.records[2].status, 429);
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(Limited(kConverse)->response.status, 200u);
}

TEST_F(QuotaRuntimeServiceTest, TokensAreReservedFromInputAndMaxTokensThenSettled) {
  Use("eu-central-1", {});
  // 7 input (the backend's count) + maxTokens 1994 = 2001 > 2000: never fits.
  auto big = Limited(R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)"
                     R"("inferenceConfig":{"maxTokens":1994}})");
  EXPECT_EQ(big->response.status, 429u);
  EXPECT_THAT(big->response.body, HasSubstr("this call reserves 2001"));
  EXPECT_EQ(Backend("eu-central-1").calls, 0);
  // No maxTokens: 7 + default_max_tokens 500 reserved, 7 + 2 used.
  EXPECT_EQ(Limited(kConverse)->response.status, 200u);
  EXPECT_EQ(quotas_.ProfileUsage("rd-haiku-45").minute_tokens, 9);
  EXPECT_EQ(quotas_.ProfileUsage("rd-haiku-45").requests, 1);
}

class BudgetRuntimeServiceTest : public RuntimeServiceTest {
 protected:
  static metering::BudgetSettings Settings() {
    metering::BudgetSettings s;
    s.profiles["rd-haiku-45"] = {.monthly_micro_usd = 5'000};  // half a cent
    return s;
  }
  std::shared_ptr<testing::FakeResponseStream> Budgeted(std::string body) {
    return Call(RuntimeApi::kConverse, kId, std::move(body), &budgeted_);
  }

  // $1 per million input tokens, $5 per million output tokens.
  metering::PriceTable prices_ =
      *metering::PriceTable::Create({{kModel, {.input = 1'000'000, .output = 5'000'000}}});
  metering::Budgets budgets_{Settings(), clock_};
  RuntimeService budgeted_{{.source_region = "eu-central-1", .default_max_tokens = 1024},
                           {.gate = gate_,
                            .catalog = catalog_,
                            .router = router_,
                            .backends = backends_,
                            .clock = clock_,
                            .random = random_,
                            .prices = &prices_,
                            .budgets = &budgets_}};
};

TEST_F(BudgetRuntimeServiceTest, TheWorstCaseIsReservedAndTheActualCostSettled) {
  Use("eu-central-1", {});
  // No maxTokens: 7 input + 1024 output reserved = 7 + 5120 micro-USD > 5000.
  auto refused = Budgeted(kConverse);
  EXPECT_EQ(refused->response.status, 400u);
  EXPECT_THAT(refused->Header("x-amzn-errortype"), HasSubstr("ServiceQuotaExceededException"));
  EXPECT_THAT(refused->response.body,
              HasSubstr("Budget exhausted: profile rd-haiku-45 allows $0.01 per month"));
  EXPECT_EQ(Backend("eu-central-1").calls, 0);
  // maxTokens 100: 507 reserved; the call costs 7 + 2 * 5 = 17.
  auto ok = Budgeted(R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)"
                     R"("inferenceConfig":{"maxTokens":100}})");
  EXPECT_EQ(ok->response.status, 200u);
  EXPECT_EQ(budgets_.ProfileUsage("rd-haiku-45").spent, 17);
  EXPECT_EQ(budgets_.ProfileUsage("rd-haiku-45").reserved, 0);
}

}  // namespace
}  // namespace bp::api::runtime
