// Tests of the tag operations and the foundation-model operations.
#include "api/control/control_service.h"
#include "api/control/control_test_fixture.h"

namespace bp::api::control {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

class TaggingTest : public ControlServiceFixture {
 protected:
  void SetUp() override { arn_ = MakeProfile("tagged", {{"billing-mode", "rd"}}); }
  std::string arn_;
};

TEST_F(TaggingTest, ListTagsShowsTheMergedSet) {
  Result<Tags> tags = control_.ListTagsForResource(arn_);
  ASSERT_OK(tags);
  EXPECT_EQ(*tags, (Tags{{"Environment", "rd"}, {"billing-mode", "rd"}}));
}

TEST_F(TaggingTest, TagUpsertsAndUntagRemoves) {
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_OK(control_.TagResource(arn_, {{"team", "ml"}, {"Environment", "prod"}}));
  EXPECT_EQ(*control_.ListTagsForResource(arn_),
            (Tags{{"Environment", "prod"}, {"billing-mode", "rd"}, {"team", "ml"}}));
  Result<InferenceProfile> p = control_.Get(arn_);
  ASSERT_OK(p);
  EXPECT_EQ(p->updated_at, "2026-01-01T00:01:00.000Z");
  EXPECT_EQ(p->created_at, "2026-01-01T00:00:00.000Z");
  // Absent keys are fine.
  ASSERT_OK(control_.UntagResource(arn_, {"team", "never-there"}));
  EXPECT_EQ(*control_.ListTagsForResource(arn_),
            (Tags{{"Environment", "prod"}, {"billing-mode", "rd"}}));
  ASSERT_OK(control_.UntagResource(arn_, {}));
}

TEST_F(TaggingTest, TooManyTagsWritesNothing) {
  std::vector<Tag> tags;
  for (int i = 0; i < 49; ++i) tags.push_back({"k" + std::to_string(i), "v"});  // 2 + 49 = 51
  Status refused = control_.TagResource(arn_, tags);
  EXPECT_THAT(refused, StatusIs(ErrorCode::kTooManyTags));
  EXPECT_THAT(refused.message(), HasSubstr(arn_));
  EXPECT_EQ(control_.ListTagsForResource(arn_)->size(), 2u);
  tags.pop_back();  // exactly 50
  EXPECT_OK(control_.TagResource(arn_, tags));
  EXPECT_EQ(control_.ListTagsForResource(arn_)->size(), 50u);
}

TEST_F(TaggingTest, InvalidTagsWriteNothing) {
  Status refused = control_.TagResource(arn_, {{"fine", "v"}, {"bad,key", "v"}});
  EXPECT_THAT(refused, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(refused.message(), HasSubstr("'tags.2.member.key'"));
  EXPECT_THAT(control_.TagResource(arn_, {{"aws:cost", "x"}}), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.UntagResource(arn_, {""}), StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(control_.ListTagsForResource(arn_)->size(), 2u);
}

TEST_F(TaggingTest, OnlyOurApplicationProfilesCanBeTagged) {
  std::string id = arn_.substr(arn_.rfind('/') + 1);
  struct Case {
    std::string arn;
    ErrorCode code;
  };
  const Case cases[] = {
      {kHaikuSystemArn, ErrorCode::kValidation},
      {ModelArn("eu-central-1"), ErrorCode::kValidation},
      {"arn:aws:bedrock:eu-central-1:123456789012:custom-model/x", ErrorCode::kValidation},
      {"arn:aws:s3:::bucket-name-long-enough", ErrorCode::kValidation},
      {"not an arn at all, but long enough", ErrorCode::kValidation},
      {"arn:aws:x", ErrorCode::kValidation},  // shorter than 20
      {std::string(1012, 'a'), ErrorCode::kValidation},
      {"arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/" + id,
       ErrorCode::kResourceNotFound},
      {"arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/" + id,
       ErrorCode::kResourceNotFound},
      {kAppArnPrefix + std::string("zzzzzzzzzzzz"), ErrorCode::kResourceNotFound},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(control_.TagResource(c.arn, {{"a", "b"}}), StatusIs(c.code)) << c.arn;
    EXPECT_THAT(control_.UntagResource(c.arn, {"a"}), StatusIs(c.code)) << c.arn;
    EXPECT_THAT(control_.ListTagsForResource(c.arn), StatusIs(c.code)) << c.arn;
  }
  EXPECT_EQ(control_.ListTagsForResource(arn_)->size(), 2u);
}

// --- foundation models ----------------------------------------------------

class FoundationModelTest : public ControlServiceFixture {};

TEST_F(FoundationModelTest, ListFilters) {
  Result<std::vector<FoundationModelInfo>> all = control_.ListFoundationModels({});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), catalog_.models().size());
  EXPECT_EQ((*all)[0].arn, ModelArn(kRegion, (*all)[0].model.model_id));
  EXPECT_EQ(control_.ListFoundationModels({.by_provider = "anthropic"})->size(), all->size());
  EXPECT_EQ(control_.ListFoundationModels({.by_provider = "Meta"})->size(), 0u);
  EXPECT_EQ(control_.ListFoundationModels({.by_output_modality = "TEXT"})->size(), all->size());
  EXPECT_EQ(control_.ListFoundationModels({.by_output_modality = "IMAGE"})->size(), 0u);
  // Claude 4.x is callable only through an inference profile.
  EXPECT_EQ(control_.ListFoundationModels({.by_inference_type = "ON_DEMAND"})->size(), 0u);
  EXPECT_EQ(control_.ListFoundationModels({.by_customization_type = "FINE_TUNING"})->size(), 0u);
}

TEST_F(FoundationModelTest, ListValidatesFilters) {
  EXPECT_THAT(control_.ListFoundationModels({.by_provider = "bad_provider!"}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.ListFoundationModels({.by_provider = std::string(64, 'a')}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.ListFoundationModels({.by_inference_type = "INFERENCE_PROFILE"}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.ListFoundationModels({.by_output_modality = "text"}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.ListFoundationModels({.by_customization_type = "X"}),
              StatusIs(ErrorCode::kValidation));
}

TEST_F(FoundationModelTest, GetByIdOrArnInAServedRegion) {
  for (const std::string& identifier :
       {std::string(kHaikuModel), ModelArn("eu-west-1"), ModelArn("eu-west-3")}) {
    Result<FoundationModelInfo> m = control_.GetFoundationModel(identifier);
    ASSERT_OK(m);
    EXPECT_EQ(m->model.model_id, kHaikuModel);
    EXPECT_EQ(m->arn, ModelArn(kRegion));
  }
  EXPECT_THAT(control_.GetFoundationModel(ModelArn("us-east-1")),
              StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(control_.GetFoundationModel("anthropic.claude-nope"),
              StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(control_.GetFoundationModel(kHaikuSystemArn), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.GetFoundationModel("arn:nope"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.GetFoundationModel(""), StatusIs(ErrorCode::kValidation));
}

}  // namespace
}  // namespace bp::api::control
