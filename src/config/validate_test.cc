#include "config/validate.h"

#include "testing/testing.h"

namespace bp::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHaikuProfile =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
constexpr const char* kHaikuModel =
    "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0";

std::string MessageOf(const Status& s) { return s.ok() ? "OK" : s.message(); }

class ValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::Builtin();
    ASSERT_OK(c);
    catalog_ = std::move(*c);
  }
  std::string ModelArn(std::string_view arn,
                       const std::optional<std::string>& account = "123456789012") {
    return MessageOf(CheckModelArn(arn, account, *catalog_));
  }
  std::optional<catalog::Catalog> catalog_;
};

TEST_F(ValidateTest, AccountId) {
  EXPECT_TRUE(CheckAccountId("123456789012").ok());
  for (std::string_view bad : {"", "12345678901", "1234567890123", "12345678901a"}) {
    EXPECT_THAT(MessageOf(CheckAccountId(bad)), HasSubstr("expected exactly 12 digits")) << bad;
  }
}

TEST_F(ValidateTest, RegionMustBeEu) {
  EXPECT_TRUE(CheckRegion("eu-central-1", *catalog_).ok());
  EXPECT_TRUE(CheckRegion("eu-north-1", *catalog_).ok());
  EXPECT_EQ(MessageOf(CheckRegion("us-east-1", *catalog_)),
            "'us-east-1' is not an EU region; expected an EU region (geography 'eu') such as "
            "eu-central-1, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-3");
  for (std::string_view bad :
       {"", "eu", "eu-central", "EU-CENTRAL-1", "eu--1", "eu-central-x", "-eu-west-1"}) {
    EXPECT_THAT(MessageOf(CheckRegion(bad, *catalog_)), HasSubstr("is not a region name")) << bad;
  }
}

TEST_F(ValidateTest, ProfileNameConvention) {
  for (std::string_view good : {"rd-haiku-45", "rd-sonnet-4", "rd-x", "rd-a1-b2-c3"}) {
    EXPECT_TRUE(CheckProfileName(good).ok()) << good;
  }
  for (std::string_view bad : {"haiku", "rd-", "rd--x", "rd-x-", "rd-Haiku", "rd-haiku_45",
                               "RD-haiku", "rd-haiku 45", "prod-haiku"}) {
    EXPECT_THAT(MessageOf(CheckProfileName(bad)), HasSubstr("rd-{model-short}")) << bad;
  }
  std::string longest = "rd-" + std::string(61, 'a');
  EXPECT_TRUE(CheckProfileName(longest).ok());
  EXPECT_THAT(MessageOf(CheckProfileName(longest + "a")),
              HasSubstr("65 characters long; at most 64"));
}

TEST_F(ValidateTest, DescriptionFollowsTheAwsPattern) {
  for (std::string_view good :
       {"Claude Haiku 4.5 for research", "a", "x:y.z", "a-b_c d", "ends with "}) {
    EXPECT_TRUE(CheckDescription(good).ok()) << good;
  }
  EXPECT_THAT(MessageOf(CheckDescription("Claude Haiku 4.5 for R&D")),
              HasSubstr("(it contains '&'): only letters, digits"));
  EXPECT_THAT(MessageOf(CheckDescription("a, b")), HasSubstr("so '&', ',', '(', '/' are rejected"));
  EXPECT_THAT(MessageOf(CheckDescription(" lead")), HasSubstr("it starts with ' '"));
  EXPECT_THAT(MessageOf(CheckDescription("a  b")), HasSubstr("two separators in a row"));
  EXPECT_THAT(MessageOf(CheckDescription("caf\xC3\xA9")), HasSubstr("a non-ASCII character"));
  EXPECT_THAT(MessageOf(CheckDescription("")), HasSubstr("1-200 characters, found 0"));
  EXPECT_TRUE(CheckDescription(std::string(200, 'a')).ok());
  EXPECT_THAT(MessageOf(CheckDescription(std::string(201, 'a'))), HasSubstr("found 201"));
}

