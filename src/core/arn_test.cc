#include "core/arn.h"

#include "testing/testing.h"

namespace bp {
namespace {

TEST(ArnTest, ParsesApplicationProfile) {
  auto arn = Arn::Parse(
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo");
  ASSERT_OK(arn);
  EXPECT_EQ(arn->region, "eu-central-1");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->ResourceType(), "application-inference-profile");
  EXPECT_EQ(arn->ResourceId(), "acwt9yee9wzo");
  EXPECT_EQ(ClassifyBedrockArn(*arn), BedrockResourceKind::kApplicationProfile);
}

TEST(ArnTest, ResourceKeepsColons) {
  auto arn = Arn::Parse(
      "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0");
  ASSERT_OK(arn);
  EXPECT_EQ(arn->account, "");
  EXPECT_EQ(arn->ResourceId(), "anthropic.claude-haiku-4-5-20251001-v1:0");
  EXPECT_EQ(ClassifyBedrockArn(*arn), BedrockResourceKind::kFoundationModel);
  EXPECT_EQ(arn->ToString(),
            FoundationModelArn("eu-west-3", "anthropic.claude-haiku-4-5-20251001-v1:0"));
}

TEST(ArnTest, RejectsMalformed) {
  EXPECT_THAT(Arn::Parse("acwt9yee9wzo"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Arn::Parse("urn:aws:bedrock:r:a:x"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Arn::Parse("arn:aws:bedrock:r:a:"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Arn::Parse("arn::bedrock:r:a:x"), testing::StatusIs(ErrorCode::kValidation));
}

TEST(ArnTest, ClassifiesOthers) {
  EXPECT_EQ(ClassifyBedrockArn(*Arn::Parse("arn:aws:iam::123456789012:role/x")),
            BedrockResourceKind::kOther);
  EXPECT_EQ(ClassifyBedrockArn(*Arn::Parse("arn:aws:bedrock:eu-west-1:1:inference-profile/")),
            BedrockResourceKind::kOther);
}

}  // namespace
}  // namespace bp
