#include "api/usage_route.h"

#include <atomic>
#include <deque>
#include <map>
#include <thread>

#include "auth/iam/iam_authorizer.h"
#include "core/mutex.h"
#include "json/json.h"
#include "testing/gate.h"
#include "testing/testing.h"

namespace bp::api {
namespace {

using ::testing::HasSubstr;

// A loop whose posted work runs on the test's thread when it asks, waiting
// for it to arrive (the pool posts from its own threads).
class WaitingLoop final : public EventLoop {
 public:
  void Post(std::function<void()> fn) override {
    MutexLock lock(mu_);
    posted_.push_back(std::move(fn));
    cv_.NotifyAll();
  }
  std::unique_ptr<TimerHandle> After(std::chrono::milliseconds, std::function<void()>) override {
    ADD_FAILURE() << "GET /usage arms no timer";
    return std::make_unique<TimerHandle>();
  }
  // Waits for the next posted callback and runs it here.
  void RunNext() {
    std::function<void()> fn;
    {
      MutexLock lock(mu_);
      while (posted_.empty()) cv_.Wait(mu_);
      fn = std::move(posted_.front());
      posted_.pop_front();
    }
    fn();
  }
  size_t pending() {
    MutexLock lock(mu_);
    return posted_.size();
  }

 private:
  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> posted_ BP_GUARDED_BY(mu_);
};

class RecordingStream final : public http::ResponseStream {
 public:
  explicit RecordingStream(EventLoop& loop) : loop_(loop) {}
  void Respond(http::Response&& r) override {
    EXPECT_EQ(std::this_thread::get_id(), test_thread_) << "answered off the loop thread";
    ++answers;
    response = std::move(r);
  }
  void StartStream(unsigned, http::Headers&&) override { ADD_FAILURE() << "no stream expected"; }
  void Write(std::string&&) override {}
  void Finish() override {}
  bool Closed() const override { return closed; }
  size_t BufferedBytes() const override { return 0; }
  EventLoop& loop() override { return loop_; }

  std::string ErrorType() const {
    for (const auto& h : response.headers) {
      if (h.name == "x-amzn-errortype") return h.value;
    }
    return "";
  }

  http::Response response;
  int answers = 0;
  bool closed = false;

 private:
  EventLoop& loop_;
  const std::thread::id test_thread_ = std::this_thread::get_id();
};

// Accepts "AWS4-HMAC-SHA256 alice"; anything else is an unsigned request.
class FakeAuthenticator final : public auth::Authenticator {
 public:
  Result<auth::Principal> Authenticate(const http::Request& request) const override {
    const std::string* a = http::FindHeader(request.headers, "authorization");
    if (a != nullptr && *a == "AWS4-HMAC-SHA256 alice") {
      return auth::Principal{"alice", "arn:aws:iam::123456789012:role/alice", "AKIDALICE"};
    }
    return Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  }
};

// Records the last question (asked on the loop thread: the test's).
class RecordingAuthorizer final : public auth::Authorizer {
 public:
  Status Authorize(const auth::Principal& principal, const auth::RequestFacts&,
                   const auth::AuthorizationRequest& q) const override {
    asked = principal.name + " " + std::string(q.action) + " " + std::string(q.resource);
    context = q.context;
    if (allow) return Status::Ok();
    return Status(
        ErrorCode::kAccessDenied,
        "User: " + principal.arn + " is not authorized to perform: " + std::string(q.action));
  }
  bool allow = true;
  mutable std::string asked;
  mutable std::vector<auth::ContextEntry> context;
};

// Two fixed times the fake parser knows (ms), as `usage --from` would read them.
constexpr int64_t kDec1 = 1'796'083'200'000;  // 2026-12-01T00:00:00Z
constexpr int64_t kDec2 = kDec1 + 86'400'000;
std::optional<int64_t> FakeParseTime(std::string_view text) {
  static const std::map<std::string, int64_t, std::less<>> known = {
      {"2026-12-01", kDec1},
      {"2026-12-02T00:00:00Z", kDec2},
      {"2026-12-01T00:00:00.250Z", kDec1 + 250}};
  auto it = known.find(text);
  if (it == known.end()) return std::nullopt;
  return it->second * 1000;
}

metering::UsageRecord Record(std::string profile, int64_t input) {
  metering::UsageRecord r;
  r.profile_name = std::move(profile);
  r.tokens.input = input;
  r.latency_ms = 5;
  r.cost_micro_usd = input;
  return r;
}

class UsageRouteTest : public ::testing::Test {
 protected:
  UsageRouteTest() : handler_(authenticator_, clock_) {}