TEST_F(ValidateTest, ProfileId) {
  EXPECT_TRUE(CheckProfileId("acwt9yee9wzo").ok());
  for (std::string_view bad : {"acwt9yee9wz", "acwt9yee9wzoo", "ACWT9YEE9WZO", "acwt9yee9wz-"}) {
    EXPECT_THAT(MessageOf(CheckProfileId(bad)), HasSubstr("exactly 12 characters [a-z0-9]")) << bad;
  }
}

TEST_F(ValidateTest, Tags) {
  EXPECT_TRUE(CheckTagKey("billing-mode").ok());
  EXPECT_TRUE(CheckTagKey("a b._:/=+@-").ok());
  EXPECT_TRUE(CheckTagValue("").ok());
  EXPECT_THAT(MessageOf(CheckTagKey("")), HasSubstr("1-128 characters, found 0"));
  EXPECT_THAT(MessageOf(CheckTagKey(std::string(129, 'k'))), HasSubstr("found 129"));
  EXPECT_TRUE(CheckTagKey(std::string(128, 'k')).ok());
  EXPECT_THAT(MessageOf(CheckTagKey("AWS:cost")), HasSubstr("reserved by AWS"));
  EXPECT_THAT(MessageOf(CheckTagKey("a&b")), HasSubstr("contains '&'"));
  EXPECT_THAT(MessageOf(CheckTagValue("x,y")), HasSubstr("contains ','"));
  EXPECT_TRUE(CheckTagValue(std::string(256, 'v')).ok());
  EXPECT_THAT(MessageOf(CheckTagValue(std::string(257, 'v'))), HasSubstr("at most 256"));
}

TEST_F(ValidateTest, ModelArnAcceptsEuProfilesAndEuFoundationModels) {
  EXPECT_EQ(ModelArn(kHaikuProfile), "OK");
  EXPECT_EQ(ModelArn(kHaikuModel), "OK");
  EXPECT_EQ(ModelArn(kHaikuProfile, std::nullopt), "OK");  // account_id itself invalid
}

