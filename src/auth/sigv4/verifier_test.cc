// Verifier cases specific to Bedrock's clients (bedrock-api-md §1.1-1.3) and
// to the rules of auth.md §1. The three client requests carry signatures
// computed independently (Python hmac/hashlib, from the spec's rules), not by
// our signer.

#include "auth/sigv4/verifier.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/sigv4/crypto.h"
#include "auth/sigv4/signer.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

using bp::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kBody[] = R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})";
constexpr char kBodySha[] = "c3335e07d6e89650bf94cb98664be69f8774dbc3198df221f113db0a59ea14f0";
constexpr char kDate[] = "20261125T102555Z";

class FixedCredentials final : public CredentialLookup {
 public:
  const Credentials* Find(std::string_view id) const override {
    for (const Credentials& c : all) {
      if (c.access_key_id == id) return &c;
    }
    return nullptr;
  }
  std::vector<Credentials> all;
};

std::chrono::system_clock::time_point At(std::string_view amz_date) {
  return ParseAmzDate(amz_date).value();
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : clock_(At(kDate)) {
    credentials_.all.push_back({"AKIDEXAMPLE", kSecret, std::nullopt});
    credentials_.all.push_back({"ASIATEMPORARY", "temporary-secret", "session-token-1"});
  }

  http::Request AwsSdkH2Request() const {
    http::Request r;
    r.version = http::Version::kHttp2;
    r.method = "POST";
    r.target =
        "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-inference-profile"
        "%2Facwt9yee9wzo/converse";
    r.headers = {
        {":authority", "127.0.0.1:8700"},
        {"content-type", "application/json"},
        {"x-amz-content-sha256", kBodySha},
        {"x-amz-date", kDate},
        {"amz-sdk-invocation-id", "0f2a6b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"},
        {"amz-sdk-request", "attempt=1; max=3"},
        {"user-agent", "aws-sdk-js/3.1164.0"},
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-central-1/bedrock/aws4_request, "
         "SignedHeaders=:authority;amz-sdk-invocation-id;content-type;x-amz-content-sha256;"
         "x-amz-date, Signature=50f39804a79016e5bf5744e69f41945ae9b62d46b27c205414e99dad73bc3614"},
    };
    r.body = kBody;
    return r;
  }

  http::Request AnthropicRequest() const {
    http::Request r;
    r.method = "POST";
    r.target =
        "/model/arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile"
        "%2Facwt9yee9wzo/invoke";
    r.headers = {
        {"host", "127.0.0.1:8700"},
        {"content-type", "application/json"},
        {"x-amz-content-sha256", kBodySha},
        {"x-amz-date", kDate},
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-central-1/bedrock/aws4_request, "
         "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, "
         "Signature=e2e17c1b69adcea08d99151279ef3da5353c70393e5fafca6e423572338e2f91"},
    };
    r.body = kBody;
    return r;
  }

  http::Request VercelRequest() const {
    http::Request r;
    r.method = "POST";
    r.target =
        "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-inference-profile"
        "%2Facwt9yee9wzo/converse-stream";
    r.headers = {
        {"host", "127.0.0.1:8700"},
        {"x-amz-date", kDate},
        {"content-type", "application/json"},
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/bedrock/aws4_request, "
         "SignedHeaders=host;x-amz-date, "
         "Signature=18924c979b743a8d671d31400fc59907f8be47e9fa33da4373c230abc0270b88"},
    };
    r.body = kBody;
    return r;
  }

  // Signs `r` (host, target, body set) with our signer for `creds`.
  http::Request SignedBy(const Credentials& creds, http::Request r,
                         std::string_view region = "eu-central-1",
                         std::string_view service = "bedrock") const {
    SigningRequest to_sign{r.method, r.path(), r.query(), r.headers, r.body, std::nullopt};
    Result<SigningResult> s = SignWithHeaders(
        creds, to_sign,
        SigningOptions{
            .region = std::string(region), .service = std::string(service), .time = At(kDate)});
    EXPECT_OK(s);
    if (s.ok())
      r.headers.insert(r.headers.end(), s->headers_to_add.begin(), s->headers_to_add.end());
    return r;
  }

  http::Request Plain() const {
    http::Request r;
    r.method = "GET";
    r.target = "/inference-profiles?maxResults=10";
    r.headers = {{"host", "localhost:8700"}};
    return r;
  }

  // The endpoint's region is eu-central-1 unless a test says otherwise.
  Verifier MakeVerifier(VerifierOptions options = {.region = "eu-central-1"}) const {
    return Verifier(std::move(options), credentials_, clock_);
  }

  FixedCredentials credentials_;
  bp::testing::FakeClock clock_;
};

