#include "api/router.h"

#include <stdexcept>

#include "api/errors.h"
#include "api/fake_response_stream.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::api {
namespace {

using ::bp::api::testing::FakeResponseStream;
using ::bp::api::testing::MakeRequest;
using ::testing::HasSubstr;
using ::testing::Not;

// Accepts every request as "alice", or refuses every one with `refusal`.
class FakeAuthenticator final : public auth::Authenticator {
 public:
  Result<auth::Principal> Authenticate(const http::Request& /*request*/) const override {
    ++calls;
    if (!refusal.ok()) return refusal;
    return auth::Principal{"alice", "arn:aws:iam::123456789012:user/alice", "AKIDALICE"};
  }
  Status refusal;
  mutable int calls = 0;
};

std::string Message(const http::Response& response) {
  auto doc = json::Parse(response.body);
  if (!doc.ok() || !doc->is_object()) return "<not a JSON object: " + response.body + ">";
  const json::Value* m = doc->get_object().if_contains("message");
  return m != nullptr && m->is_string() ? std::string(m->get_string()) : "<no message>";
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : handler_(auth_, clock_) {
    EXPECT_OK(handler_.Register("GET", "/inference-profiles/{inferenceProfileIdentifier}",
                                "GetInferenceProfile", [this](const ApiCall& call) {
                                  seen_params_ = call.params;
                                  seen_principal_ = call.principal.name;
                                  seen_operation_ = std::string(call.operation);
                                  return Result(JsonResponse(200, json::Object{{"ok", true}}));
                                }));
    EXPECT_OK(handler_.Register("DELETE", "/inference-profiles/{inferenceProfileIdentifier}",
                                "DeleteInferenceProfile",
                                [](const ApiCall&) { return Result(JsonResponse(200, {})); }));
    EXPECT_OK(handler_.Register(
        "POST", "/model/{modelId}/converse", "Converse",
        [this](const ApiCall& call) {
          seen_params_ = call.params;
          return Result(JsonResponse(200, json::Object{}));
        },
        RouteOptions{.max_body_bytes = 16}));
  }

  FakeResponseStream& Send(http::Request request) {
    auto stream = std::make_shared<FakeResponseStream>();
    streams_.push_back(stream);
    handler_.Handle(std::move(request), stream);
    return *stream;
  }

  FakeAuthenticator auth_;
  bp::testing::FakeClock clock_;
  ApiHandler handler_;
  std::vector<std::shared_ptr<FakeResponseStream>> streams_;
  std::vector<std::string> seen_params_;
  std::string seen_principal_;
  std::string seen_operation_;
};

constexpr char kArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";

TEST_F(RouterTest, DecodesEachSegmentOfTheRawPathWhateverTheClientEncoding) {
  const char* targets[] = {
      // AWS SDKs and the Vercel SDK: everything outside the unreserved set.
      "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-inference-profile"
      "%2Facwt9yee9wzo/converse",
      // The Anthropic SDK: ':' raw, only '/' encoded.
      "/model/"
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile%2Facwt9yee9wzo"
      "/converse",
      // Lower-case hex escapes are just as valid.
      "/model/arn%3aaws%3abedrock%3aeu-central-1%3a123456789012%3aapplication-inference-profile"
      "%2facwt9yee9wzo/converse?x=1",
  };
  for (const char* target : targets) {
    seen_params_.clear();
    FakeResponseStream& s = Send(MakeRequest("POST", target, "{}"));
    EXPECT_EQ(s.response.status, 200u) << target << ": " << s.response.body;
    ASSERT_EQ(seen_params_.size(), 1u) << target;
    EXPECT_EQ(seen_params_[0], kArn) << target;
  }
}

TEST_F(RouterTest, AnUnencodedSlashSplitsTheArnAndMatchesNothing) {
  FakeResponseStream& s = Send(
      MakeRequest("POST",
                  "/model/arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/"
                  "acwt9yee9wzo/converse"));
  EXPECT_EQ(s.response.status, 404u);
  EXPECT_EQ(s.Header("x-amzn-errortype"), "UnknownOperationException");
}

TEST_F(RouterTest, PassesPrincipalAndOperation) {
  FakeResponseStream& s = Send(MakeRequest("GET", "/inference-profiles/acwt9yee9wzo"));
  EXPECT_EQ(s.response.status, 200u);
  EXPECT_EQ(s.answers, 1);
  EXPECT_EQ(seen_principal_, "alice");
  EXPECT_EQ(seen_operation_, "GetInferenceProfile");
  EXPECT_EQ(seen_params_, std::vector<std::string>{"acwt9yee9wzo"});
}

TEST_F(RouterTest, UnknownPathIs404NamingMethodAndPath) {
  FakeResponseStream& s = Send(MakeRequest("GET", "/no/such/thing?a=b"));
  EXPECT_EQ(s.response.status, 404u);
  EXPECT_EQ(s.Header("x-amzn-errortype"), "UnknownOperationException");
  EXPECT_EQ(s.Header("content-type"), "application/json");
  EXPECT_THAT(Message(s.response), HasSubstr("GET /no/such/thing"));
  // An empty capture does not match: "/inference-profiles/" is not Get.
  EXPECT_EQ(Send(MakeRequest("GET", "/inference-profiles/")).response.status, 404u);
  EXPECT_EQ(Send(MakeRequest("GET", "/")).response.status, 404u);
}

TEST_F(RouterTest, WrongMethodOnAKnownPathIs405WithAllow) {
  FakeResponseStream& s = Send(MakeRequest("PUT", "/inference-profiles/abc"));
  EXPECT_EQ(s.response.status, 405u);
  EXPECT_EQ(s.Header("x-amzn-errortype"), "UnknownOperationException");
  EXPECT_EQ(s.Header("allow"), "GET, DELETE");
  EXPECT_THAT(Message(s.response), HasSubstr("PUT"));
}

TEST_F(RouterTest, BadPercentEscapeIs400) {
  FakeResponseStream& s = Send(MakeRequest("GET", "/inference-profiles/ab%zz"));
  EXPECT_EQ(s.response.status, 400u);
  EXPECT_EQ(s.Header("x-amzn-errortype"), "ValidationException");
  EXPECT_THAT(Message(s.response), HasSubstr("percent-escape"));
}

TEST_F(RouterTest, OversizeBodyIs413ValidationException) {
  FakeResponseStream& s = Send(MakeRequest("POST", "/model/m/converse", std::string(17, 'x')));
  EXPECT_EQ(s.response.status, 413u);
  EXPECT_EQ(s.Header("x-amzn-errortype"), "ValidationException");
  EXPECT_THAT(Message(s.response), HasSubstr("17 bytes"));
  EXPECT_TRUE(seen_params_.empty());  // the operation never ran
}

TEST_F(RouterTest, AuthenticationFailureComesBeforeRouting) {
  auth_.refusal = Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  for (const char* target : {"/inference-profiles/abc", "/no/such/route", "/x%zz"}) {
    FakeResponseStream& s = Send(MakeRequest("GET", target));
    EXPECT_EQ(s.response.status, 403u) << target;
    EXPECT_EQ(s.Header("x-amzn-errortype"), "MissingAuthenticationTokenException") << target;
    EXPECT_EQ(Message(s.response), "Missing Authentication Token");
  }
  EXPECT_TRUE(seen_params_.empty());
  auth_.refusal = Status(ErrorCode::kInvalidSignature, "The request signature we calculated...");
  FakeResponseStream& bad = Send(MakeRequest("GET", "/inference-profiles/abc"));
  EXPECT_EQ(bad.response.status, 403u);
  EXPECT_EQ(bad.Header("x-amzn-errortype"), "InvalidSignatureException");
}

TEST_F(RouterTest, HealthAndReadinessNeedNoAuthentication) {
  auth_.refusal = Status(ErrorCode::kMissingAuthenticationToken, "no");
  FakeResponseStream& health = Send(MakeRequest("GET", "/healthz"));
  EXPECT_EQ(health.response.status, 200u);
  EXPECT_EQ(health.Header("content-type"), "application/json");
  EXPECT_EQ(Send(MakeRequest("GET", "/readyz?probe=1")).response.status, 200u);
  EXPECT_EQ(auth_.calls, 0);
  // Another method on a public path is an ordinary, authenticated request.
  EXPECT_EQ(Send(MakeRequest("POST", "/healthz")).response.status, 403u);
}

TEST(RouterReadinessTest, NotReadyIs503WithoutTheReason) {
  FakeAuthenticator auth;
  bp::testing::FakeClock clock;
  ApiHandler handler(auth, clock, ApiHandlerOptions{.readiness = [] {
                       return IoError("cannot open /var/secret/state.db");
                     }});
  auto stream = std::make_shared<FakeResponseStream>();
  handler.Handle(MakeRequest("GET", "/readyz"), stream);
  EXPECT_EQ(stream->response.status, 503u);
  EXPECT_EQ(stream->Header("x-amzn-errortype"), "ServiceUnavailableException");
  EXPECT_THAT(stream->response.body, Not(HasSubstr("/var/secret")));
}

TEST(RouterReadinessTest, ReadyAnswersCarryTheDetailsWhenGiven) {
  FakeAuthenticator auth;
  bp::testing::FakeClock clock;
  int calls = 0;
  ApiHandler handler(auth, clock, ApiHandlerOptions{.ready_details = [&calls] {
                       ++calls;
                       json::Object details;
                       details["config_drift"] = json::Object{{"profiles", 2}};
                       return details;
                     }});
  auto stream = std::make_shared<FakeResponseStream>();
  handler.Handle(MakeRequest("GET", "/readyz"), stream);
  EXPECT_EQ(stream->response.status, 200u);
  EXPECT_EQ(stream->response.body,
            R"({"status":"ready","details":{"config_drift":{"profiles":2}}})");
  EXPECT_EQ(calls, 1);
  // Not asked for on other routes.
  auto health = std::make_shared<FakeResponseStream>();
  handler.Handle(MakeRequest("GET", "/healthz"), health);
  EXPECT_EQ(calls, 1);
}

TEST_F(RouterTest, CatchAllTurnsExceptionsInto500WithoutDetail) {
  ASSERT_OK(
      handler_.Register("POST", "/boom", "Boom", [](const ApiCall&) -> Result<http::Response> {
        throw std::runtime_error("SELECT * FROM secrets at /var/lib/db");
      }));
  ASSERT_OK(handler_.Register("POST", "/boom2", "Boom2",
                              [](const ApiCall&) -> Result<http::Response> { throw 42; }));
  for (const char* target : {"/boom", "/boom2"}) {
    FakeResponseStream& s = Send(MakeRequest("POST", target));
    EXPECT_EQ(s.response.status, 500u);
    EXPECT_EQ(s.answers, 1);
    EXPECT_EQ(s.Header("x-amzn-errortype"), "InternalServerException");
    EXPECT_THAT(s.response.body, Not(HasSubstr("SELECT")));
    EXPECT_THAT(Message(s.response), HasSubstr("req-1"));
  }
}

TEST_F(RouterTest, FailedResultBecomesTheErrorShape) {
  ASSERT_OK(handler_.Register("POST", "/io", "Io", [](const ApiCall&) -> Result<http::Response> {
    return IoError("sqlite: disk I/O error in /home/u/.bedrock-profiles/state.db");
  }));
  ASSERT_OK(handler_.Register("POST", "/nf", "Nf", [](const ApiCall&) -> Result<http::Response> {
    return NotFoundError("Inference profile x not found");
  }));
  FakeResponseStream& io = Send(MakeRequest("POST", "/io"));
  EXPECT_EQ(io.response.status, 500u);
  EXPECT_THAT(io.response.body, Not(HasSubstr("state.db")));
  FakeResponseStream& nf = Send(MakeRequest("POST", "/nf"));
  EXPECT_EQ(nf.response.status, 404u);
  EXPECT_EQ(nf.Header("x-amzn-errortype"), "ResourceNotFoundException");
  EXPECT_EQ(Message(nf.response), "Inference profile x not found");
}

TEST_F(RouterTest, AsyncOperationOwnsTheCallAndAnswersLater) {
  std::function<void()> later;
  ASSERT_OK(handler_.RegisterAsync(
      "POST", "/model/{modelId}/converse-stream", "ConverseStream",
      [&later](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
        auto owned = std::make_shared<ApiCall>(std::move(call));
        later = [owned, stream] {
          stream->StartStream(200, {{"content-type", "application/vnd.amazon.eventstream"}});
          stream->Write(owned->params[0] + ":" + owned->request.body);
          stream->Finish();
        };
      }));
  FakeResponseStream& s = Send(MakeRequest("POST", "/model/m%2F1/converse-stream", "hi"));
  EXPECT_EQ(s.answers, 0);
  ASSERT_TRUE(later);
  later();
  EXPECT_EQ(s.answers, 1);
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.response.status, 200u);
  EXPECT_EQ(s.response.body, "m/1:hi");
}

