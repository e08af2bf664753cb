#include "api/dashboard/dashboard.h"

#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "api/dashboard/ui_assets.h"
#include "api/fake_response_stream.h"
#include "auth/iam/iam_authorizer.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "json/json.h"
#include "storage/memory/memory_profile_store.h"
#include "storage/sqlite/sqlite_ledger.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::api::dashboard {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kAdminArn = "arn:aws:iam::123456789012:role/platform-admin";
constexpr std::string_view kConsumerArn = "arn:aws:iam::123456789012:role/rd-e2e";
constexpr std::string_view kProfileArn =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr std::string_view kModel = "anthropic.claude-haiku-4-5-20251001-v1:0";

constexpr std::string_view kAdminPolicy = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"bedrock:*","Resource":"*"},
  {"Effect":"Allow","Action":["bedrock-profiles:GetUsage","bedrock-profiles:GetHealth",
   "bedrock-profiles:SimulatePrincipalPolicy"],"Resource":"*"}]})";
constexpr std::string_view kConsumerPolicy = R"({"Version":"2012-10-17","Statement":[
  {"Sid":"Invoke","Effect":"Allow","Action":"bedrock:InvokeModel","Resource":[
   "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo",
   "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"]},
  {"Effect":"Allow","Action":"bedrock-profiles:GetOwnUsage",
   "Resource":"arn:aws:bedrock-profiles:eu-central-1:123456789012:usage"}]})";

// Records which roll-ups the pages asked for and answers fixed ones.
struct FakeLedger {
  std::mutex mu;
  std::vector<std::string> asked;  // "grain from to principal"
  std::vector<metering::UsageRollup> rollups;
  std::vector<metering::UsageRecord> records;
  RecordFilter last_filter;

  LedgerReads Reads() {
    return {.rollups =
                [this](RollupGrain grain, int64_t from, int64_t to, std::string_view principal,
                       const std::function<void(const metering::UsageRollup&)>& fn) {
                  std::lock_guard<std::mutex> lock(mu);
                  asked.push_back(std::string(grain == RollupGrain::kMinute ? "minute"
                                              : grain == RollupGrain::kHour ? "hour"
                                                                            : "day") +
                                  " " + std::to_string(from) + " " + std::to_string(to) + " " +
                                  std::string(principal));
                  for (const metering::UsageRollup& r : rollups) {
                    if (r.key.start_ms >= from && r.key.start_ms < to &&
                        (principal.empty() || r.key.principal == principal)) {
                      fn(r);
                    }
                  }
                  return Status::Ok();
                },
            .latest =
                [this](const RecordFilter& f, size_t limit) {
                  std::lock_guard<std::mutex> lock(mu);
                  last_filter = f;
                  std::vector<metering::UsageRecord> out;
                  for (const metering::UsageRecord& r : records) {
                    if (out.size() < limit &&
                        (f.principal_arn.empty() || r.principal == f.principal_arn)) {
                      out.push_back(r);
                    }
                  }
                  return Result<std::vector<metering::UsageRecord>>(std::move(out));
                },
            .minute_rollups_kept_ms = 48 * metering::kHourMs};
  }
};

