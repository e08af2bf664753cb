#include "api/metrics_route.h"

#include "api/fake_response_stream.h"
#include "metering/metrics.h"
#include "testing/testing.h"

namespace bp::api {
namespace {

using ::bp::api::testing::FakeResponseStream;
using ::bp::api::testing::MakeRequest;
using ::testing::HasSubstr;

// Accepts a request signed "alice" (authorization "AWS4-HMAC-SHA256 alice"),
// refuses any other as MissingAuthenticationToken.
class FakeAuthenticator final : public auth::Authenticator {
 public:
  Result<auth::Principal> Authenticate(const http::Request& request) const override {
    const std::string* a = http::FindHeader(request.headers, "authorization");
    if (a != nullptr && *a == "AWS4-HMAC-SHA256 alice") {
      return auth::Principal{"alice", "arn:aws:iam::123456789012:user/alice", "AKIDALICE"};
    }
    return Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  }
};

// Allows `action` only.
class OneActionAuthorizer final : public auth::Authorizer {
 public:
  Status Authorize(const auth::Principal&, const auth::RequestFacts&,
                   const auth::AuthorizationRequest& q) const override {
    asked = std::string(q.action) + " " + std::string(q.resource);
    if (allow) return Status::Ok();
    return Status(ErrorCode::kAccessDenied, "not authorized to perform: " + std::string(q.action));
  }
  bool allow = true;
  mutable std::string asked;
};

class MetricsRouteTest : public ::testing::Test {
 protected:
  MetricsAccess Access(bool loopback_listener, std::string token = "") {
    return MetricsAccess{.loopback_listener = loopback_listener,
                         .bearer_token = std::move(token),
                         .authenticator = authenticator_,
                         .authorizer = authorizer_};
  }
  static http::Request From(std::string peer, std::string authorization = "") {
    http::Request r = MakeRequest("GET", "/metrics");
    r.remote_address = std::move(peer);
    if (!authorization.empty()) r.headers.push_back({"authorization", authorization});
    return r;
  }
  Status Decide(const http::Request& r, const MetricsAccess& access) {
    return AuthorizeMetricsRequest(r, auth::RequestFacts{.source_ip = r.remote_address}, access);
  }

  FakeAuthenticator authenticator_;
  OneActionAuthorizer authorizer_;
};

TEST(MetricsErrorCodesTest, AreTheWireErrorTypes) {
  std::vector<std::string> codes = MetricsErrorCodes();
  EXPECT_THAT(codes, ::testing::Contains("ThrottlingException"));
  EXPECT_THAT(codes, ::testing::Contains("ValidationException"));
  EXPECT_THAT(codes, ::testing::Contains("InternalServerException"));
  EXPECT_THAT(codes, ::testing::Contains("ServiceUnavailableException"));
  EXPECT_THAT(codes, ::testing::Not(::testing::Contains("")));
}

TEST_F(MetricsRouteTest, LoopbackPeers) {
  EXPECT_TRUE(IsLoopbackPeer("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackPeer("127.255.0.9"));
  EXPECT_TRUE(IsLoopbackPeer("::1"));
  EXPECT_TRUE(IsLoopbackPeer("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopbackPeer("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackPeer("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackPeer("::ffff:10.0.0.1"));
  EXPECT_FALSE(IsLoopbackPeer("::2"));
  EXPECT_FALSE(IsLoopbackPeer("localhost"));  // the peer is an address, never a name
  EXPECT_FALSE(IsLoopbackPeer(""));
}

TEST_F(MetricsRouteTest, LoopbackListenerAndPeerNeedNoSignature) {
  EXPECT_OK(Decide(From("127.0.0.1"), Access(true)));
  EXPECT_OK(Decide(From("::1"), Access(true)));
  EXPECT_EQ(authorizer_.asked, "");  // IAM was not asked
}

TEST_F(MetricsRouteTest, ANonLoopbackListenerDoesNotTrustLocalPeers) {
  Status s = Decide(From("127.0.0.1"), Access(false));
  EXPECT_EQ(s.code(), ErrorCode::kMissingAuthenticationToken);
}

TEST_F(MetricsRouteTest, RemotePeerWithoutCredentialsIsRefused) {
  EXPECT_EQ(Decide(From("10.1.2.3"), Access(true)).code(), ErrorCode::kMissingAuthenticationToken);
  EXPECT_EQ(Decide(From("10.1.2.3"), Access(true, "s3cret-token-0123456789")).code(),
            ErrorCode::kMissingAuthenticationToken);
}

TEST_F(MetricsRouteTest, BearerTokenMustMatchExactly) {
  MetricsAccess access = Access(false, "s3cret-token-0123456789");
  EXPECT_OK(Decide(From("10.1.2.3", "Bearer s3cret-token-0123456789"), access));
  EXPECT_FALSE(Decide(From("10.1.2.3", "Bearer s3cret-token-012345678"), access).ok());
  EXPECT_FALSE(Decide(From("10.1.2.3", "Bearer s3cret-token-01234567890"), access).ok());
  EXPECT_FALSE(Decide(From("10.1.2.3", "bearer s3cret-token-0123456789"), access).ok());
  // No token configured: a Bearer goes to the authenticator (Bedrock API keys).
  EXPECT_EQ(Decide(From("10.1.2.3", "Bearer "), Access(false)).code(),
            ErrorCode::kMissingAuthenticationToken);
}

TEST_F(MetricsRouteTest, SignedPrincipalNeedsTheIamAction) {
  http::Request signed_request = From("10.1.2.3", "AWS4-HMAC-SHA256 alice");
  EXPECT_OK(Decide(signed_request, Access(false)));
  EXPECT_EQ(authorizer_.asked, "bedrock-profiles:GetMetrics *");
  authorizer_.allow = false;
  EXPECT_EQ(Decide(signed_request, Access(false)).code(), ErrorCode::kAccessDenied);
}

TEST_F(MetricsRouteTest, RouteServesTheExpositionOrTheRefusal) {
  bp::testing::FakeClock clock;
  ApiHandler handler(authenticator_, clock);
  metering::Metrics metrics;
  ASSERT_OK(RegisterMetricsRoute(
      handler, [&metrics] { return metrics.RenderText(); }, Access(true)));
  metering::UsageRecord r;
  r.status = 200;
  metrics.Record(r);

  auto local = std::make_shared<FakeResponseStream>();
  handler.Handle(From("127.0.0.1"), local);
  ASSERT_EQ(local->answers, 1);
  EXPECT_EQ(local->response.status, 200u);
  EXPECT_EQ(local->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(local->response.body, HasSubstr("bedrock_profiles_requests_total{"));

  auto remote = std::make_shared<FakeResponseStream>();
  handler.Handle(From("192.0.2.7"), remote);
  ASSERT_EQ(remote->answers, 1);
  EXPECT_EQ(remote->response.status, 403u);
  EXPECT_THAT(remote->response.body, HasSubstr("Missing Authentication Token"));
}

}  // namespace
}  // namespace bp::api