TEST_F(RouterTest, TheKeepAliveIsHeldUntilHandleReturnsAndHandedToAsyncOperations) {
  std::shared_ptr<const void> kept;
  ASSERT_OK(
      handler_.RegisterAsync("POST", "/model/{modelId}/converse-stream", "ConverseStream",
                             [&kept](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
                               kept = std::move(call.keep_alive);
                               stream->Respond(JsonResponse(200, {}));
                             }));
  std::weak_ptr<const void> watched;
  bool alive_in_sync_route = false;
  ASSERT_OK(handler_.Register("GET", "/sync", "Sync", [&](const ApiCall& call) {
    alive_in_sync_route = !watched.expired() && call.keep_alive == nullptr;
    return Result(JsonResponse(200, {}));
  }));

  auto snapshot = std::make_shared<const int>(1);
  watched = snapshot;
  handler_.Handle(MakeRequest("GET", "/sync"), std::make_shared<FakeResponseStream>(),
                  std::move(snapshot));
  EXPECT_TRUE(alive_in_sync_route);  // held by Handle() itself, no copy for a sync route
  EXPECT_TRUE(watched.expired());    // and released when it returns

  snapshot = std::make_shared<const int>(2);
  watched = snapshot;
  handler_.Handle(MakeRequest("POST", "/model/m/converse-stream"),
                  std::make_shared<FakeResponseStream>(), std::move(snapshot));
  ASSERT_NE(kept, nullptr);  // the async operation has its own reference
  EXPECT_FALSE(watched.expired());
  kept.reset();
  EXPECT_TRUE(watched.expired());
}