using Stream = bp::api::testing::FakeResponseStream;

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::ProfileRecord p{
        .id = "acwt9yee9wzo",
        .name = "rd-haiku-45",
        .description = "Claude Haiku 4.5",
        .arn = std::string(kProfileArn),
        .source_arn =
            "arn:aws:bedrock:eu-central-1:123456789012:"
            "inference-profile/eu." +
            std::string(kModel),
        .model_arns = {"arn:aws:bedrock:eu-central-1::foundation-model/" + std::string(kModel),
                       "arn:aws:bedrock:eu-west-1::foundation-model/" + std::string(kModel)},
        .tags = {{"team", "search"}},
        .created_at_ms = 0,
        .updated_at_ms = 0};
    ASSERT_OK(inner_.Create({.profile = p, .client_token = {}, .request_digest = {}}));
    auto store = storage::CachingProfileStore::Create(inner_);
    ASSERT_OK(store);
    store_ = std::move(store).value();
    auto authorizer = auth::iam::IamAuthorizer::Create(
        {{.name = "platform-admin",
          .arn = std::string(kAdminArn),
          .tags = {},
          .policies = {{.text = std::string(kAdminPolicy), .origin = "admin"}}},
         {.name = "rd-e2e",
          .arn = std::string(kConsumerArn),
          .tags = {},
          .policies = {{.text = std::string(kConsumerPolicy), .origin = "consumer"}}}},
        {.requested_region = "eu-central-1"});
    ASSERT_OK(authorizer);
    authorizer_ = std::move(authorizer).value();
    router_ = std::make_unique<routing::Router>(
        routing::Options{}, std::vector<std::string>{"eu-central-1", "eu-west-1"}, clock_);
    metering::BudgetSettings budgets;
    budgets.profiles["rd-haiku-45"] = {.monthly_micro_usd = 10'000'000, .warn_ppm = 0};
    budgets.principals["rd-e2e"] = {.monthly_micro_usd = 4'000'000, .warn_ppm = 0};
    budgets.principal_arns["rd-e2e"] = std::string(kConsumerArn);
    budgets.tags["team"]["search"] = {.monthly_micro_usd = 20'000'000, .warn_ppm = 0};
    budgets_ = std::make_unique<metering::Budgets>(budgets, clock_);
    handler_ = std::make_unique<ApiHandler>(authenticator_, clock_);
    ASSERT_OK(
        RegisterDashboard(*handler_,
                          {.region = "eu-central-1",
                           .account_id = "123456789012",
                           .principals = {{.name = "platform-admin", .arn = std::string(kAdminArn)},
                                          {.name = "rd-e2e", .arn = std::string(kConsumerArn)}},
                           .usage_arn = "arn:aws:bedrock-profiles:eu-central-1:123456789012:usage"},
                          {.sessions = sessions_,
                           .authenticator = authenticator_,
                           .authorizer = *authorizer_,
                           .profiles = *store_,
                           .router = *router_,
                           .budgets = budgets_.get(),
                           .clock = clock_,
                           .ledger = Reads(),
                           .worker = &worker_}));
  }
  void TearDown() override { worker_.Stop(); }
  // The ledger the pages read: the fake, unless a test reads a real one.
  virtual LedgerReads Reads() { return ledger_.Reads(); }

  // Sends a request and waits for its answer (the worker's answers are
  // posted to the loop, run here).
  http::Response Send(std::string method, std::string target, std::string body = "",
                      http::Headers headers = {}) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.request_id = "req-1";
    r.remote_address = "127.0.0.1";
    r.headers = std::move(headers);
    r.headers.push_back({"host", "127.0.0.1:8080"});
    auto stream = std::make_shared<Stream>(loop_);
    handler_->Handle(std::move(r), stream);
    for (int i = 0; i < 2000 && stream->answers == 0; ++i) {
      loop_.RunUntilIdle();
      if (stream->answers == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(stream->answers, 1);
    last_.response = stream->response;
    return stream->response;
  }

  struct Signed {
    std::string cookie;
    std::string csrf;
  };
  Signed SignInAs(std::string_view key, std::string_view secret) {
    http::Response r = Send("POST", "/ui/api/session",
                            R"({"accessKeyId":")" + std::string(key) + R"(","secretAccessKey":")" +
                                std::string(secret) + R"("})");
    EXPECT_EQ(r.status, 200u) << r.body;
    std::string cookie = last_.Header("set-cookie");
    Signed out;
    out.cookie = cookie.substr(0, cookie.find(';'));
    auto doc = json::Parse(r.body);
    EXPECT_TRUE(doc.ok());
    if (doc.ok()) out.csrf = std::string(json::StringOrEmpty(json::Find(&*doc, {"csrfToken"})));
    return out;
  }
  Signed Admin() { return SignInAs("AKIABPLOCALADMIN0001", "admin-secret"); }
  Signed Consumer() { return SignInAs("AKIABPLOCALRDE2E0001", "consumer-secret"); }

  http::Response Get(const Signed& s, std::string target) {
    return Send("GET", std::move(target), "", {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}});
  }
  static json::Value Doc(const http::Response& r) {
    auto doc = json::Parse(r.body);
    EXPECT_TRUE(doc.ok()) << r.body;
    return doc.ok() ? std::move(doc).value() : json::Value();
  }

  bp::testing::FakeClock clock_;
  storage::MemoryProfileStore inner_;
  std::unique_ptr<storage::CachingProfileStore> store_;
  auth::sigv4::SigV4Authenticator authenticator_{{{.principal_name = "platform-admin",
                                                   .principal_arn = std::string(kAdminArn),
                                                   .access_key_id = "AKIABPLOCALADMIN0001",
                                                   .secret_access_key = "admin-secret",
                                                   .session_token = std::nullopt,
                                                   .api_key_sha256 = {}},
                                                  {.principal_name = "rd-e2e",
                                                   .principal_arn = std::string(kConsumerArn),
                                                   .access_key_id = "AKIABPLOCALRDE2E0001",
                                                   .secret_access_key = "consumer-secret",
                                                   .session_token = std::nullopt,
                                                   .api_key_sha256 = {}}},
                                                 clock_,
                                                 {.region = "eu-central-1"}};
  std::unique_ptr<auth::iam::IamAuthorizer> authorizer_;
  std::unique_ptr<routing::Router> router_;
  std::unique_ptr<metering::Budgets> budgets_;
  DashboardSessions sessions_{{}, clock_};
  FakeLedger ledger_;
  WorkerPool worker_{{.threads = 2, .queue_capacity = 8}};
  bp::testing::ManualEventLoop loop_;
  std::unique_ptr<ApiHandler> handler_;
  Stream last_{loop_};
};