TEST_F(VerifierTest, AcceptsAwsSdkOverHttp2SigningAuthorityAndEncodedArn) {
  Result<VerifiedSignature> v = MakeVerifier().Verify(AwsSdkH2Request());
  ASSERT_OK(v);
  EXPECT_EQ(v->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(v->region, "eu-central-1");
  EXPECT_EQ(v->form, AuthForm::kHeader);
}

TEST_F(VerifierTest, ExplainsTheDoubleEncodedCanonicalUri) {
  http::Request r = AwsSdkH2Request();
  r.headers.back().value.back() = '5';  // break the signature
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(),
              HasSubstr("'POST\n/model/arn%253Aaws%253Abedrock%253Aeu-central-1%253A123456789012"
                        "%253Aapplication-inference-profile%252Facwt9yee9wzo/converse\n\n"
                        ":authority:127.0.0.1:8700\n"));
}

TEST_F(VerifierTest, AcceptsAnthropicSdkRawColons) {
  EXPECT_OK(MakeVerifier().Verify(AnthropicRequest()));
}

TEST_F(VerifierTest, AnthropicPathReEncodedTheAwsWayIsADifferentRequest) {
  http::Request r = AnthropicRequest();
  r.target =
      "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-inference-profile"
      "%2Facwt9yee9wzo/invoke";
  EXPECT_THAT(MakeVerifier().Verify(r), StatusIs(ErrorCode::kInvalidSignature));
}

// The Vercel request is signed for eu-west-1: an endpoint of that region
// takes it, the eu-central-1 one refuses it as AWS would.
TEST_F(VerifierTest, AcceptsVercelWithoutContentShaHeader) {
  Result<VerifiedSignature> v = MakeVerifier({.region = "eu-west-1"}).Verify(VercelRequest());
  ASSERT_OK(v);
  EXPECT_EQ(v->region, "eu-west-1");
  Result<VerifiedSignature> elsewhere = MakeVerifier().Verify(VercelRequest());
  ASSERT_THAT(elsewhere, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(elsewhere.status().message(),
            "Credential should be scoped to a valid region, not 'eu-west-1'. ");
}

TEST_F(VerifierTest, VercelBodyIsHashedByTheServer) {
  http::Request r = VercelRequest();
  r.body.back() = ' ';
  Result<VerifiedSignature> v = MakeVerifier({.region = "eu-west-1"}).Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("does not match"));
}

TEST_F(VerifierTest, Http2WithoutAuthorityRefused) {
  http::Request r = AwsSdkH2Request();
  r.headers.erase(r.headers.begin());  // the :authority pseudo-header
  EXPECT_THAT(MakeVerifier().Verify(r), StatusIs(ErrorCode::kInvalidSignature));
}

TEST_F(VerifierTest, ContentShaMustMatchTheBody) {
  http::Request r = AwsSdkH2Request();
  r.body += " ";
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("'x-amz-content-sha256' header does not match"));
}

TEST_F(VerifierTest, UnsignedPayloadRefused) {
  http::Request r = Plain();
  r.headers.push_back({"x-amz-content-sha256", "UNSIGNED-PAYLOAD"});
  Result<VerifiedSignature> v = MakeVerifier().Verify(SignedBy(credentials_.all[0], r));
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("UNSIGNED-PAYLOAD"));
}

TEST_F(VerifierTest, MissingCredentials) {
  Result<VerifiedSignature> v = MakeVerifier().Verify(Plain());
  ASSERT_THAT(v, StatusIs(ErrorCode::kMissingAuthenticationToken));
  EXPECT_EQ(v.status().message(), "Missing Authentication Token");
}