  void Register(WorkerPool& pool) {
    ASSERT_OK(RegisterUsageRoute(handler_,
                                 {.resource_arn = UsageResourceArn("eu-central-1", "123456789012"),
                                  .parse_time = FakeParseTime},
                                 {.source = [this](const UsageQuery& q) { return Source(q); },
                                  .worker = pool,
                                  .authorizer = authorizer_}));
  }

  Result<metering::UsageReport> Source(const UsageQuery& q) {
    ++queries_;
    EXPECT_NE(std::this_thread::get_id(), test_thread_) << "the ledger was read on the loop";
    gate_.Pass();
    if (!source_error_.ok()) return source_error_;
    metering::UsageAggregator agg(q.dimensions);
    agg.Add(Record("rd-haiku-45", 100));
    agg.Add(Record("rd-sonnet-4", 7));
    return std::move(agg).Finish(q.from_ms, q.to_ms);
  }

  std::shared_ptr<RecordingStream> Send(std::string target, bool sign = true) {
    http::Request r;
    r.method = "GET";
    r.target = std::move(target);
    r.request_id = "req-" + std::to_string(++sent_);
    r.remote_address = "10.0.0.7";
    if (sign) r.headers.push_back({"authorization", "AWS4-HMAC-SHA256 alice"});
    auto stream = std::make_shared<RecordingStream>(loop_);
    handler_.Handle(std::move(r), stream);
    return stream;
  }

  // What the route must answer for `q` (the fake ledger's report).
  std::string Expected(std::vector<std::string> by, int64_t from_ms, int64_t to_ms) {
    std::vector<metering::Dimension> dims;
    for (const std::string& b : by) dims.push_back(*metering::ParseDimension(b));
    metering::UsageAggregator agg(std::move(dims));
    agg.Add(Record("rd-haiku-45", 100));
    agg.Add(Record("rd-sonnet-4", 7));
    return metering::RenderJson(std::move(agg).Finish(from_ms, to_ms));
  }