TEST_F(DashboardTest, ServesThePagesWithAStrictContentSecurityPolicy) {
  http::Response page = Send("GET", "/ui/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_THAT(last_.Header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(last_.Header("content-security-policy"), HasSubstr("default-src 'self'"));
  EXPECT_EQ(last_.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(Send("GET", "/ui").status, 308u);
  EXPECT_EQ(last_.Header("location"), "/ui/");
}

TEST_F(DashboardTest, SignsInWithTheApisCredentialsIntoAnHttpOnlySession) {
  Signed admin = Admin();
  EXPECT_THAT(last_.Header("set-cookie"), HasSubstr("HttpOnly; SameSite=Strict"));
  EXPECT_EQ(admin.csrf.size(), 64u);
  json::Value session = Doc(last_.response);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&session, {"principal"})), "platform-admin");
  EXPECT_EQ(json::StringOrEmpty(json::Find(&session, {"pages", "usage"})), "all");

  // Reading the session back needs only the cookie (a reloaded page).
  http::Response again = Send("GET", "/ui/api/session", "", {{"cookie", admin.cookie}});
  EXPECT_EQ(again.status, 200u);
  json::Value doc = Doc(again);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&doc, {"csrfToken"})), admin.csrf);

  http::Response wrong = Send("POST", "/ui/api/session",
                              R"({"accessKeyId":"AKIABPLOCALADMIN0001","secretAccessKey":"x"})");
  EXPECT_EQ(wrong.status, 403u);
  EXPECT_EQ(last_.Header("x-amzn-errortype"), "InvalidSignatureException");
  EXPECT_EQ(last_.Header("set-cookie"), "");

  http::Response elsewhere =
      Send("POST", "/ui/api/session",
           R"({"accessKeyId":"AKIABPLOCALADMIN0001","secretAccessKey":"admin-secret"})",
           {{"origin", "http://evil.example"}});
  EXPECT_EQ(elsewhere.status, 403u);
  EXPECT_THAT(elsewhere.body, HasSubstr("another origin"));
  EXPECT_EQ(Send("POST", "/ui/api/session", "{").status, 400u);
}

