#include "api/access_log.h"

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "api/fake_response_stream.h"
#include "api/log_format.h"
#include "api/router.h"
#include "testing/testing.h"

namespace bp::api {
namespace {

using ::bp::api::testing::FakeResponseStream;
using ::bp::api::testing::MakeRequest;
using ::testing::HasSubstr;
using ::testing::SizeIs;

AccessUsage Usage() {
  return {
      .profile_name = "rd-haiku-45",
      .profile_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc",
      .model_id = "anthropic.claude-haiku-4-5-20251001-v1:0",
      .source_region = "eu-central-1",
      .serving_region = "eu-west-1",
      .attempts = 2,
      .error_code = "",
      .cut_short = false,
      .input_tokens = 12,
      .output_tokens = 34,
      .cache_read_tokens = 5,
      .cache_write_tokens = 6,
      .ttft_ms = 17,
      .service_tier = "priority",
      .cost_micro_usd = 1'000'230,
      .price_version = "2026-01",
      .request_metadata = {{"run", "e2e-1"}},
      .tags = {{"billing-mode", "rd"}, {"team", "ml"}}};
}

AccessEntry Entry() {
  return {.start = {},
          .request_id = "r-1",
          .method = "POST",
          .path = "/model/x/converse-stream",
          .principal = "rd-e2e",
          .operation = "ConverseStream"};
}

boost::json::object Parse(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << text;
  return v.is_object() ? v.as_object() : boost::json::object();
}

TEST(AccessJsonTest, ARuntimeCallCarriesTheLedgersFields) {
  AccessUsage usage = Usage();
  const std::string json = AccessJson(Entry(), 200, 5000, "eu-west-1", &usage);
  boost::json::object o = Parse(json);
  EXPECT_EQ(o.at("request_id").as_string(), "r-1");
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_EQ(o.at("latency_us").as_int64(), 5000);
  EXPECT_EQ(o.at("region").as_string(), "eu-west-1");
  EXPECT_EQ(o.at("profile").as_string(), "rd-haiku-45");
  EXPECT_EQ(o.at("profile_arn").as_string(), usage.profile_arn);
  EXPECT_EQ(o.at("model").as_string(), "anthropic.claude-haiku-4-5-20251001-v1:0");
  EXPECT_EQ(o.at("source_region").as_string(), "eu-central-1");
  EXPECT_EQ(o.at("attempts").as_int64(), 2);
  EXPECT_TRUE(o.at("error_code").is_null());
  EXPECT_FALSE(o.at("cut_short").as_bool());
  EXPECT_EQ(o.at("input_tokens").as_int64(), 12);
  EXPECT_EQ(o.at("output_tokens").as_int64(), 34);
  EXPECT_EQ(o.at("cache_read_tokens").as_int64(), 5);
  EXPECT_EQ(o.at("cache_write_tokens").as_int64(), 6);
  EXPECT_FALSE(o.at("tokens_estimated").as_bool());
  // Right after the token fields.
  EXPECT_THAT(json, HasSubstr(R"("cache_write_tokens":6,"tokens_estimated":false,"ttft_ms":17)"));
  EXPECT_EQ(o.at("ttft_ms").as_int64(), 17);
  EXPECT_EQ(o.at("service_tier").as_string(), "priority");
  EXPECT_EQ(o.at("price_version").as_string(), "2026-01");
  EXPECT_EQ(o.at("request_metadata"), (boost::json::object{{"run", "e2e-1"}}));
  EXPECT_EQ(o.at("tags"), (boost::json::object{{"billing-mode", "rd"}, {"team", "ml"}}));
  // The cost is an exact decimal number, not a rounded double's digits.
  EXPECT_THAT(json, HasSubstr(R"("cost_usd":1.00023})"));
  EXPECT_DOUBLE_EQ(o.at("cost_usd").to_number<double>(), 1.00023);
}

// Token counts that are the endpoint's local estimate say so on the line.
TEST(AccessJsonTest, EstimatedTokensAreMarked) {
  AccessUsage usage = Usage();
  usage.tokens_estimated = true;
  const std::string json = AccessJson(Entry(), 200, 5000, "eu-west-1", &usage);
  EXPECT_TRUE(Parse(json).at("tokens_estimated").as_bool());
  EXPECT_THAT(json, HasSubstr(R"("cache_write_tokens":6,"tokens_estimated":true,)"));
  // A line without usage (a control-plane call) has no such field.
  EXPECT_FALSE(Parse(AccessJson(Entry(), 200, 5000, "")).contains("tokens_estimated"));
}

TEST(AccessJsonTest, MissingUsageValuesAreNullAndTheRegionFallsBackToTheServingOne) {
  AccessUsage usage{.error_code = "ThrottlingException", .ttft_ms = -1, .cost_micro_usd = 0};
  usage.serving_region = "eu-west-3";
  boost::json::object o = Parse(AccessJson(Entry(), 429, 10, "", &usage));
  for (const char* key : {"profile", "profile_arn", "model", "service_tier", "price_version",
                          "ttft_ms", "source_region"}) {
    ASSERT_TRUE(o.contains(key)) << key;
    EXPECT_TRUE(o.at(key).is_null()) << key;
  }
  EXPECT_EQ(o.at("region").as_string(), "eu-west-3");
  EXPECT_EQ(o.at("error_code").as_string(), "ThrottlingException");
  EXPECT_EQ(o.at("cost_usd").to_number<double>(), 0);
  EXPECT_TRUE(o.at("tags").as_object().empty());
}

TEST(AccessJsonTest, OtherRequestsKeepTheirFields) {
  boost::json::object o = Parse(AccessJson(Entry(), 200, 10, ""));
  EXPECT_THAT(o,
              SizeIs(9u));  // type request_id principal method path operation status latency region
  EXPECT_FALSE(o.contains("profile"));
  EXPECT_FALSE(o.contains("cost_usd"));
}

TEST(AccessJsonTest, MetadataAndTagsAreRepairedToValidUtf8) {
  AccessUsage usage = Usage();
  usage.request_metadata = {{"k\xff", "v\"\n"}};
  boost::json::object o = Parse(AccessJson(Entry(), 200, 1, "", &usage));
  EXPECT_EQ(o.at("request_metadata"), (boost::json::object{{"k\xEF\xBF\xBD", "v\"\n"}}));
}

TEST(AccessTextTest, ARuntimeCallsLineGoesOnWithItsUsage) {
  AccessUsage usage = Usage();
  usage.profile_name = "my profile\n";  // one field whatever the name holds
  usage.cost_micro_usd = 68;
  EXPECT_EQ(AccessText(Entry(), 200, 5000, "eu-west-1", &usage),
            "r-1 rd-e2e POST /model/x/converse-stream ConverseStream 200 5000us eu-west-1 "
            "profile=my_profile_ model=anthropic.claude-haiku-4-5-20251001-v1:0 attempts=2 "
            "tokens_in=12 tokens_out=34 cache_read=5 cache_write=6 ttft_ms=17 cost_usd=0.000068 "
            "error=-");
  usage.ttft_ms = -1;
  usage.error_code = "ClientDisconnected";
  EXPECT_THAT(AccessText(Entry(), 0, 1, "", &usage),
              HasSubstr(" 0 1us eu-west-1 profile=my_profile_ "));
  EXPECT_THAT(AccessText(Entry(), 0, 1, "", &usage),
              HasSubstr(" ttft_ms=- cost_usd=0.000068 error=ClientDisconnected"));
  EXPECT_EQ(AccessText(AccessEntry{.method = "GET", .path = "/healthz"}, 200, 3, ""),
            "- - GET /healthz - 200 3us -");
}

// Captures the access lines: the default logger (what AccessLogger() is
// without SetUpLogging), named like the access logger so JSON lines splice.
class AccessLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out_);
    auto logger = std::make_shared<spdlog::logger>(std::string(kAccessLoggerName), sink);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    SetLogFormat(LogFormat::kJson);
  }
  void TearDown() override {
    SetLogFormat(LogFormat::kText);
    spdlog::set_default_logger(previous_);
  }

  std::vector<boost::json::object> Lines() {
    std::vector<boost::json::object> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(Parse(line));
    return lines;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
  bp::testing::FakeClock clock_;
};