  const std::thread::id test_thread_ = std::this_thread::get_id();
  testing::FakeClock clock_;
  FakeAuthenticator authenticator_;
  RecordingAuthorizer authorizer_;
  ApiHandler handler_;
  WaitingLoop loop_;
  bp::testing::Gate gate_{/*open=*/true};
  std::atomic<int> queries_{0};
  Status source_error_ = Status::Ok();
  int sent_ = 0;
};

TEST(UsageQueryTest, WindowsAndDimensions) {
  const int64_t now = kDec2 + 5;
  Result<UsageQuery> q = ParseUsageQuery("", now, FakeParseTime);
  ASSERT_OK(q);
  EXPECT_TRUE(q->dimensions.empty());
  EXPECT_EQ(q->from_ms, now - 86'400'000);  // the last 24 hours, as `usage`
  EXPECT_EQ(q->to_ms, now + 1);

  q = ParseUsageQuery("by=profile&by=tag%3Ateam&by=metadata:run&since=7d", now, FakeParseTime);
  ASSERT_OK(q);
  ASSERT_EQ(q->dimensions.size(), 3u);
  EXPECT_EQ(q->dimensions[1].Name(), "tag:team");
  EXPECT_EQ(q->dimensions[2].Name(), "metadata:run");
  EXPECT_EQ(q->from_ms, now - 7 * 86'400'000LL);

  q = ParseUsageQuery("from=2026-12-01&to=2026-12-02T00%3A00%3A00Z", now, FakeParseTime);
  ASSERT_OK(q);
  EXPECT_EQ(q->from_ms, kDec1);
  EXPECT_EQ(q->to_ms, kDec2);
  q = ParseUsageQuery("from=2026-12-01T00:00:00.250Z", now, FakeParseTime);
  ASSERT_OK(q);
  EXPECT_EQ(q->from_ms, kDec1 + 250);  // milliseconds survive (the CLI sends them)
  EXPECT_EQ(q->to_ms, now + 1);
  q = ParseUsageQuery("to=2026-12-01", now, FakeParseTime);
  ASSERT_OK(q);
  EXPECT_EQ(q->from_ms, 0);

  // '+' is literal, as SigV4 canonicalises it (AWS tag keys may hold '+').
  q = ParseUsageQuery("by=tag:a+b", now, FakeParseTime);
  ASSERT_OK(q);
  EXPECT_EQ(q->dimensions[0].key, "a+b");
  // Presigned SigV4 requests carry their signature in the query.
  EXPECT_OK(ParseUsageQuery("X-Amz-Algorithm=AWS4-HMAC-SHA256&x-amz-signature=ab&by=model", now,
                            FakeParseTime));
}

TEST(UsageQueryTest, BadParametersSayWhatIsWrong) {
  const std::pair<std::string, std::string> cases[] = {
      {"by=team",
       "by=team: expected profile, principal, model, region, operation, tag:KEY or "
       "metadata:KEY"},
      {"by=tag:", "by=tag:: name the key (tag:KEY)"},
      {"by", "by=: expected profile"},
      {"since=7x", "since '7x' is not a duration"},
      {"since=0d", "since '0d' is not a duration"},
      {"since=1d&since=2d", "Query parameter 'since' is repeated"},
      {"since=1d&from=2026-12-01", "since excludes from and to"},
      {"since=1d&to=2026-12-01", "since excludes from and to"},
      {"from=yesterday", "from 'yesterday' is not a time: use ISO 8601"},
      {"to=2026-13-01", "to '2026-13-01' is not a time"},
      {"from=2026-12-02T00:00:00Z&to=2026-12-01", "to must be later than from"},
      {"from=2026-12-01&to=2026-12-01", "to must be later than from"},
      {"group=profile", "Unknown query parameter 'group': GET /usage takes by, since, from and to"},
      {"By=profile", "Unknown query parameter 'By'"},
      {"by=%zz", "Malformed query string"},
  };
  for (const auto& [query, message] : cases) {
    Result<UsageQuery> q = ParseUsageQuery(query, kDec2, FakeParseTime);
    ASSERT_THAT(q, testing::StatusIs(ErrorCode::kValidation)) << query;
    EXPECT_THAT(q.status().message(), HasSubstr(message)) << query;
  }
  std::string many;
  for (size_t i = 0; i <= kMaxUsageDimensions; ++i) many += "by=profile&";
  EXPECT_THAT(ParseUsageQuery(many, kDec2, FakeParseTime).status().message(),
              HasSubstr("At most 16 by parameters"));
}

// The condition key as docs/metering.md shows it, through the real IAM
// evaluator: a reader allowed only some dimensions may group by those (or
// none), and by nothing else.
TEST(UsageDimensionsConditionTest, APolicyBoundsWhatAReaderMayGroupBy) {
  const std::string policy = R"({"Version": "2012-10-17", "Statement": [
    { "Effect": "Allow", "Action": "bedrock-profiles:GetUsage",
      "Resource": "arn:aws:bedrock-profiles:eu-central-1:123456789012:usage",
      "Condition": { "ForAllValues:StringEquals": {
        "bedrock-profiles:UsageDimensions": ["profile", "model", "operation", "tag:team"] } } } ]})";
  auto authorizer =
      auth::iam::IamAuthorizer::Create({{.name = "reader",
                                         .arn = "arn:aws:iam::123456789012:role/reader",
                                         .tags = {},
                                         .policies = {{.text = policy, .origin = "test"}}}},
                                       {.requested_region = "eu-central-1"});
  ASSERT_OK(authorizer);
  const auth::Principal reader{"reader", "arn:aws:iam::123456789012:role/reader", "AKIDREADER"};
  auto ask = [&](std::vector<std::string> by, std::string resource) {
    return (*authorizer)
        ->Authorize(reader, {.source_ip = "127.0.0.1", .secure_transport = false, .time = {}},
                    {.action = kGetUsageAction,
                     .resource = resource,
                     .context = {{.key = std::string(kUsageDimensionsKey),
                                  .values = std::move(by),
                                  .multi = true}}});
  };
  const std::string here = UsageResourceArn("eu-central-1", "123456789012");
  EXPECT_OK(ask({"tag:team", "profile"}, here));
  EXPECT_OK(ask({}, here));
  EXPECT_THAT(ask({"profile", "principal"}, here), testing::StatusIs(ErrorCode::kAccessDenied));
  EXPECT_THAT(ask({"profile"}, UsageResourceArn("eu-west-1", "123456789012")),
              testing::StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(UsageRouteTest, AnswersTheReportOffTheLoopAndPostsItBack) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  auto stream = Send("/usage?by=profile&from=2026-12-01&to=2026-12-02T00:00:00Z");
  loop_.RunNext();
  ASSERT_EQ(stream->answers, 1);
  EXPECT_EQ(stream->response.status, 200u) << stream->response.body;
  EXPECT_EQ(stream->response.body, Expected({"profile"}, kDec1, kDec2));
  const std::string* type = http::FindHeader(stream->response.headers, "content-type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(*type, "application/json");
  EXPECT_EQ(queries_, 1);
  EXPECT_EQ(
      authorizer_.asked,
      "alice bedrock-profiles:GetUsage arn:aws:bedrock-profiles:eu-central-1:123456789012:usage");
  ASSERT_EQ(authorizer_.context.size(), 1u);
  EXPECT_EQ(authorizer_.context[0].key, "bedrock-profiles:UsageDimensions");
  EXPECT_TRUE(authorizer_.context[0].multi);
  EXPECT_EQ(authorizer_.context[0].values, std::vector<std::string>{"profile"});
}

TEST_F(UsageRouteTest, TheDefaultWindowEndsAtTheRequestsArrival) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  auto stream = Send("/usage");
  loop_.RunNext();
  const int64_t now = ToUnixMillis(clock_.Now());
  EXPECT_EQ(stream->response.body, Expected({}, now - 86'400'000, now + 1));
}