TEST_F(ValidateTest, ModelArnRefusals) {
  EXPECT_THAT(ModelArn("not-an-arn"),
              HasSubstr("'not-an-arn' is not an ARN; accepted: an EU "
                        "cross-region profile arn:aws:bedrock:<eu region>"));
  EXPECT_THAT(ModelArn("arn:aws:s3:::bucket/x"), HasSubstr("not a Bedrock ARN"));
  EXPECT_THAT(
      ModelArn(
          "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo"),
      HasSubstr("is an application inference profile, which cannot be copied"));
  EXPECT_THAT(ModelArn("arn:aws:bedrock:eu-central-1:123456789012:custom-model/x"),
              HasSubstr("neither an inference profile nor a foundation model"));
  EXPECT_THAT(ModelArn("arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                       "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
              HasSubstr("region 'us-east-1' of the ARN is not an EU region"));
  EXPECT_THAT(
      ModelArn("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
               "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
      HasSubstr("is not an EU cross-region profile (its 'us.' prefix routes outside the EU)"));
  EXPECT_THAT(ModelArn("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.meta.llama"),
              HasSubstr("unknown system-defined profile 'eu.meta.llama'; the model catalog knows: "
                        "eu.anthropic.claude-haiku-4-5-20251001-v1:0, "));
  EXPECT_THAT(
      ModelArn("arn:aws:bedrock:eu-central-1:999999999999:inference-profile/"
               "eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
      HasSubstr("account '999999999999' in the ARN differs from account_id '123456789012'"));
  EXPECT_THAT(ModelArn("arn:aws:bedrock:eu-central-1::inference-profile/"
                       "eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
              HasSubstr("is not a 12-digit account id"));
  EXPECT_THAT(ModelArn("arn:aws:bedrock:eu-west-1:123456789012:foundation-model/"
                       "anthropic.claude-haiku-4-5-20251001-v1:0"),
              HasSubstr("a foundation-model ARN has an empty account field"));
  EXPECT_THAT(ModelArn("arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-2"),
              HasSubstr("unknown foundation model 'anthropic.claude-2'"));
  EXPECT_THAT(
      ModelArn("arn:aws:bedrock:eu-north-1::foundation-model/"
               "anthropic.claude-haiku-4-5-20251001-v1:0"),
      HasSubstr("is not served in eu-north-1 (served in eu-central-1, eu-west-1, eu-west-3)"));
}

TEST_F(ValidateTest, Principals) {
  EXPECT_TRUE(CheckPrincipalName("rd-e2e").ok());
  EXPECT_THAT(MessageOf(CheckPrincipalName("-x")), HasSubstr("starting with a letter or digit"));
  EXPECT_THAT(MessageOf(CheckPrincipalName("a b")), HasSubstr("is not valid"));
  EXPECT_TRUE(CheckPrincipalArn("arn:aws:iam::123456789012:role/rd-e2e").ok());
  EXPECT_TRUE(CheckPrincipalArn("arn:aws:iam::123456789012:user/team/alice@x.com").ok());
  for (std::string_view bad :
       {"arn:aws:iam::12345678901:role/x", "arn:aws:iam::123456789012:group/x",
        "arn:aws:iam::123456789012:role/", "arn:aws:sts::123456789012:assumed-role/x/y",
        "arn:aws:iam:eu-west-1:123456789012:role/x", "arn:aws:iam::123456789012:role/a b",
        "role/x"}) {
    EXPECT_THAT(MessageOf(CheckPrincipalArn(bad)), HasSubstr("is not an IAM role or user ARN"))
        << bad;
  }
  EXPECT_TRUE(CheckAccessKeyId("AKIABPLOCALRDE2E0001").ok());
  EXPECT_THAT(MessageOf(CheckAccessKeyId("AKIA123")), HasSubstr("16-128 characters [A-Z0-9]"));
  EXPECT_THAT(MessageOf(CheckAccessKeyId("akiabplocalrde2e0001")), HasSubstr("16-128"));
  EXPECT_TRUE(CheckEnvVarName("BP_SECRET_1").ok());
  EXPECT_THAT(MessageOf(CheckEnvVarName("1X")), HasSubstr("not an environment variable name"));
  EXPECT_THAT(MessageOf(CheckEnvVarName("A-B")), HasSubstr("not an environment variable name"));
}

TEST_F(ValidateTest, ApiKeyDigestNeverQuotesTheValue) {
  EXPECT_TRUE(CheckApiKeySha256(std::string(64, 'a')).ok());
  EXPECT_TRUE(CheckApiKeySha256(std::string(64, 'F')).ok());
  std::string secretish = "bedrock-api-key-abc";
  EXPECT_THAT(MessageOf(CheckApiKeySha256(secretish)), Not(HasSubstr(secretish)));
  EXPECT_THAT(MessageOf(CheckApiKeySha256(secretish)),
              HasSubstr("found a string of 19 characters"));
  EXPECT_THAT(MessageOf(CheckApiKeySha256(std::string(64, 'g'))), HasSubstr("not all hex digits"));
}

TEST_F(ValidateTest, PolicyDocument) {
  EXPECT_TRUE(CheckPolicyDocument(R"({"Version": "2012-10-17", "Statement": []})").ok());
  EXPECT_THAT(MessageOf(CheckPolicyDocument("{")), HasSubstr("the policy is not valid JSON"));
  EXPECT_THAT(MessageOf(CheckPolicyDocument("[]")),
              HasSubstr("must be a JSON object, found an array"));
  EXPECT_THAT(MessageOf(CheckPolicyDocument(R"({"Version": "2012-10-17"})")),
              HasSubstr("no \"Statement\" member"));
}

TEST_F(ValidateTest, EuRegionsComeFromTheCatalog) {
  EXPECT_EQ(EuRegions(*catalog_),
            (std::vector<std::string>{"eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2",
                                      "eu-west-1", "eu-west-3"}));
}

}  // namespace
}  // namespace bp::config
