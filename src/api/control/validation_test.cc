#include "api/control/validation.h"

#include "testing/testing.h"

namespace bp::api::control {
namespace {

using ::testing::HasSubstr;

TEST(PatternTest, Name) {
  for (const char* ok : {"a", "rd-haiku-45", "A_b c-1", "x-", "abc_"}) {
    EXPECT_TRUE(MatchesName(ok)) << ok;
  }
  for (const char* bad : {"", "-a", " a", "a--b", "a_-b", "a.b", "R&D", "a/b", "é"}) {
    EXPECT_FALSE(MatchesName(bad)) << bad;
  }
}

TEST(PatternTest, Description) {
  EXPECT_TRUE(MatchesDescription("Claude Haiku 4.5 for research"));
  EXPECT_TRUE(MatchesDescription(":a.b: c"));
  EXPECT_FALSE(MatchesDescription("Claude Haiku 4.5 for R&D"));  // the seed's trap
  EXPECT_FALSE(MatchesDescription("a, b"));
  EXPECT_FALSE(MatchesDescription("(a)"));
  EXPECT_FALSE(MatchesDescription("a  b"));
  EXPECT_FALSE(MatchesDescription(""));
}

TEST(PatternTest, Token) {
  EXPECT_TRUE(MatchesToken("a"));
  EXPECT_TRUE(MatchesToken("6f1c0d2e-1234-4abc-9def-0123456789ab"));
  EXPECT_FALSE(MatchesToken("-a"));
  EXPECT_FALSE(MatchesToken("a-"));
  EXPECT_FALSE(MatchesToken("a_b"));
  EXPECT_FALSE(MatchesToken(""));
}

TEST(PatternTest, Tag) {
  EXPECT_TRUE(MatchesTag(""));
  EXPECT_TRUE(MatchesTag("billing-mode"));
  EXPECT_TRUE(MatchesTag("a b\t._:/=+@-"));
  EXPECT_FALSE(MatchesTag("a&b"));
  EXPECT_FALSE(MatchesTag("a,b"));
}

TEST(PatternTest, CopyFrom) {
  EXPECT_TRUE(
      MatchesCopyFrom("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
                      "eu.anthropic.claude-haiku-4-5-20251001-v1:0"));
  EXPECT_TRUE(MatchesCopyFrom(
      "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"));
  EXPECT_TRUE(MatchesCopyFrom("arn:aws-cn:bedrock:::foundation-model/x"));
  EXPECT_FALSE(MatchesCopyFrom("arn:aws:bedrock:eu-central-1:123:foundation-model/x"));
  EXPECT_FALSE(MatchesCopyFrom("arn:aws:s3:eu-central-1::foundation-model/x"));
  EXPECT_FALSE(MatchesCopyFrom("arn:aws-foo:bedrock:eu-central-1::foundation-model/x"));
  EXPECT_FALSE(MatchesCopyFrom(
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc"));
  EXPECT_FALSE(MatchesCopyFrom("arn:aws:bedrock:eu-central-1::foundation-model/"));
  EXPECT_FALSE(MatchesCopyFrom("arn:aws:bedrock:eu-central-1::foundation-model/a/b"));
  EXPECT_FALSE(MatchesCopyFrom("anthropic.claude-haiku-4-5-20251001-v1:0"));
}

TEST(PatternTest, ProfileIdentifier) {
  EXPECT_TRUE(MatchesProfileIdentifier("acwt9yee9wzo"));
  EXPECT_TRUE(MatchesProfileIdentifier("eu.anthropic.claude-haiku-4-5-20251001-v1:0"));
  EXPECT_TRUE(MatchesProfileIdentifier(
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo"));
  EXPECT_TRUE(MatchesProfileIdentifier(
      "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us.x"));
  EXPECT_FALSE(
      MatchesProfileIdentifier("arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude"));
  EXPECT_FALSE(MatchesProfileIdentifier(
      "arn:aws:bedrock:eu-central-1:12345:application-inference-profile/x"));
  EXPECT_FALSE(MatchesProfileIdentifier("a b"));
  EXPECT_FALSE(MatchesProfileIdentifier("a/b"));
  EXPECT_FALSE(MatchesProfileIdentifier(""));
}

TEST(PatternTest, LongHostileInputsRunInLinearTime) {
  std::string long_name(1'000'000, 'a');
  long_name += "--";
  EXPECT_FALSE(MatchesName(long_name));
  EXPECT_TRUE(MatchesDescription(std::string(1'000'000, '.')));
}

TEST(ViolationsTest, CoralWording) {
  Violations v;
  v.CheckPattern(false, "R&D", "inferenceProfileName", kNamePattern);
  EXPECT_EQ(v.ToStatus().message(),
            "1 validation error detected: Value 'R&D' at 'inferenceProfileName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^([0-9a-zA-Z][ _-]?)+$");
  v.CheckLength(std::string(65, 'a'), "x", "inferenceProfileName", 1, 64);
  EXPECT_THAT(v.ToStatus().message(), HasSubstr("2 validation errors detected: "));
  EXPECT_THAT(v.ToStatus().message(),
              HasSubstr("; Value 'x' at 'inferenceProfileName' failed to satisfy constraint: "
                        "Member must have length less than or equal to 64"));
  Violations missing;
  missing.AddMissing("modelSource");
  EXPECT_EQ(missing.ToStatus().message(),
            "1 validation error detected: Value null at 'modelSource' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_TRUE(Violations().ToStatus().ok());
}

TEST(ViolationsTest, BoundsEchoAndCount) {
  Violations v;
  for (int i = 0; i < 30; ++i) v.Add(std::string(1000, 'z'), "m", "c");
  std::string message = v.ToStatus().message();
  EXPECT_THAT(message, HasSubstr("30 validation errors detected"));
  EXPECT_THAT(message, HasSubstr("and 20 more"));
  EXPECT_LT(message.size(), 10u * 400u);
}

TEST(CheckTagsTest, NamesEachBadMemberOneBased) {
  Violations v;
  Tags tags = CheckTags({{"ok", "v"},
                         {"bad&key", "v"},
                         {"k", std::string(257, 'v')},
                         {"ok", "w"},
                         {"AWS:reserved", "x"},
                         {"", ""}},
                        "tags", v);
  std::string message = v.ToStatus().message();
  EXPECT_THAT(message, HasSubstr("at 'tags.2.member.key'"));
  EXPECT_THAT(message, HasSubstr("at 'tags.3.member.value'"));
  EXPECT_THAT(message, HasSubstr("Duplicate tag key 'ok'"));
  EXPECT_THAT(message, HasSubstr("'tags.5.member.key'"));
  EXPECT_THAT(message, HasSubstr("'tags.6.member.key' failed to satisfy constraint: Member must "
                                 "have length greater than or equal to 1"));
  Violations ok;
  EXPECT_EQ(CheckTags({{"a", ""}, {"b", "2"}}, "tags", ok), (Tags{{"a", ""}, {"b", "2"}}));
  EXPECT_TRUE(ok.empty());
  Violations many;
  CheckTags(std::vector<Tag>(201, Tag{"k", "v"}), "tags", many);
  EXPECT_THAT(many.ToStatus().message(), HasSubstr("less than or equal to 200"));
}

}  // namespace
}  // namespace bp::api::control
