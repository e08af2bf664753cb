#include "auth/iam/iam_authorizer.h"

#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

using ::bp::testing::StatusIs;

constexpr std::string_view kRdArn = "arn:aws:iam::123456789012:role/rd-e2e";
constexpr std::string_view kHaikuProfile =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr std::string_view kHaikuModel =
    "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0";

// The seed's rd-e2e policy, as in config/bedrock-profiles.hcl.
constexpr std::string_view kRdE2ePolicy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "InvokeBedrockProfile",
      "Effect": "Allow",
      "Action": [
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream"
      ],
      "Resource": [
        "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo",
        "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o"
      ]
    },
    {
      "Sid": "InvokeFoundationModel",
      "Effect": "Allow",
      "Action": [
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream"
      ],
      "Resource": [
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
      ]
    }
  ]
})";

PrincipalPolicies RdE2e() {
  return {std::string("rd-e2e"),
          std::string(kRdArn),
          {},
          {{std::string(kRdE2ePolicy), "bedrock-profiles.hcl:60:25"}}};
}

// One-statement policy: Allow bedrock:GetInferenceProfile on * when the
// condition `cond` (a JSON object body) holds.
std::string AllowGetWhen(std::string_view cond) {
  return std::string(R"({"Version":"2012-10-17","Statement":[{"Sid":"Cond","Effect":"Allow",)"
                     R"("Action":"bedrock:GetInferenceProfile","Resource":"*","Condition":{)") +
         std::string(cond) + "}}]}";
}

class IamAuthorizerTest : public ::testing::Test {
 protected:
  // 2026-11-25T12:00:00Z
  IamAuthorizerTest() = default;
  // Decisions are logged at info; keep the test output readable.
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }
  void TearDown() override { spdlog::set_level(spdlog::level::info); }

  std::unique_ptr<IamAuthorizer> Make(std::vector<PrincipalPolicies> principals) {
    auto made = IamAuthorizer::Create(std::move(principals), {"eu-central-1"});
    EXPECT_OK(made);
    return made.ok() ? std::move(made).value() : nullptr;
  }

  // Builds a one-principal authorizer around `policy_text` and asks it.
  Status AskWith(std::string_view policy_text, const AuthorizationRequest& question, Tags tags = {},
                 std::string arn = std::string(kRdArn)) {
    auto authorizer =
        Make({{"p", arn, std::move(tags), {{std::string(policy_text), "test-policy"}}}});
    if (authorizer == nullptr) return InternalError("no authorizer");
    return authorizer->Authorize(Principal{"p", arn, "AKIA"}, facts_, question);
  }

  RequestFacts facts_{
      .source_ip = "127.0.0.1",
      .secure_transport = false,
      // 2026-11-25T12:00:00Z
      .time = std::chrono::system_clock::time_point(std::chrono::seconds(1795608000))};
  Principal rd_{"rd-e2e", std::string(kRdArn), "AKIABPLOCALRDE2E0001"};
};

