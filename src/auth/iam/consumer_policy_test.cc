#include "auth/iam/consumer_policy.h"

#include <gtest/gtest.h>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

constexpr std::string_view kProfile =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr std::string_view kModelId = "anthropic.claude-haiku-4-5-20251001-v1:0";

constexpr std::string_view kExpected = R"({
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
        "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo"
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
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"
      ]
    }
  ]
}
)";

std::string ModelIn(std::string_view region, std::string_view id = kModelId) {
  return "arn:aws:bedrock:" + std::string(region) + "::foundation-model/" + std::string(id);
}

Outcome Decide(const Policy& policy, std::string_view action, std::string_view resource) {
  Request request{std::string(action), std::string(resource), {}};
  return Evaluate({&policy}, request).outcome;
}

class ConsumerPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> text = ConsumerPolicyJson(kProfile, kModelId);
    ASSERT_OK(text);
    text_ = *text;
    Result<Policy> policy = ParsePolicy(text_, "generated");
    ASSERT_OK(policy);
    policy_ = std::move(policy).value();
  }

  // The generated policy with only the statement at `keep`.
  Policy OnlyStatement(size_t keep) {
    Result<json::Value> doc = json::Parse(text_);
    EXPECT_OK(doc);
    json::Array& statements = doc->as_object()["Statement"].as_array();
    json::Value kept = statements[keep];
    statements.clear();
    statements.push_back(kept);
    Result<Policy> p = ParsePolicy(json::Serialize(*doc), "one statement");
    EXPECT_OK(p);
    return p.ok() ? std::move(p).value() : Policy{};
  }

  std::string text_;
  Policy policy_;
};

const std::string_view kInvokeActions[] = {"bedrock:InvokeModel",
                                           "bedrock:InvokeModelWithResponseStream"};
const std::string_view kRouteRegions[] = {"eu-central-1", "eu-west-1", "eu-west-3"};

TEST_F(ConsumerPolicyTest, MatchesTheSeedText) { EXPECT_EQ(text_, kExpected); }

TEST_F(ConsumerPolicyTest, AllowsBothInvokeActionsOnProfileAndModelInEveryRouteRegion) {
  for (std::string_view action : kInvokeActions) {
    EXPECT_EQ(Decide(policy_, action, kProfile), Outcome::kAllow) << action;
    for (std::string_view region : kRouteRegions) {
      EXPECT_EQ(Decide(policy_, action, ModelIn(region)), Outcome::kAllow) << action << region;
    }
  }
}

TEST_F(ConsumerPolicyTest, DeniesEverythingElse) {
  for (std::string_view action :
       {"bedrock:CreateInferenceProfile", "bedrock:GetInferenceProfile", "bedrock:CountTokens",
        "bedrock:InvokeModelX", "bedrock-runtime:InvokeModel", "s3:GetObject"}) {
    EXPECT_EQ(Decide(policy_, action, kProfile), Outcome::kImplicitDeny) << action;
    EXPECT_EQ(Decide(policy_, action, ModelIn("eu-west-1")), Outcome::kImplicitDeny) << action;
  }
  for (std::string_view resource :
       {"arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o",
        "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/acwt9yee9wzo",
        "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
        "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
        "arn:aws:bedrock:eu-west-1:123456789012:foundation-model/"
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "*"}) {
    EXPECT_EQ(Decide(policy_, "bedrock:InvokeModel", resource), Outcome::kImplicitDeny) << resource;
  }
  EXPECT_EQ(Decide(policy_, "bedrock:InvokeModel",
                   ModelIn("eu-west-1", "anthropic.claude-sonnet-4-20250514-v1:0")),
            Outcome::kImplicitDeny);
}

TEST_F(ConsumerPolicyTest, EitherStatementAloneFailsOneHalf) {
  Policy profile_only = OnlyStatement(0);
  Policy model_only = OnlyStatement(1);
  for (std::string_view action : kInvokeActions) {
    EXPECT_EQ(Decide(profile_only, action, kProfile), Outcome::kAllow);
    EXPECT_EQ(Decide(model_only, action, kProfile), Outcome::kImplicitDeny);
    for (std::string_view region : kRouteRegions) {
      EXPECT_EQ(Decide(profile_only, action, ModelIn(region)), Outcome::kImplicitDeny);
      EXPECT_EQ(Decide(model_only, action, ModelIn(region)), Outcome::kAllow);
    }
  }
}

TEST(ConsumerPolicyInputTest, AcceptsSystemProfiles) {
  Result<std::string> text = ConsumerPolicyJson(
      "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
      "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      kModelId);
  ASSERT_OK(text);
  EXPECT_NE(text->find("\"arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
                       "eu.anthropic.claude-haiku-4-5-20251001-v1:0\""),
            std::string::npos);
}

TEST(ConsumerPolicyInputTest, RefusesBadInput) {
  using testing::StatusIs;
  EXPECT_THAT(ConsumerPolicyJson("acwt9yee9wzo", kModelId), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ConsumerPolicyJson(ModelIn("eu-west-1"), kModelId), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ConsumerPolicyJson("arn:aws:bedrock:*:123456789012:application-inference-profile/*",
                                 kModelId),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ConsumerPolicyJson("arn:aws:s3:::bucket", kModelId),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ConsumerPolicyJson(kProfile, ""), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ConsumerPolicyJson(kProfile, "anthropic.*"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ConsumerPolicyJson(kProfile, "a\"b"), StatusIs(ErrorCode::kValidation));
}

}  // namespace
}  // namespace bp::auth::iam