TEST_F(UsageRouteTest, NoLedgerYetIsAnEmptyReport) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  source_error_ = Status(ErrorCode::kResourceNotFound, "no usage ledger in /x");
  auto stream = Send("/usage?by=tag:team&from=2026-12-01&to=2026-12-02T00:00:00Z");
  loop_.RunNext();
  EXPECT_EQ(stream->response.status, 200u);
  Result<metering::UsageReport> report = metering::ParseUsageReportJson(stream->response.body);
  ASSERT_OK(report);
  EXPECT_TRUE(report->groups.empty());
  EXPECT_EQ(report->total.requests, 0);
  EXPECT_EQ(report->dimensions[0].Name(), "tag:team");
}

TEST_F(UsageRouteTest, ALedgerFailureIsAHiddenServerError) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  source_error_ = Status(ErrorCode::kIo, "disk I/O error reading /var/lib/secret/usage.db");
  auto stream = Send("/usage");
  loop_.RunNext();
  EXPECT_EQ(stream->response.status, 500u);
  EXPECT_EQ(stream->response.body.find("/var/lib"), std::string::npos) << stream->response.body;
}

TEST_F(UsageRouteTest, BadParametersAreValidationExceptionsBeforeAnyRead) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  auto stream = Send("/usage?by=team");
  ASSERT_EQ(stream->answers, 1);  // at once, on the loop
  EXPECT_EQ(stream->response.status, 400u);
  EXPECT_EQ(stream->ErrorType(), "ValidationException");
  Result<json::Value> body = json::Parse(stream->response.body);
  ASSERT_OK(body);
  EXPECT_THAT(std::string(json::StringOrEmpty(json::Find(&*body, {"message"}))),
              HasSubstr("by=team: expected profile"));
  EXPECT_EQ(queries_, 0);
  EXPECT_EQ(loop_.pending(), 0u);
}