TEST_F(IamAuthorizerTest, SeedPolicyAllowsInvokeOnProfileAndFoundationModel) {
  auto authorizer = Make({RdE2e()});
  ASSERT_NE(authorizer, nullptr);
  EXPECT_OK(authorizer->Authorize(rd_, facts_, {"bedrock:InvokeModel", kHaikuProfile, {}}));
  EXPECT_OK(authorizer->Authorize(rd_, facts_, {"bedrock:InvokeModel", kHaikuModel, {}}));
  EXPECT_OK(authorizer->Authorize(rd_, facts_,
                                  {"bedrock:InvokeModelWithResponseStream", kHaikuModel, {}}));
  // A model the policy does not name.
  EXPECT_THAT(
      authorizer->Authorize(
          rd_, facts_,
          {"bedrock:InvokeModel",
           "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-opus-20240229-v1:0",
           {}}),
      StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(IamAuthorizerTest, ImplicitDenyUsesAwsWording) {
  auto authorizer = Make({RdE2e()});
  ASSERT_NE(authorizer, nullptr);
  Status s = authorizer->Authorize(rd_, facts_, {"bedrock:CreateInferenceProfile", "*", {}});
  ASSERT_EQ(s.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(s.message(),
            "User: arn:aws:iam::123456789012:role/rd-e2e is not authorized to perform: "
            "bedrock:CreateInferenceProfile on resource: * because no identity-based policy "
            "allows the bedrock:CreateInferenceProfile action");
}

TEST_F(IamAuthorizerTest, ExplicitDenyWinsAcrossPolicies) {
  PrincipalPolicies p = RdE2e();
  p.policies.push_back({R"({"Version":"2012-10-17","Statement":[{"Sid":"NoModels",)"
                        R"("Effect":"Deny","Action":"bedrock:Invoke*",)"
                        R"("Resource":"arn:aws:bedrock:*::foundation-model/*"}]})",
                        "deny.json"});
  auto authorizer = Make({std::move(p)});
  ASSERT_NE(authorizer, nullptr);
  Status s = authorizer->Authorize(rd_, facts_, {"bedrock:InvokeModel", kHaikuModel, {}});
  ASSERT_EQ(s.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(s.message(),
            "User: arn:aws:iam::123456789012:role/rd-e2e is not authorized to "
            "perform: bedrock:InvokeModel on resource: " +
                std::string(kHaikuModel) + " with an explicit deny in an identity-based policy");
  // The profile itself is still allowed by the first policy.
  EXPECT_OK(authorizer->Authorize(rd_, facts_, {"bedrock:InvokeModel", kHaikuProfile, {}}));
}

TEST_F(IamAuthorizerTest, UnknownPrincipalIsDenied) {
  auto authorizer = Make({RdE2e()});
  ASSERT_NE(authorizer, nullptr);
  Principal stranger{"stranger", "arn:aws:iam::123456789012:user/stranger", "AKIAX"};
  Status s = authorizer->Authorize(stranger, facts_, {"bedrock:InvokeModel", kHaikuProfile, {}});
  ASSERT_EQ(s.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(s.message(),
            "User: arn:aws:iam::123456789012:user/stranger is not authorized to perform: "
            "bedrock:InvokeModel on resource: " +
                std::string(kHaikuProfile) +
                " because no identity-based policy allows the bedrock:InvokeModel action");
}

TEST_F(IamAuthorizerTest, SourceIpComesFromTheRequest) {
  const std::string policy = AllowGetWhen(R"("IpAddress":{"aws:SourceIp":"10.0.0.0/8"})");
  const AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  facts_.source_ip = "10.1.2.3";
  EXPECT_OK(AskWith(policy, q));
  facts_.source_ip = "127.0.0.1";
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(IamAuthorizerTest, PrincipalTagCondition) {
  const std::string policy = AllowGetWhen(R"("StringEquals":{"aws:PrincipalTag/team":"rd"})");
  const AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  EXPECT_OK(AskWith(policy, q, {{"team", "rd"}}));
  EXPECT_THAT(AskWith(policy, q, {{"team", "ops"}}), StatusIs(ErrorCode::kAccessDenied));
  EXPECT_THAT(AskWith(policy, q, {}), StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(IamAuthorizerTest, QuestionContextIsHonoured) {
  const std::string policy =
      AllowGetWhen(R"("StringEquals":{"aws:ResourceTag/billing-mode":"rd"})");
  AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
  q.context.push_back({"aws:ResourceTag/billing-mode", {"rd"}, false});
  EXPECT_OK(AskWith(policy, q));
  q.context.back().values = {"standard"};
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(IamAuthorizerTest, MultiValuedQuestionContext) {
  const std::string policy =
      AllowGetWhen(R"("ForAllValues:StringEquals":{"aws:TagKeys":["team","owner"]})");
  AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  q.context.push_back({"aws:TagKeys", {"team", "owner"}, true});
  EXPECT_OK(AskWith(policy, q));
  q.context.back().values.push_back("secret");
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
  // A single-valued entry without exactly one value is a caller bug.
  q.context = {{"aws:ResourceTag/x", {}, false}};
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kInternal));
}

// A policy without conditions or variables reads no context (none is built
// for it): the decisions are those of the statements alone, and a malformed
// question entry is still refused.
TEST_F(IamAuthorizerTest, PolicyWithoutConditionsDecidesWithoutContext) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
      R"("Action":"bedrock:GetInferenceProfile","Resource":"arn:aws:bedrock:eu-central-1:*"}]})";
  AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  q.context.push_back({"aws:RequestedRegion", {"eu-west-3"}, false});
  EXPECT_OK(AskWith(policy, q));
  q.action = "bedrock:DeleteInferenceProfile";
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
  q.action = "bedrock:GetInferenceProfile";
  q.context = {{"aws:ResourceTag/x", {"a", "b"}, false}};
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kInternal));
}

TEST_F(IamAuthorizerTest, RequestedRegionDefaultsAndCanBeOverridden) {
  const std::string policy =
      AllowGetWhen(R"("StringEquals":{"aws:RequestedRegion":"eu-central-1"})");
  AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  EXPECT_OK(AskWith(policy, q));
  q.context.push_back({"aws:RequestedRegion", {"eu-west-3"}, false});
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(IamAuthorizerTest, TimeKeysComeFromTheRequestFacts) {
  const AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  EXPECT_OK(AskWith(AllowGetWhen(R"("StringEquals":{"aws:CurrentTime":"2026-11-25T12:00:00Z"},)"
                                 R"("NumericEquals":{"aws:EpochTime":"1795608000"})"),
                    q));
  EXPECT_OK(
      AskWith(AllowGetWhen(R"("DateLessThan":{"aws:CurrentTime":"2026-11-25T12:00:01Z"})"), q));
  facts_.time += std::chrono::milliseconds(1500);
  EXPECT_THAT(
      AskWith(AllowGetWhen(R"("DateLessThan":{"aws:CurrentTime":"2026-11-25T12:00:01Z"})"), q),
      StatusIs(ErrorCode::kAccessDenied));
  EXPECT_OK(AskWith(AllowGetWhen(R"("Bool":{"aws:SecureTransport":"false"})"), q));
}

TEST_F(IamAuthorizerTest, SecureTransportComesFromTheRequestFacts) {
  const AuthorizationRequest q{"bedrock:GetInferenceProfile", kHaikuProfile, {}};
  const std::string policy = AllowGetWhen(R"("Bool":{"aws:SecureTransport":"true"})");
  EXPECT_THAT(AskWith(policy, q), StatusIs(ErrorCode::kAccessDenied));
  facts_.secure_transport = true;
  EXPECT_OK(AskWith(policy, q));
}

TEST_F(IamAuthorizerTest, PrincipalIdentityKeysAndVariables) {
  const std::string user_arn = "arn:aws:iam::123456789012:user/division/alice";
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:GetInferenceProfile",)"
      R"("Resource":"arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/${aws:username}",)"
      R"("Condition":{"StringEquals":{"aws:userid":"p","aws:PrincipalArn":")" +
      user_arn + R"("}}}]})";
  const std::string alice_profile =
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/alice";
  EXPECT_OK(AskWith(policy, {"bedrock:GetInferenceProfile", alice_profile, {}}, {}, user_arn));
  EXPECT_THAT(AskWith(policy, {"bedrock:GetInferenceProfile", kHaikuProfile, {}}, {}, user_arn),
              StatusIs(ErrorCode::kAccessDenied));
  // A role has no aws:username: the Resource entry using it matches nothing.
  EXPECT_THAT(AskWith(policy, {"bedrock:GetInferenceProfile", alice_profile, {}}, {},
                      "arn:aws:iam::123456789012:role/alice"),
              StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(IamAuthorizerTest, InvalidPolicyFailsCreateWithJsonPath) {
  PrincipalPolicies p = RdE2e();
  p.policies.push_back({R"({"Version":"2012-10-17","Statement":[{"Effect":"Allowed",)"
                        R"("Action":"bedrock:*","Resource":"*"}]})",
                        "bad.json"});
  auto made = IamAuthorizer::Create({std::move(p)}, {});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), ErrorCode::kValidation);
  const std::string text = made.status().ToString();
  EXPECT_NE(text.find("bad.json"), std::string::npos) << text;
  EXPECT_NE(text.find("$.Statement[0].Effect"), std::string::npos) << text;
}

TEST_F(IamAuthorizerTest, DuplicateOrEmptyPrincipalNameFailsCreate) {
  EXPECT_THAT(IamAuthorizer::Create({RdE2e(), RdE2e()}, {}), StatusIs(ErrorCode::kValidation));
  PrincipalPolicies nameless = RdE2e();
  nameless.name.clear();
  EXPECT_THAT(IamAuthorizer::Create({std::move(nameless)}, {}), StatusIs(ErrorCode::kValidation));
}

TEST_F(IamAuthorizerTest, LogsTheDecidingStatement) {
  auto authorizer = Make({RdE2e()});
  ASSERT_NE(authorizer, nullptr);
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "iam-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  // Allows are logged at debug, denials at info.
  logger->set_level(spdlog::level::debug);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  EXPECT_OK(authorizer->Authorize(rd_, facts_, {"bedrock:InvokeModel", kHaikuModel, {}}));
  EXPECT_FALSE(
      authorizer->Authorize(rd_, facts_, {"bedrock:DeleteInferenceProfile", "*", {}}).ok());
  spdlog::set_default_logger(previous);
  const std::string log = out.str();
  EXPECT_NE(log.find("allowed by statement InvokeFoundationModel of policy 0 "
                     "(bedrock-profiles.hcl:60:25)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("implicitly denied"), std::string::npos) << log;
  EXPECT_EQ(log.find(rd_.access_key_id), std::string::npos) << log;

  std::ostringstream info_out;
  logger = std::make_shared<spdlog::logger>(
      "iam-test-info", std::make_shared<spdlog::sinks::ostream_sink_mt>(info_out));
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
  EXPECT_OK(authorizer->Authorize(rd_, facts_, {"bedrock:InvokeModel", kHaikuModel, {}}));
  EXPECT_FALSE(
      authorizer->Authorize(rd_, facts_, {"bedrock:DeleteInferenceProfile", "*", {}}).ok());
  spdlog::set_default_logger(previous);
  EXPECT_EQ(info_out.str().find("allowed by"), std::string::npos) << info_out.str();
  EXPECT_NE(info_out.str().find("implicitly denied"), std::string::npos) << info_out.str();
}

}  // namespace
}  // namespace bp::auth::iam