TEST_F(DashboardTest, DataRoutesNeedTheCookieAndTheCsrfToken) {
  Signed admin = Admin();
  EXPECT_EQ(Send("GET", "/ui/api/profiles").status, 403u);
  EXPECT_EQ(last_.Header("x-amzn-errortype"), "MissingAuthenticationTokenException");
  EXPECT_EQ(Send("GET", "/ui/api/profiles", "", {{"cookie", admin.cookie}}).status, 403u);
  EXPECT_EQ(last_.Header("x-amzn-errortype"), "AccessDeniedException");
  EXPECT_THAT(last_.response.body, HasSubstr("CSRF"));
  EXPECT_EQ(Get(admin, "/ui/api/profiles").status, 200u);

  // Signing out ends the session for every route.
  EXPECT_EQ(Send("DELETE", "/ui/api/session", "",
                 {{"cookie", admin.cookie}, {"x-csrf-token", admin.csrf}})
                .status,
            204u);
  EXPECT_THAT(last_.Header("set-cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(Get(admin, "/ui/api/profiles").status, 403u);
  EXPECT_EQ(last_.Header("x-amzn-errortype"), "MissingAuthenticationTokenException");
}

TEST_F(DashboardTest, SessionsExpireWhenIdle) {
  Signed admin = Admin();
  clock_.Advance(std::chrono::minutes(29));
  EXPECT_EQ(Get(admin, "/ui/api/profiles").status, 200u);
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(Get(admin, "/ui/api/profiles").status, 403u);
  EXPECT_EQ(last_.Header("x-amzn-errortype"), "MissingAuthenticationTokenException");
}

TEST_F(DashboardTest, ProfilesShowWhatTheyRouteToAndTheirConsumerPolicy) {
  http::Response r = Get(Admin(), "/ui/api/profiles");
  ASSERT_EQ(r.status, 200u) << r.body;
  json::Value doc = Doc(r);
  const json::Value* p = &doc.as_object().at("profiles").as_array().at(0);
  EXPECT_EQ(json::StringOrEmpty(json::Find(p, {"name"})), "rd-haiku-45");
  EXPECT_EQ(json::StringOrEmpty(json::Find(p, {"arn"})), kProfileArn);
  EXPECT_EQ(json::StringOrEmpty(json::Find(p, {"model"})), kModel);
  EXPECT_EQ(json::Serialize(*json::Find(p, {"regions"})), R"(["eu-central-1","eu-west-1"])");
  EXPECT_EQ(json::StringOrEmpty(json::Find(p, {"tags", "team"})), "search");
  EXPECT_THAT(std::string(json::StringOrEmpty(json::Find(p, {"policy"}))),
              HasSubstr("InvokeBedrockProfile"));
}

TEST_F(DashboardTest, AConsumerIsRefusedTheAdminPagesAndSeesOnlyItsOwnUsage) {
  Signed consumer = Consumer();
  json::Value session = Doc(last_.response);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&session, {"pages", "usage"})), "own");
  EXPECT_FALSE(json::Find(&session, {"pages", "health"})->as_bool());
  EXPECT_FALSE(json::Find(&session, {"pages", "access"})->as_bool());

  http::Response profiles = Get(consumer, "/ui/api/profiles");
  EXPECT_EQ(profiles.status, 403u);
  EXPECT_THAT(profiles.body, HasSubstr("not authorized to perform: bedrock:ListInferenceProfiles"));
  EXPECT_EQ(Get(consumer, "/ui/api/health").status, 403u);
  EXPECT_THAT(last_.response.body, HasSubstr("bedrock-profiles:GetHealth"));
  EXPECT_EQ(Get(consumer, "/ui/api/access?principal=platform-admin&profile=rd-haiku-45").status,
            403u);
  EXPECT_EQ(Get(consumer, "/ui/api/principals").status, 403u);

  EXPECT_EQ(Get(consumer, "/ui/api/usage?window=24h").status, 200u);
  json::Value usage = Doc(last_.response);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&usage, {"scope"})), "own");
  {
    std::lock_guard<std::mutex> lock(ledger_.mu);
    ASSERT_FALSE(ledger_.asked.empty());
    for (const std::string& a : ledger_.asked) EXPECT_THAT(a, HasSubstr(std::string(kConsumerArn)));
  }
  EXPECT_EQ(Get(consumer, "/ui/api/requests").status, 200u);
  EXPECT_EQ(ledger_.last_filter.principal_arn, kConsumerArn);
  EXPECT_EQ(Get(consumer, "/ui/api/requests?principal=platform-admin").status, 403u);
}

metering::UsageRollup Rollup(int64_t t, std::string_view principal, std::string region,
                             int64_t requests, int64_t cost) {
  metering::UsageRollup r;
  r.key.start_ms = t;
  r.key.profile_name = "rd-haiku-45";
  r.key.principal = std::string(principal);
  r.key.serving_region = std::move(region);
  r.key.tags = {{"team", "search"}};
  r.requests = requests;
  r.throttles = requests / 2;
  r.errors = requests / 2;
  r.tokens.input = requests * 10;
  r.cost_micro_usd = cost;
  r.latency.Add(120, static_cast<uint64_t>(requests));
  r.ttft.Add(10, static_cast<uint64_t>(requests));
  return r;
}