TEST_F(UsageRouteTest, DeniedAndUnsignedCallersReadNothing) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  authorizer_.allow = false;
  auto denied = Send("/usage?by=principal");
  ASSERT_EQ(denied->answers, 1);
  EXPECT_EQ(denied->response.status, 403u);
  EXPECT_EQ(denied->ErrorType(), "AccessDeniedException");
  EXPECT_EQ(authorizer_.context[0].values, std::vector<std::string>{"principal"});
  auto unsigned_call = Send("/usage", /*sign=*/false);
  ASSERT_EQ(unsigned_call->answers, 1);
  EXPECT_EQ(unsigned_call->response.status, 403u);
  EXPECT_EQ(unsigned_call->ErrorType(), "MissingAuthenticationTokenException");
  EXPECT_EQ(queries_, 0);
  auto wrong_method = std::make_shared<RecordingStream>(loop_);
  http::Request r;
  r.method = "POST";
  r.target = "/usage";
  r.headers.push_back({"authorization", "AWS4-HMAC-SHA256 alice"});
  handler_.Handle(std::move(r), wrong_method);
  EXPECT_EQ(wrong_method->response.status, 405u);
}

TEST_F(UsageRouteTest, AFullWorkerIsThrottlingAndTheOthersStillAnswer) {
  WorkerPool pool({.threads = 1, .queue_capacity = 1});
  Register(pool);
  gate_.Close();
  auto running = Send("/usage");
  gate_.AwaitWaiting(1);  // the one thread is reading the ledger
  auto queued = Send("/usage");
  auto refused = Send("/usage");
  ASSERT_EQ(refused->answers, 1);  // at once, without waiting for the worker
  EXPECT_EQ(refused->response.status, 429u);
  EXPECT_EQ(refused->ErrorType(), "ThrottlingException");
  EXPECT_EQ(running->answers + queued->answers, 0);
  gate_.Open();
  loop_.RunNext();
  loop_.RunNext();
  EXPECT_EQ(running->response.status, 200u);
  EXPECT_EQ(queued->response.status, 200u);
  EXPECT_EQ(queries_, 2);
}

TEST_F(UsageRouteTest, AnAnswerForAClientThatLeftIsDropped) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  gate_.Close();
  auto gone = Send("/usage");
  gate_.AwaitWaiting(1);
  gone->closed = true;  // the peer hung up while the ledger was read
  gate_.Open();
  loop_.RunNext();
  EXPECT_EQ(gone->answers, 0);
  EXPECT_EQ(queries_, 1);
}

TEST_F(UsageRouteTest, StoppingThePoolAnswersWhatItNeverRan) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  Register(pool);
  gate_.Close();
  auto running = Send("/usage");
  gate_.AwaitWaiting(1);
  auto waiting = Send("/usage");
  // Stop() hands the waiting query back at once, then joins the running one.
  std::thread stopper([&pool] { pool.Stop(); });
  loop_.RunNext();
  EXPECT_EQ(waiting->response.status, 503u);
  EXPECT_EQ(waiting->ErrorType(), "ServiceUnavailableException");
  gate_.Open();
  stopper.join();
  loop_.RunNext();
  EXPECT_EQ(running->response.status, 200u);
  EXPECT_EQ(queries_, 1);
}

}  // namespace
}  // namespace bp::api