TEST_F(AccessLineTest, AStreamAwaitingUsageLogsOnceBothAreThere) {
  auto inner = std::make_shared<FakeResponseStream>();
  AccessEntry entry = Entry();
  entry.start = clock_.SteadyNow();
  auto logged = std::make_shared<LoggedStream>(inner, entry, clock_, /*await_usage=*/true);
  logged->StartStream(200, {{std::string(kServedRegionHeader), "eu-west-1"}});
  logged->Write("frame");
  clock_.Advance(std::chrono::milliseconds(40));
  logged->Finish();
  EXPECT_TRUE(inner->finished);
  EXPECT_TRUE(Lines().empty()) << "no line before the usage";
  clock_.Advance(std::chrono::milliseconds(5));  // metering after the answer is not latency
  logged->Attach(Usage());
  logged->Attach(Usage());  // a second attach adds nothing
  logged.reset();
  std::vector<boost::json::object> lines = Lines();
  ASSERT_THAT(lines, SizeIs(1u));
  EXPECT_EQ(lines[0].at("type").as_string(), "access");
  EXPECT_EQ(lines[0].at("status").as_int64(), 200);
  EXPECT_EQ(lines[0].at("latency_us").as_int64(), 40'000);
  EXPECT_EQ(lines[0].at("output_tokens").as_int64(), 34);
  EXPECT_EQ(lines[0].at("region").as_string(), "eu-west-1");
}

TEST_F(AccessLineTest, UsageAttachedBeforeTheAnswerIsLoggedWithIt) {
  auto inner = std::make_shared<FakeResponseStream>();
  LoggedStream logged(inner, Entry(), clock_, true);
  AccessUsage usage = Usage();
  usage.error_code = "ValidationException";
  logged.Attach(std::move(usage));
  EXPECT_TRUE(Lines().empty());
  logged.Respond(http::Response{.status = 400});
  std::vector<boost::json::object> lines = Lines();
  ASSERT_THAT(lines, SizeIs(1u));
  EXPECT_EQ(lines[0].at("status").as_int64(), 400);
  EXPECT_EQ(lines[0].at("error_code").as_string(), "ValidationException");
}

TEST_F(AccessLineTest, UsageThatNeverComesOrACallerThatLeftStillGiveOneLine) {
  {
    LoggedStream logged(std::make_shared<FakeResponseStream>(), Entry(), clock_, true);
    logged.Respond(http::Response{.status = 200});
  }
  {
    // The caller went away before any answer: the usage arrives, the line
    // waits for the stream's end.
    LoggedStream logged(std::make_shared<FakeResponseStream>(), Entry(), clock_, true);
    AccessUsage usage = Usage();
    usage.error_code = "ClientDisconnected";
    logged.Attach(std::move(usage));
    EXPECT_THAT(Lines(), SizeIs(1u));  // only the first request's
  }
  std::vector<boost::json::object> lines = Lines();
  ASSERT_THAT(lines, SizeIs(2u));
  EXPECT_FALSE(lines[0].contains("profile"));
  EXPECT_EQ(lines[1].at("status").as_int64(), 0);
  EXPECT_EQ(lines[1].at("error_code").as_string(), "ClientDisconnected");
}

TEST_F(AccessLineTest, AStreamNotAwaitingUsageLogsAtTheAnswer) {
  LoggedStream logged(std::make_shared<FakeResponseStream>(), Entry(), clock_);
  logged.Respond(http::Response{.status = 200});
  ASSERT_THAT(Lines(), SizeIs(1u));
  logged.Attach(Usage());
  EXPECT_THAT(Lines(), SizeIs(1u));
}

class FakeAuthenticator final : public auth::Authenticator {
 public:
  Result<auth::Principal> Authenticate(const http::Request&) const override {
    return auth::Principal{"alice", "arn:aws:iam::123456789012:user/alice", "AKIDALICE"};
  }
};

// Through ApiHandler: a route that reports usage gets an AccessNote, and its
// request has one line carrying the usage; other routes get none.
TEST_F(AccessLineTest, TheRouterHandsANoteToRoutesThatReportUsage) {
  FakeAuthenticator auth;
  ApiHandler handler(auth, clock_);
  std::vector<bool> notes;
  ASSERT_OK(handler.Register("POST", "/model/{modelId}/count-tokens", "CountTokens",
                             [&](const ApiCall& call) {
                               notes.push_back(call.access != nullptr);
                               if (call.access != nullptr) call.access->Attach(Usage());
                               return Result(http::Response{.status = 200});
                             },
                             {.reports_usage = true}));
  ASSERT_OK(handler.Register("GET", "/foundation-models", "ListFoundationModels",
                             [&](const ApiCall& call) {
                               notes.push_back(call.access != nullptr);
                               return Result(http::Response{.status = 200});
                             }));
  std::shared_ptr<http::ResponseStream> kept;
  ASSERT_OK(handler.RegisterAsync(
      "POST", "/model/{modelId}/converse", "Converse",
      [&](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
        notes.push_back(call.access != nullptr);
        stream->Respond(http::Response{.status = 200});
        call.access->Attach(Usage());  // after the answer, as the runtime meters
        kept = std::move(stream);
      },
      {.reports_usage = true}));

  handler.Handle(MakeRequest("POST", "/model/x/count-tokens"),
                 std::make_shared<FakeResponseStream>());
  handler.Handle(MakeRequest("GET", "/foundation-models"), std::make_shared<FakeResponseStream>());
  handler.Handle(MakeRequest("POST", "/model/x/converse"), std::make_shared<FakeResponseStream>());
  EXPECT_EQ(notes, (std::vector<bool>{true, false, true}));
  std::vector<boost::json::object> lines = Lines();
  ASSERT_THAT(lines, SizeIs(3u)) << "one line per request, the async one before its stream ends";
  EXPECT_EQ(lines[0].at("operation").as_string(), "CountTokens");
  EXPECT_EQ(lines[0].at("input_tokens").as_int64(), 12);
  EXPECT_FALSE(lines[1].contains("input_tokens"));
  EXPECT_EQ(lines[2].at("operation").as_string(), "Converse");
  EXPECT_EQ(lines[2].at("profile").as_string(), "rd-haiku-45");
  kept.reset();
  EXPECT_THAT(Lines(), SizeIs(3u));
}

TEST_F(AccessLineTest, NoNoteWhenTheAccessLogIsOff) {
  spdlog::default_logger()->set_level(spdlog::level::warn);
  FakeAuthenticator auth;
  ApiHandler handler(auth, clock_);
  bool noted = true;
  ASSERT_OK(handler.Register("POST", "/model/{modelId}/count-tokens", "CountTokens",
                             [&](const ApiCall& call) {
                               noted = call.access != nullptr;
                               return Result(http::Response{.status = 200});
                             },
                             {.reports_usage = true}));
  handler.Handle(MakeRequest("POST", "/model/x/count-tokens"),
                 std::make_shared<FakeResponseStream>());
  EXPECT_FALSE(noted);
  EXPECT_TRUE(Lines().empty());
}

}  // namespace
}  // namespace bp::api