TEST_F(VerifierTest, UnknownAccessKey) {
  http::Request r = SignedBy({"AKIDUNKNOWN", kSecret, std::nullopt}, Plain());
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kUnrecognizedClient));
  EXPECT_EQ(v.status().message(), "The security token included in the request is invalid.");
}

TEST_F(VerifierTest, WrongSecretExplainsWithoutSecrets) {
  http::Request r = SignedBy({"AKIDEXAMPLE", "not-the-secret", std::nullopt}, Plain());
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(),
              HasSubstr("The request signature we calculated does not match the signature you "
                        "provided. Check your AWS Secret Access Key and signing method. Consult "
                        "the service documentation for details.\n\nThe Canonical String for this "
                        "request should have been\n'GET\n/inference-profiles\nmaxResults=10\n"));
  EXPECT_THAT(v.status().message(), HasSubstr("\n\nThe String-to-Sign should have been\n'"));
  EXPECT_THAT(v.status().message(), Not(HasSubstr(kSecret)));
  EXPECT_THAT(v.status().message(), Not(HasSubstr("not-the-secret")));
}

TEST_F(VerifierTest, SessionTokenRequiredAndCompared) {
  Credentials temp = credentials_.all[1];
  EXPECT_OK(MakeVerifier().Verify(SignedBy(temp, Plain())));

  Credentials without = temp;
  without.session_token.reset();
  EXPECT_THAT(MakeVerifier().Verify(SignedBy(without, Plain())),
              StatusIs(ErrorCode::kUnrecognizedClient));

  Credentials wrong = temp;
  wrong.session_token = "session-token-2";
  EXPECT_THAT(MakeVerifier().Verify(SignedBy(wrong, Plain())),
              StatusIs(ErrorCode::kUnrecognizedClient));
}

TEST_F(VerifierTest, MismatchExplanationRedactsTheSessionToken) {
  Credentials wrong_secret = credentials_.all[1];
  wrong_secret.secret_access_key = "guess";
  Result<VerifiedSignature> v = MakeVerifier().Verify(SignedBy(wrong_secret, Plain()));
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("\nx-amz-security-token:<redacted>\n"));
  EXPECT_THAT(v.status().message(), Not(HasSubstr("session-token-1")));

  http::Request r = Plain();
  SigningRequest to_sign{r.method, r.path(), r.query(), r.headers, r.body, std::nullopt};
  Result<SigningResult> s =
      Presign(wrong_secret, to_sign,
              SigningOptions{.region = "eu-central-1", .service = "bedrock", .time = At(kDate)});
  ASSERT_OK(s);
  r.target = std::string(r.path()) + "?" + s->query;
  v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("&X-Amz-Security-Token=<redacted>&"));
  EXPECT_THAT(v.status().message(), Not(HasSubstr("session-token-1")));
}

TEST_F(VerifierTest, SessionTokenRefusedForLongTermKeys) {
  Credentials with_token = credentials_.all[0];
  with_token.session_token = "unexpected";
  EXPECT_THAT(MakeVerifier().Verify(SignedBy(with_token, Plain())),
              StatusIs(ErrorCode::kUnrecognizedClient));
}

// AWS's wire texts (docs/auth.md): each scope sentence ends in ". ".
TEST_F(VerifierTest, ScopeServiceMustBeBedrock) {
  Result<VerifiedSignature> v = MakeVerifier().Verify(
      SignedBy(credentials_.all[0], Plain(), "eu-central-1", "bedrock-runtime"));
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(), "Credential should be scoped to correct service: 'bedrock'. ");
}

TEST_F(VerifierTest, ScopeRegionMustBeTheEndpoints) {
  Result<VerifiedSignature> v =
      MakeVerifier().Verify(SignedBy(credentials_.all[0], Plain(), "us-east-1"));
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'. ");
  // Checked before the access key, as AWS does: an unknown key learns the
  // same thing.
  Result<VerifiedSignature> unknown =
      MakeVerifier().Verify(SignedBy({"AKIDUNKNOWN", kSecret, std::nullopt}, Plain(), "us-east-1"));
  EXPECT_EQ(unknown.status().message(), v.status().message());
}