TEST_F(DashboardTest, UsageChartsTheRollupsOfTheWindowAndRanksAgainstThePeriodBefore) {
  const int64_t now = ToUnixMillis(clock_.Now());
  const int64_t hour = metering::HourStart(now);
  ledger_.rollups = {
      Rollup(hour, kConsumerArn, "eu-central-1", 4, 2'000'000),
      Rollup(hour - 3 * metering::kHourMs, kAdminArn, "eu-west-1", 1, 500'000),
      // the day before: the previous period
      Rollup(hour - 30 * metering::kHourMs, kConsumerArn, "eu-central-1", 2, 1'000'000)};
  http::Response r = Get(Admin(), "/ui/api/usage?window=24h&by=principal");
  ASSERT_EQ(r.status, 200u) << r.body;
  json::Value doc = Doc(r);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&doc, {"scope"})), "all");
  EXPECT_EQ(*json::AsInt64(json::Find(&doc, {"bucketMs"})), metering::kHourMs);
  EXPECT_EQ(doc.as_object().at("buckets").as_array().size(), 24u);
  EXPECT_EQ(*json::AsInt64(json::Find(&doc, {"to"})), hour + metering::kHourMs);
  EXPECT_EQ(*json::AsInt64(json::Find(&doc, {"total", "requests"})), 5);
  EXPECT_DOUBLE_EQ(json::Find(&doc, {"total", "costUsd"})->to_number<double>(), 2.5);
  const json::Array& ranking = doc.as_object().at("ranking").as_array();
  ASSERT_EQ(ranking.size(), 2u);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&ranking[0], {"key"})), kConsumerArn);
  EXPECT_EQ(*json::AsInt64(json::Find(&ranking[0], {"previousRequests"})), 2);
  EXPECT_DOUBLE_EQ(json::Find(&ranking[0], {"costChangePct"})->to_number<double>(), 100.0);
  EXPECT_TRUE(json::Find(&ranking[1], {"costChangePct"})->is_null());
  const json::Array& series = doc.as_object().at("series").as_array();
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(json::Find(&series[0], {"requests"})->as_array().back().as_int64(), 4);

  // A short window is charted by the minute, from minute roll-ups.
  ASSERT_EQ(Get(Admin(), "/ui/api/usage?window=1h&by=tag:team").status, 200u);
  json::Value minute = Doc(last_.response);
  EXPECT_EQ(*json::AsInt64(json::Find(&minute, {"bucketMs"})), 60'000);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&minute, {"grain"})), "minute");
  EXPECT_EQ(minute.as_object().at("buckets").as_array().size(), 60u);

  EXPECT_EQ(Get(Admin(), "/ui/api/usage?by=metadata:run").status, 400u);
  EXPECT_EQ(Get(Admin(), "/ui/api/usage?window=soon").status, 400u);
  EXPECT_EQ(Get(Admin(), "/ui/api/usage?bogus=1").status, 400u);
  EXPECT_EQ(Get(Admin(), "/ui/api/usage?from=2026-12-01&to=2026-11-01").status, 400u);
}

TEST_F(DashboardTest, HealthJoinsTheCircuitsAndTheLedgersRates) {
  const int64_t now = ToUnixMillis(clock_.Now());
  ledger_.rollups = {Rollup(now - 60'000 - now % 60'000, kConsumerArn, "eu-central-1", 4, 0)};
  for (int i = 0; i < 3; ++i) {
    router_->Begin("eu-west-1");
    router_->End("eu-west-1", routing::Outcome::kFailure);
  }
  http::Response r = Get(Admin(), "/ui/api/health");
  ASSERT_EQ(r.status, 200u) << r.body;
  json::Value doc = Doc(r);
  const json::Array& regions = doc.as_object().at("regions").as_array();
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&regions[0], {"region"})), "eu-central-1");
  EXPECT_EQ(json::StringOrEmpty(json::Find(&regions[0], {"circuit"})), "closed");
  EXPECT_EQ(*json::AsInt64(json::Find(&regions[0], {"requests"})), 4);
  EXPECT_DOUBLE_EQ(json::Find(&regions[0], {"throttleRate"})->to_number<double>(), 0.5);
  EXPECT_EQ(*json::AsInt64(json::Find(&regions[0], {"ttftP50Ms"})), 10);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&regions[1], {"circuit"})), "open");
  EXPECT_TRUE(json::Find(&regions[1], {"latencyP50Ms"})->is_null());
}

TEST_F(DashboardTest, RequestsListTheLatestCallsWithTheirFilter) {
  metering::UsageRecord rec;
  rec.time_ms = 5;
  rec.request_id = "r-1";
  rec.principal = std::string(kConsumerArn);
  rec.profile_name = "rd-haiku-45";
  rec.status = 429;
  rec.error_code = "ThrottlingException";
  ledger_.records = {rec};
  http::Response r =
      Get(Admin(), "/ui/api/requests?profile=rd-haiku-45&status=throttled&region=eu-west-1");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(ledger_.last_filter.profile_name, "rd-haiku-45");
  EXPECT_EQ(ledger_.last_filter.serving_region, "eu-west-1");
  EXPECT_EQ(ledger_.last_filter.outcome, RecordFilter::Outcome::kThrottled);
  EXPECT_TRUE(ledger_.last_filter.principal_arn.empty());
  json::Value doc = Doc(r);
  const json::Value& row = doc.as_object().at("requests").as_array().at(0);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&row, {"principal"})), "rd-e2e");
  EXPECT_EQ(json::StringOrEmpty(json::Find(&row, {"errorCode"})), "ThrottlingException");
  EXPECT_TRUE(json::Find(&row, {"ttftMs"})->is_null());
  EXPECT_EQ(Get(Admin(), "/ui/api/requests?status=weird").status, 400u);
  EXPECT_EQ(Get(Admin(), "/ui/api/requests?limit=0").status, 400u);
  EXPECT_EQ(Get(Admin(), "/ui/api/requests?limit=501").status, 400u);
  EXPECT_EQ(Get(Admin(), "/ui/api/requests?principal=nobody").status, 400u);
}