TEST_F(RouterTest, AsyncOperationThatThrowsBeforeAnsweringGets500) {
  ASSERT_OK(handler_.RegisterAsync(
      "POST", "/a", "A",
      [](ApiCall&&, std::shared_ptr<http::ResponseStream>) { throw std::logic_error("bug"); }));
  ASSERT_OK(handler_.RegisterAsync("POST", "/b", "B",
                                   [](ApiCall&&, std::shared_ptr<http::ResponseStream> stream) {
                                     stream->Respond(JsonResponse(202, {}));
                                     throw std::logic_error("bug after answering");
                                   }));
  FakeResponseStream& a = Send(MakeRequest("POST", "/a"));
  EXPECT_EQ(a.answers, 1);
  EXPECT_EQ(a.response.status, 500u);
  FakeResponseStream& b = Send(MakeRequest("POST", "/b"));
  EXPECT_EQ(b.answers, 1);
  EXPECT_EQ(b.response.status, 202u);
}

TEST_F(RouterTest, RegistrationRejectsBadOrDuplicateRoutes) {
  SyncOperation op = [](const ApiCall&) { return Result(JsonResponse(200, {})); };
  EXPECT_THAT(handler_.Register("GET", "/inference-profiles/{other}", "Dup", op),
              bp::testing::StatusIs(ErrorCode::kInternal));
  EXPECT_THAT(handler_.Register("GET", "no-slash", "X", op),
              bp::testing::StatusIs(ErrorCode::kInternal));
  EXPECT_THAT(handler_.Register("GET", "/a//b", "X", op),
              bp::testing::StatusIs(ErrorCode::kInternal));
  EXPECT_THAT(handler_.Register("GET", "/a/{bad-name}", "X", op),
              bp::testing::StatusIs(ErrorCode::kInternal));
  EXPECT_THAT(
      handler_.Register("GET", "/metrics/{x}", "X", op, RouteOptions{.authenticate = false}),
      bp::testing::StatusIs(ErrorCode::kInternal));
  EXPECT_OK(handler_.Register("POST", "/inference-profiles/{id}", "Other", op));
}

