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

TEST(ArnViewTest, SameComponentsAndFailuresAsParse) {
  for (std::string_view text :
       {"arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo",
        "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
        "acwt9yee9wzo", "urn:aws:bedrock:r:a:x", "arn:aws:bedrock:r:a:", "arn::bedrock:r:a:x",
        "arn:aws::r:a:x", "arn:aws:bedrock:r"}) {
    auto arn = Arn::Parse(text);
    std::optional<ArnView> view = ArnView::Parse(text);
    ASSERT_EQ(view.has_value(), arn.ok()) << text;
    if (!view) continue;
    EXPECT_EQ(view->partition, arn->partition);
    EXPECT_EQ(view->service, arn->service);
    EXPECT_EQ(view->region, arn->region);
    EXPECT_EQ(view->account, arn->account);
    EXPECT_EQ(view->resource, arn->resource);
  }
}

TEST(ArnTest, ClassifiesOthers) {
  EXPECT_EQ(ClassifyBedrockArn(*Arn::Parse("arn:aws:iam::123456789012:role/x")),
            BedrockResourceKind::kOther);
  EXPECT_EQ(ClassifyBedrockArn(*Arn::Parse("arn:aws:bedrock:eu-west-1:1:inference-profile/")),
            BedrockResourceKind::kOther);
}

}  // namespace
}  // namespace bp