TEST_F(DashboardTest, AccessExplainsTheDecisionAndNamesTheMissingGrant) {
  Signed admin = Admin();
  http::Response allowed =
      Get(admin, "/ui/api/access?principal=rd-e2e&profile=rd-haiku-45&action=bedrock:InvokeModel");
  ASSERT_EQ(allowed.status, 200u) << allowed.body;
  json::Value yes = Doc(allowed);
  EXPECT_TRUE(json::Find(&yes, {"allowed"})->as_bool());
  EXPECT_EQ(yes.as_object().at("checks").as_array().size(), 3u);  // profile + 2 regions
  EXPECT_THAT(std::string(json::StringOrEmpty(
                  json::Find(&yes.as_object().at("checks").as_array()[0], {"reason"}))),
              HasSubstr("Invoke"));

  http::Response denied =
      Get(admin,
          "/ui/api/access?principal=rd-e2e&profile=rd-haiku-45&action=bedrock:GetInferenceProfile");
  ASSERT_EQ(denied.status, 200u) << denied.body;
  json::Value no = Doc(denied);
  EXPECT_FALSE(json::Find(&no, {"allowed"})->as_bool());
  const json::Array& missing = no.as_object().at("missingGrants").as_array();
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(json::Serialize(missing[0]),
            R"({"Effect":"Allow","Action":"bedrock:GetInferenceProfile","Resource":")" +
                std::string(kProfileArn) + R"("})");

  EXPECT_EQ(Get(admin, "/ui/api/access?principal=nobody&profile=rd-haiku-45").status, 400u);
  EXPECT_EQ(Get(admin, "/ui/api/access?principal=rd-e2e&profile=nope").status, 404u);
  EXPECT_EQ(Get(admin, "/ui/api/access?principal=rd-e2e&profile=rd-haiku-45&action=iam:*").status,
            400u);
  ASSERT_EQ(Get(admin, "/ui/api/principals").status, 200u);
  json::Value list = Doc(last_.response);
  EXPECT_EQ(list.as_object().at("principals").as_array().size(), 2u);
  EXPECT_EQ(json::Serialize(list.as_object().at("profiles")), R"(["rd-haiku-45"])");
}