TEST_F(VerifierTest, EveryScopeMismatchIsNamedInAWSsOrder) {
  http::Request r = SignedBy(credentials_.all[0], Plain(), "us-east-1", "s3");
  for (http::Header& h : r.headers) {
    if (h.name == "authorization") h.value.replace(h.value.find("/20261125/"), 10, "/20261124/");
  }
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be "
            "scoped to correct service: 'bedrock'. Date in Credential scope does not match "
            "YYYYMMDD from ISO-8601 version of date from HTTP: '20261124' != '20261125', from "
            "'20261125T102555Z'.");
}

TEST_F(VerifierTest, PresignedScopeRegionMustBeTheEndpoints) {
  http::Request r = Plain();
  SigningRequest to_sign{r.method, r.path(), r.query(), r.headers, r.body, std::nullopt};
  Result<SigningResult> s =
      Presign(credentials_.all[0], to_sign,
              SigningOptions{.region = "us-east-1", .service = "bedrock", .time = At(kDate)});
  ASSERT_OK(s);
  r.target = std::string(r.path()) + "?" + s->query;
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'. ");
}

// A Host naming AWS's endpoint of a region (a client aimed at AWS whose
// traffic lands here) must be signed for that region, not the configured one.
TEST_F(VerifierTest, ABedrockHostNameIsSignedForItsRegion) {
  for (std::string host :
       {"bedrock-runtime.eu-west-3.amazonaws.com", "bedrock.eu-west-3.amazonaws.com:443",
        "BEDROCK.EU-WEST-3.AMAZONAWS.COM"}) {
    http::Request r = Plain();
    r.headers = {{"host", host}};
    Result<VerifiedSignature> v =
        MakeVerifier().Verify(SignedBy(credentials_.all[0], r, "eu-west-3"));
    ASSERT_OK(v) << host;
    EXPECT_EQ(v->region, "eu-west-3");
    EXPECT_THAT(MakeVerifier().Verify(SignedBy(credentials_.all[0], r, "eu-central-1")),
                StatusIs(ErrorCode::kInvalidSignature))
        << host;
  }
}

TEST_F(VerifierTest, NoConfiguredRegionRefusesEveryScope) {
  Result<VerifiedSignature> v =
      MakeVerifier(VerifierOptions{}).Verify(SignedBy(credentials_.all[0], Plain()));
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(),
            "Credential should be scoped to a valid region, not 'eu-central-1'. ");
}

TEST_F(VerifierTest, ScopeDateMustMatchAmzDate) {
  http::Request r = SignedBy(credentials_.all[0], Plain());
  for (http::Header& h : r.headers) {
    if (h.name == "authorization") {
      size_t at = h.value.find("/20261125/");
      h.value.replace(at, 10, "/20261124/");
    }
  }
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("'20261124' != '20261125'"));
}

TEST_F(VerifierTest, HeaderAndQueryAuthTogetherRefused) {
  http::Request r = SignedBy(credentials_.all[0], Plain());
  r.target += "&X-Amz-Algorithm=AWS4-HMAC-SHA256";
  EXPECT_THAT(MakeVerifier().Verify(r), StatusIs(ErrorCode::kIncompleteSignature));
}

TEST_F(VerifierTest, TwoAuthorizationHeadersRefused) {
  http::Request r = SignedBy(credentials_.all[0], Plain());
  r.headers.push_back(r.headers.back());
  EXPECT_THAT(MakeVerifier().Verify(r), StatusIs(ErrorCode::kIncompleteSignature));
}

TEST_F(VerifierTest, MalformedQueryRefused) {
  http::Request r = SignedBy(credentials_.all[0], Plain());
  r.target = "/inference-profiles?maxResults=%zz";
  EXPECT_THAT(MakeVerifier().Verify(r), StatusIs(ErrorCode::kIncompleteSignature));
}

