// Golden runner over the short-term Bedrock API key cases
// (tests/testdata/bedrock-api-key/*.json, see its README.md):
// each token goes through SigV4Authenticator as "Authorization: Bearer
// <token>" with the case's credentials and clock, and must give its `expect`:
//   valid         -> the principal, and the scope region of the case
//   expired       -> InvalidSignatureException, "expired"
//   bad_signature -> InvalidSignatureException, a mismatch that does not
//                    echo the canonical request (the token is a bearer secret)
//   malformed     -> IncompleteSignatureException

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "auth/sigv4/api_key.h"
#include "auth/sigv4/canonical_request.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "core/uri.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

namespace fs = std::filesystem;
using bp::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path CaseDir() { return bp::testing::TestDataDir() / "bedrock-api-key"; }

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const fs::path& file : bp::testing::ListCaseFiles(CaseDir(), ".json")) {
    names.push_back(file.stem().string());
  }
  return names;
}

struct ApiKeyCase {
  std::string token;
  Credentials credentials;
  std::chrono::system_clock::time_point now;
  std::string region;
  std::string decoded;
  std::string expect;
};

std::chrono::system_clock::time_point ParseRfc3339Seconds(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '-' || c == ':'; }),
             text.end());
  std::optional<std::chrono::system_clock::time_point> t = ParseAmzDate(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(std::chrono::system_clock::time_point());
}

ApiKeyCase LoadCase(const std::string& name) {
  ApiKeyCase c;
  Result<json::Value> doc = json::Parse(bp::testing::ReadFileOrDie(CaseDir() / (name + ".json")));
  EXPECT_OK(doc);
  if (!doc.ok()) return c;
  const json::Object& o = doc->as_object();
  c.token = o.at("token").as_string();
  const json::Object& creds = o.at("credentials").as_object();
  c.credentials.access_key_id = creds.at("accessKeyId").as_string();
  c.credentials.secret_access_key = creds.at("secretAccessKey").as_string();
  if (creds.contains("sessionToken"))
    c.credentials.session_token = creds.at("sessionToken").as_string();
  c.now = ParseRfc3339Seconds(std::string(o.at("now").as_string()));
  c.region = o.at("region").as_string();
  c.decoded = o.at("decoded").as_string();
  c.expect = o.at("expect").as_string();
  return c;
}

class BedrockApiKeyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { case_ = LoadCase(GetParam()); }

  CredentialSet Set() const {
    return {CredentialEntry{.principal_name = "golden",
                            .principal_arn = "arn:aws:iam::123456789012:user/golden",
                            .access_key_id = case_.credentials.access_key_id,
                            .secret_access_key = case_.credentials.secret_access_key,
                            .session_token = case_.credentials.session_token,
                            .api_key_sha256 = {}}};
  }

  http::Request BearerRequest() const {
    http::Request request;
    request.method = "POST";
    request.target = "/model/x/converse";
    request.headers = {{"host", "127.0.0.1:8700"}, {"authorization", "Bearer " + case_.token}};
    return request;
  }

  ApiKeyCase case_;
};

TEST_P(BedrockApiKeyTest, MeetsExpectation) {
  bp::testing::FakeClock clock(case_.now);
  SigV4Authenticator auth(Set(), clock, {.region = case_.region});
  Result<Principal> p = auth.Authenticate(BearerRequest());
  if (case_.expect == "valid") {
    ASSERT_OK(p);
    EXPECT_EQ(p->name, "golden");
    EXPECT_EQ(p->access_key_id, case_.credentials.access_key_id);
  } else if (case_.expect == "expired") {
    ASSERT_THAT(p, StatusIs(ErrorCode::kInvalidSignature));
    EXPECT_THAT(p.status().message(), HasSubstr("expired"));
  } else if (case_.expect == "bad_signature") {
    ASSERT_THAT(p, StatusIs(ErrorCode::kInvalidSignature));
    EXPECT_THAT(p.status().message(), HasSubstr("does not match"));
    EXPECT_THAT(p.status().message(), Not(HasSubstr("Canonical String")));
  } else if (case_.expect == "malformed") {
    EXPECT_THAT(p, StatusIs(ErrorCode::kIncompleteSignature));
  } else {
    FAIL() << "unknown expectation '" << case_.expect << "'";
  }
  if (!p.ok()) {
    EXPECT_THAT(p.status().message(), Not(HasSubstr(case_.credentials.secret_access_key)));
    EXPECT_THAT(p.status().message(), Not(HasSubstr(case_.token)));
  }
}

TEST_P(BedrockApiKeyTest, DecodesToTheDocumentedUrl) {
  Result<std::string> url = DecodeShortTermApiKey(case_.token);
  if (case_.expect == "malformed") {
    EXPECT_THAT(url, StatusIs(ErrorCode::kIncompleteSignature));
    return;
  }
  ASSERT_OK(url);
  EXPECT_EQ(*url, case_.decoded);
}

// The verifier-level answer agrees with the authenticator's, and a valid key
// reports the scope region of its case.
TEST_P(BedrockApiKeyTest, VerifierAgreesAndReportsRegion) {
  class One final : public CredentialLookup {
   public:
    explicit One(const Credentials& c) : c_(c) {}
    const Credentials* Find(std::string_view id) const override {
      return id == c_.access_key_id ? &c_ : nullptr;
    }

   private:
    const Credentials& c_;
  } lookup(case_.credentials);
  bp::testing::FakeClock clock(case_.now);
  Verifier verifier(VerifierOptions{.region = case_.region}, lookup, clock);
  Result<VerifiedSignature> v = VerifyShortTermApiKey(case_.token, verifier, case_.region);
  if (case_.expect != "valid") {
    EXPECT_FALSE(v.ok());
    return;
  }
  ASSERT_OK(v);
  EXPECT_EQ(v->region, case_.region);
  EXPECT_EQ(v->form, AuthForm::kQuery);
}

std::string CaseTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, BedrockApiKeyTest, ::testing::ValuesIn(CaseNames()), CaseTestName);

TEST(BedrockApiKeyDiscovery, FindsTheCases) {
  bp::testing::ExpectCases(bp::testing::ListCaseFiles(CaseDir(), ".json"), CaseDir());
  EXPECT_EQ(CaseNames().size(), 6u);
}

// Our generator signs exactly as AWS's does: the signature of the valid-12h
// key is reproduced from its credentials, region, date and lifetime.
TEST(BedrockApiKeyGenerator, ReproducesTheOfficialSignature) {
  ApiKeyCase c = LoadCase("valid-12h");
  Result<std::string> ours = MakeShortTermApiKey(
      c.credentials, c.region, ParseAmzDate("20261125T102555Z").value(), std::chrono::hours(12));
  ASSERT_OK(ours);
  Result<std::string> url = DecodeShortTermApiKey(*ours);
  ASSERT_OK(url);
  auto signature_of = [](const std::string& u) {
    size_t at = u.find("X-Amz-Signature=");
    return at == std::string::npos ? std::string() : u.substr(at + 16, 64);
  };
  EXPECT_EQ(signature_of(*url), signature_of(c.decoded));
  EXPECT_FALSE(signature_of(*url).empty());
}

}  // namespace
}  // namespace bp::auth::sigv4