TEST_F(DashboardTest, BudgetsBurnDownDayByDayAndProjectTheMonthsEnd) {
  // Ten days into January 2026 (the fake clock starts on the 1st).
  clock_.Advance(std::chrono::hours(24 * 10));
  const int64_t jan1 = ToUnixMillis(clock_.Now()) - 10 * 24 * metering::kHourMs;
  ledger_.rollups = {
      Rollup(jan1 + metering::kHourMs, kConsumerArn, "eu-central-1", 2, 1'000'000),
      Rollup(jan1 + 5 * 24 * metering::kHourMs, kConsumerArn, "eu-west-1", 2, 1'000'000),
      Rollup(jan1 + 5 * 24 * metering::kHourMs, kAdminArn, "eu-west-1", 1, 500'000)};
  for (const metering::UsageRollup& r : ledger_.rollups) budgets_->Restore(r.SpendRecord());

  http::Response r = Get(Admin(), "/ui/api/usage?window=30d");
  ASSERT_EQ(r.status, 200u) << r.body;
  json::Value doc = Doc(r);
  const json::Array& budgets = doc.as_object().at("budgets").as_array();
  ASSERT_EQ(budgets.size(), 3u);  // profile, principal and tag budgets, in that order
  const json::Value& profile = budgets[0];
  EXPECT_EQ(json::StringOrEmpty(json::Find(&profile, {"name"})), "profile rd-haiku-45");
  EXPECT_DOUBLE_EQ(json::Find(&profile, {"limitUsd"})->to_number<double>(), 10.0);
  EXPECT_DOUBLE_EQ(json::Find(&profile, {"spentUsd"})->to_number<double>(), 2.5);
  // 2.5 in 10 of 31 days: 7.75 by the month's end at this pace.
  EXPECT_NEAR(json::Find(&profile, {"projectedUsd"})->to_number<double>(), 7.75, 1e-6);
  EXPECT_EQ(*json::AsInt64(json::Find(&profile, {"periodStart"})), jan1);
  const json::Array& burn = profile.as_object().at("burn").as_array();
  ASSERT_EQ(burn.size(), 11u);  // Jan 1 .. Jan 11 (today)
  EXPECT_DOUBLE_EQ(burn[0].as_array()[1].to_number<double>(), 1.0);
  EXPECT_DOUBLE_EQ(burn[4].as_array()[1].to_number<double>(), 1.0);
  EXPECT_DOUBLE_EQ(burn[5].as_array()[1].to_number<double>(), 2.5);
  EXPECT_DOUBLE_EQ(burn[10].as_array()[1].to_number<double>(), 2.5);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&budgets[1], {"name"})), "principal rd-e2e");
  EXPECT_DOUBLE_EQ(json::Find(&budgets[1], {"spentUsd"})->to_number<double>(), 2.0);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&budgets[2], {"name"})), "tag team = search");

  // The consumer sees its own budget only.
  ASSERT_EQ(Get(Consumer(), "/ui/api/usage?window=30d").status, 200u);
  json::Value own = Doc(last_.response);
  const json::Array& own_budgets = own.as_object().at("budgets").as_array();
  ASSERT_EQ(own_budgets.size(), 1u);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&own_budgets[0], {"name"})), "principal rd-e2e");
}

// The pages' figures against a real ledger: the records SqliteLedger wrote,
// rolled up by its writer, read back through the roll-ups, must add up to
// what `usage` (QueryUsage over the raw records) reports for the same window.
class DashboardLedgerTest : public DashboardTest {
 protected:
  LedgerReads Reads() override {
    const std::filesystem::path dir = dir_.path();
    return {.rollups =
                [dir](RollupGrain grain, int64_t from, int64_t to, std::string_view principal,
                      const std::function<void(const metering::UsageRollup&)>& fn) {
                  return storage::sqlite::ScanUsageRollups(
                      dir,
                      grain == RollupGrain::kMinute ? storage::sqlite::RollupGrain::kMinute
                      : grain == RollupGrain::kHour ? storage::sqlite::RollupGrain::kHour
                                                    : storage::sqlite::RollupGrain::kDay,
                      from, to, principal, fn);
                },
            .latest =
                [dir](const RecordFilter& f, size_t limit) {
                  storage::sqlite::RecordFilter filter{.profile_name = f.profile_name,
                                                       .principal_arn = f.principal_arn,
                                                       .serving_region = f.serving_region};
                  return storage::sqlite::LatestUsageRecords(dir, filter, limit);
                },
            .minute_rollups_kept_ms = 48 * metering::kHourMs};
  }
  bp::testing::TempDir dir_;
};