TEST_F(VerifierTest, PresignedFormWithQueryParameters) {
  http::Request r = Plain();
  r.target = "/inference-profiles?nextToken=abc%2F%2B%3D%20x&maxResults=10";
  SigningRequest to_sign{r.method, r.path(), r.query(), r.headers, r.body, std::nullopt};
  Result<SigningResult> s =
      Presign(credentials_.all[0], to_sign,
              SigningOptions{.region = "eu-central-1", .service = "bedrock", .time = At(kDate)});
  ASSERT_OK(s);
  r.target = std::string(r.path()) + "?" + s->query;
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_OK(v);
  EXPECT_EQ(v->form, AuthForm::kQuery);
  clock_.Advance(std::chrono::seconds(901));
  EXPECT_THAT(MakeVerifier().Verify(r), StatusIs(ErrorCode::kInvalidSignature));
}

TEST_F(VerifierTest, PresignedExpiryBeyondAWeekIsMalformed) {
  http::Request r = Plain();
  r.target =
      "/inference-profiles?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE"
      "%2F20261125%2Feu-central-1%2Fbedrock%2Faws4_request&X-Amz-Date=20261125T102555Z"
      "&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=00";
  Result<VerifiedSignature> v = MakeVerifier().Verify(r);
  ASSERT_THAT(v, StatusIs(ErrorCode::kIncompleteSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("604800"));
}

TEST_F(VerifierTest, CacheHitGivesTheSameAnswer) {
  Verifier verifier = MakeVerifier();
  http::Request r = AwsSdkH2Request();
  Result<VerifiedSignature> first = verifier.Verify(r);
  ASSERT_OK(first);
  EXPECT_EQ(verifier.cache_stats().misses, 1u);
  EXPECT_EQ(verifier.cache_stats().size, 1u);
  Result<VerifiedSignature> second = verifier.Verify(r);
  ASSERT_OK(second);
  EXPECT_EQ(verifier.cache_stats().hits, 1u);
  EXPECT_EQ(second->access_key_id, first->access_key_id);
  EXPECT_EQ(second->region, first->region);
  EXPECT_EQ(second->form, first->form);

  // A cached key still refuses a bad signature, with the same explanation.
  http::Request bad = r;
  bad.headers.back().value.back() = '5';
  Result<VerifiedSignature> cached_bad = verifier.Verify(bad);
  Result<VerifiedSignature> fresh_bad = MakeVerifier().Verify(bad);
  ASSERT_THAT(cached_bad, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(cached_bad.status().message(), fresh_bad.status().message());
}

TEST_F(VerifierTest, FailedVerificationsAreNotCached) {
  Verifier verifier = MakeVerifier();
  http::Request r = SignedBy({"AKIDEXAMPLE", "not-the-secret", std::nullopt}, Plain());
  EXPECT_FALSE(verifier.Verify(r).ok());
  EXPECT_FALSE(verifier.Verify(r).ok());
  EXPECT_EQ(verifier.cache_stats().size, 0u);
  EXPECT_EQ(verifier.cache_stats().hits, 0u);
}

TEST_F(VerifierTest, ConcurrentVerificationsAgree) {
  Verifier verifier = MakeVerifier();
  http::Request good = AwsSdkH2Request();
  http::Request bad = good;
  bad.body += " ";
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!verifier.Verify(good).ok()) ++wrong;
        if (verifier.Verify(bad).ok()) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(verifier.cache_stats().size, 1u);
}

TEST_F(VerifierTest, CacheIsBounded) {
  Verifier verifier =
      MakeVerifier(VerifierOptions{.region = "eu-central-1", .signing_key_cache_capacity = 2});
  // One signing key per region: each request goes to AWS's host name of its
  // region, so that each is the endpoint's region.
  for (std::string region : {"eu-central-1", "eu-west-1", "eu-west-3", "us-east-1"}) {
    http::Request r = Plain();
    r.headers = {{"host", "bedrock." + region + ".amazonaws.com"}};
    EXPECT_OK(verifier.Verify(SignedBy(credentials_.all[0], r, region)));
  }
  EXPECT_LE(verifier.cache_stats().size, 2u);
}

}  // namespace
}  // namespace bp::auth::sigv4