TEST_F(RouterTest, ServerRefusalsUseTheSameShape) {
  http::Response r = handler_.ErrorResponse(
      Status(ErrorCode::kPayloadTooLarge, "request body exceeds 33554432 bytes"), "rid");
  EXPECT_EQ(r.status, 413u);
  EXPECT_EQ(http::FindHeader(r.headers, "x-amzn-errortype") != nullptr, true);
  EXPECT_EQ(Message(r), "request body exceeds 33554432 bytes");
}

TEST(RawTargetTest, SplitsPathAndQuery) {
  http::Request request;
  request.target = "/a%3Ab/c?x=1&y";
  EXPECT_EQ(request.path(), "/a%3Ab/c");
  EXPECT_EQ(request.query(), "x=1&y");
  request.target = "/a?";
  EXPECT_EQ(request.path(), "/a");
  EXPECT_EQ(request.query(), "");
}

}  // namespace
}  // namespace bp::api

namespace bp::api {
namespace {

// A route with its own authenticator (the dashboard's session cookie) is
// found by its raw path and authenticated by that one only; its body limit
// still holds.
TEST(RouterOwnAuthenticatorTest, AuthenticatesWithTheRoutesOwnAuthenticator) {
  FakeAuthenticator api;
  api.refusal = Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  FakeAuthenticator session;
  bp::testing::FakeClock clock;
  ApiHandler handler(api, clock);
  std::string seen;
  ASSERT_OK(handler.Register(
      "POST", "/ui/api/thing", "Thing",
      [&seen](const ApiCall& call) {
        seen = call.principal.name;
        return Result(JsonResponse(200, json::Object{}));
      },
      RouteOptions{.max_body_bytes = 4, .authenticate = true, .authenticator = &session}));
  ASSERT_OK(handler.Register(
      "GET", "/ui/", "Page", [](const ApiCall&) { return Result(JsonResponse(200, {})); },
      RouteOptions{.max_body_bytes = 0, .authenticate = false}));
  auto send = [&handler](http::Request r) {
    auto stream = std::make_shared<FakeResponseStream>();
    handler.Handle(std::move(r), stream);
    return stream->response;
  };
  EXPECT_EQ(send(MakeRequest("POST", "/ui/api/thing?x=1", "{}")).status, 200u);
  EXPECT_EQ(seen, "alice");
  EXPECT_EQ(session.calls, 1);
  EXPECT_EQ(api.calls, 0);
  EXPECT_EQ(send(MakeRequest("POST", "/ui/api/thing", "12345")).status, 413u);
  EXPECT_EQ(send(MakeRequest("GET", "/ui/")).status, 200u);  // a trailing-slash public path
  session.refusal = Status(ErrorCode::kAccessDenied, "no");
  EXPECT_EQ(send(MakeRequest("POST", "/ui/api/thing", "{}")).status, 403u);
  // Another method on that path is not the route: the API's own authentication answers.
  EXPECT_EQ(send(MakeRequest("GET", "/ui/api/thing")).status, 403u);
  EXPECT_EQ(api.calls, 1);
  // A route with its own authenticator takes no capture.
  EXPECT_FALSE(handler
                   .Register(
                       "GET", "/ui/{x}", "Bad",
                       [](const ApiCall&) { return Result(JsonResponse(200, {})); },
                       RouteOptions{.authenticator = &session})
                   .ok());
}

}  // namespace
}  // namespace bp::api