TEST_F(DashboardLedgerTest, FiguresEqualTheUsageReportOfTheRawRecords) {
  auto ledger = storage::sqlite::SqliteLedger::Open(dir_.path(), {});
  ASSERT_OK(ledger);
  const int64_t now = ToUnixMillis(clock_.Now());
  const std::string_view principals[] = {kAdminArn, kConsumerArn};
  const std::string_view regions[] = {"eu-central-1", "eu-west-1"};
  for (int i = 0; i < 300; ++i) {
    metering::UsageRecord r;
    r.time_ms = now - 20 * 3'600'000 + i * 4 * 60'000;  // every 4 minutes over the last 20 h
    r.request_id = "r-" + std::to_string(i);
    r.principal = std::string(principals[i % 2]);
    r.profile_name = i % 3 == 0 ? "rd-sonnet-4" : "rd-haiku-45";
    r.model_id = std::string(kModel);
    r.serving_region = std::string(regions[i % 2]);
    r.status = i % 7 == 0 ? 429 : 200;
    r.error_code = i % 7 == 0 ? "ThrottlingException" : "";
    r.tokens.input = 10 + i;
    r.tokens.output = 2 * i;
    r.latency_ms = 100 + i;
    r.ttft_ms = 20;
    r.tags = {{"team", i % 2 == 0 ? "search" : "ads"}};
    r.cost_micro_usd = 1000 + i;
    (*ledger)->Record(r);
  }
  ASSERT_OK((*ledger)->Flush());

  http::Response r = Get(Admin(), "/ui/api/usage?window=24h&by=tag:team");
  ASSERT_EQ(r.status, 200u) << r.body;
  json::Value doc = Doc(r);
  const int64_t from = *json::AsInt64(json::Find(&doc, {"from"}));
  const int64_t to = *json::AsInt64(json::Find(&doc, {"to"}));
  auto report = storage::sqlite::QueryUsage(
      dir_.path(), {{.kind = metering::Dimension::Kind::kTag, .key = "team"}}, from, to,
      {.source = storage::sqlite::UsageQueryOptions::Source::kRaw});
  ASSERT_OK(report);
  EXPECT_EQ(*json::AsInt64(json::Find(&doc, {"total", "requests"})), report->total.requests);
  EXPECT_EQ(report->total.requests, 300);
  EXPECT_EQ(*json::AsInt64(json::Find(&doc, {"total", "throttles"})), report->total.throttles);
  EXPECT_EQ(*json::AsInt64(json::Find(&doc, {"total", "inputTokens"})), report->total.tokens.input);
  EXPECT_NEAR(json::Find(&doc, {"total", "costUsd"})->to_number<double>(),
              static_cast<double>(report->total.cost_micro_usd) / 1e6, 1e-9);
  const json::Array& ranking = doc.as_object().at("ranking").as_array();
  ASSERT_EQ(ranking.size(), report->groups.size());
  for (const metering::UsageGroup& g : report->groups) {
    bool found = false;
    for (const json::Value& row : ranking) {
      if (json::StringOrEmpty(json::Find(&row, {"key"})) != g.keys[0]) continue;
      found = true;
      EXPECT_EQ(*json::AsInt64(json::Find(&row, {"requests"})), g.requests) << g.keys[0];
      EXPECT_EQ(*json::AsInt64(json::Find(&row, {"outputTokens"})), g.tokens.output) << g.keys[0];
    }
    EXPECT_TRUE(found) << g.keys[0];
  }
  // The hourly points add up to the total.
  int64_t sum = 0;
  for (const json::Value& line : doc.as_object().at("series").as_array()) {
    for (const json::Value& v : line.as_object().at("requests").as_array()) sum += v.as_int64();
  }
  EXPECT_EQ(sum, 300);

  // 30 days by the day, from daily roll-ups: the same calls.
  ASSERT_EQ(Get(Admin(), "/ui/api/usage?window=30d").status, 200u);
  json::Value month = Doc(last_.response);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&month, {"grain"})), "day");
  EXPECT_EQ(*json::AsInt64(json::Find(&month, {"total", "requests"})), 300);
  EXPECT_NEAR(json::Find(&month, {"total", "costUsd"})->to_number<double>(),
              static_cast<double>(report->total.cost_micro_usd) / 1e6, 1e-9);

  // The last hour by the minute, from minute roll-ups, and the consumer's own share.
  ASSERT_EQ(Get(Consumer(), "/ui/api/usage?window=1h").status, 200u);
  json::Value own = Doc(last_.response);
  auto own_report = storage::sqlite::QueryUsage(
      dir_.path(), {{.kind = metering::Dimension::Kind::kPrincipal, .key = {}}},
      *json::AsInt64(json::Find(&own, {"from"})), *json::AsInt64(json::Find(&own, {"to"})),
      {.source = storage::sqlite::UsageQueryOptions::Source::kRaw});
  ASSERT_OK(own_report);
  int64_t consumer_calls = 0;
  for (const metering::UsageGroup& g : own_report->groups) {
    if (g.keys[0] == kConsumerArn) consumer_calls = g.requests;
  }
  EXPECT_GT(consumer_calls, 0);
  EXPECT_EQ(*json::AsInt64(json::Find(&own, {"total", "requests"})), consumer_calls);

  // The latest calls, newest first, filtered in the ledger.
  ASSERT_EQ(Get(Admin(), "/ui/api/requests?limit=3&region=eu-west-1").status, 200u);
  json::Value latest = Doc(last_.response);
  const json::Array& rows = latest.as_object().at("requests").as_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&rows[0], {"requestId"})), "r-299");
  EXPECT_EQ(json::StringOrEmpty(json::Find(&rows[1], {"requestId"})), "r-297");
  EXPECT_EQ(json::StringOrEmpty(json::Find(&rows[0], {"servingRegion"})), "eu-west-1");
}

}  // namespace
}  // namespace bp::api::dashboard
