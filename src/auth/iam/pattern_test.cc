#include "auth/iam/pattern.h"

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

constexpr std::string_view kProfile =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr std::string_view kModel =
    "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0";

bool Glob(std::string_view pattern, std::string_view value, CaseMode mode = CaseMode::kSensitive) {
  return WildcardMatch(PatternView{pattern, {}}, value, mode);
}

bool Arn(std::string_view pattern, std::string_view value) {
  return ArnMatch(PatternView{pattern, {}}, SplitArn(pattern), value);
}

TEST(WildcardMatchTest, LiteralNeedsWholeValue) {
  EXPECT_TRUE(Glob("bedrock:InvokeModel", "bedrock:InvokeModel"));
  EXPECT_FALSE(Glob("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"));
  EXPECT_FALSE(Glob("bedrock:InvokeModelX", "bedrock:InvokeModel"));
  EXPECT_FALSE(Glob("", "x"));
  EXPECT_TRUE(Glob("", ""));
}

TEST(WildcardMatchTest, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(Glob("*", ""));
  EXPECT_TRUE(Glob("*", "anything:at/all"));
  EXPECT_TRUE(Glob("bedrock:Invoke*", "bedrock:Invoke"));
  EXPECT_TRUE(Glob("a*b*c", "aXXbYYbZc"));
  EXPECT_FALSE(Glob("a*b*c", "aXXbYYbZ"));
  EXPECT_TRUE(Glob("*model", "invokemodel"));
  EXPECT_TRUE(Glob("**", "x"));
}

TEST(WildcardMatchTest, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(Glob("Invoke?odel", "InvokeModel"));
  EXPECT_FALSE(Glob("Invoke?odel", "Invokeodel"));
  EXPECT_FALSE(Glob("?", ""));
  EXPECT_TRUE(Glob("caf?", "caf\xc3\xa9"));  // one UTF-8 character, two bytes
  EXPECT_FALSE(Glob("caf??", "caf\xc3\xa9"));
}

TEST(WildcardMatchTest, CaseModes) {
  EXPECT_FALSE(Glob("bedrock:invokemodel", "bedrock:InvokeModel"));
  EXPECT_TRUE(Glob("bedrock:invoke*", "bedrock:InvokeModel", CaseMode::kAsciiInsensitive));
}

TEST(WildcardMatchTest, LiteralMaskTurnsWildcardsIntoText) {
  std::string mask("rd-\1", 4);
  PatternView pattern{"rd-*", mask};
  EXPECT_TRUE(WildcardMatch(pattern, "rd-*", CaseMode::kSensitive));
  EXPECT_FALSE(WildcardMatch(pattern, "rd-x", CaseMode::kSensitive));
  EXPECT_FALSE(pattern.HasWildcard());
}

TEST(WildcardMatchTest, PathologicalPatternStaysFast) {
  std::string value(4000, 'a');
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(Glob(pattern, value));
}

TEST(ParsePolicyStringTest, VerbatimWithoutVariables) {
  Result<PolicyString> s = ParsePolicyString("a/${aws:username}/${*}", false);
  ASSERT_OK(s);
  EXPECT_EQ(s->text, "a/${aws:username}/${*}");
  EXPECT_TRUE(s->literal.empty());
  EXPECT_TRUE(s->constant());
}

TEST(ParsePolicyStringTest, VariablesAreCutOutWithTheirOffsets) {
  Result<PolicyString> s = ParsePolicyString("p/${aws:PrincipalTag/Team}/x", true);
  ASSERT_OK(s);
  EXPECT_EQ(s->text, "p//x");
  ASSERT_EQ(s->variables.size(), 1u);
  EXPECT_EQ(s->variables[0].offset, 2u);
  EXPECT_EQ(s->variables[0].key, "aws:principaltag/team");
  EXPECT_FALSE(s->variables[0].fallback.has_value());
}

TEST(ParsePolicyStringTest, DefaultValueInQuotes) {
  Result<PolicyString> s = ParsePolicyString("${aws:PrincipalTag/team, 'none'}", true);
  ASSERT_OK(s);
  ASSERT_EQ(s->variables.size(), 1u);
  EXPECT_EQ(s->variables[0].fallback, "none");
  Result<PolicyString> tight = ParsePolicyString("${aws:username,'x y'}", true);
  ASSERT_OK(tight);
  EXPECT_EQ(tight->variables[0].fallback, "x y");
}

TEST(ParsePolicyStringTest, EscapesBecomeLiteralCharacters) {
  Result<PolicyString> s = ParsePolicyString("a${*}b${?}${$}{x}", true);
  ASSERT_OK(s);
  EXPECT_EQ(s->text, "a*b?${x}");
  EXPECT_EQ(s->literal, std::string("\0\1\0\1\1\0\0\0", 8));
  EXPECT_TRUE(s->constant());
}

TEST(ParsePolicyStringTest, MalformedVariablesAreErrors) {
  EXPECT_THAT(ParsePolicyString("x${aws:username", true),
              testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParsePolicyString("${}", true), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParsePolicyString("${ , 'x'}", true), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParsePolicyString("${aws:username, none}", true),
              testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParsePolicyString("${aws user}", true), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_OK(ParsePolicyString("${aws:username", false));  // 2008-10-17: plain text
}

TEST(SplitArnTest, ResourceKeepsItsColons) {
  ArnComponents c = SplitArn(kModel);
  ASSERT_EQ(c.count, 6u);
  EXPECT_EQ(kModel.substr(c.begin[3], c.end[3] - c.begin[3]), "eu-west-1");
  EXPECT_EQ(kModel.substr(c.begin[4], c.end[4] - c.begin[4]), "");
  EXPECT_EQ(kModel.substr(c.begin[5], c.end[5] - c.begin[5]),
            "foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0");
  EXPECT_EQ(SplitArn("*").count, 1u);
  EXPECT_EQ(SplitArn("arn:aws:bedrock:eu-central-1:*").count, 5u);
}

TEST(ArnMatchTest, ComponentWise) {
  EXPECT_TRUE(Arn(kProfile, kProfile));
  EXPECT_TRUE(Arn("arn:aws:bedrock:eu-*:123456789012:application-inference-profile/*", kProfile));
  EXPECT_TRUE(Arn("arn:aws:bedrock:*::foundation-model/*", kModel));
  EXPECT_TRUE(Arn("arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-*", kModel));
  EXPECT_FALSE(Arn("arn:aws:bedrock:*:123456789012:foundation-model/*", kModel));
  EXPECT_FALSE(Arn("arn:aws:bedrock:*:*:inference-profile/*", kProfile));
}

TEST(ArnMatchTest, CaseSensitiveEverywhere) {
  EXPECT_FALSE(
      Arn("arn:AWS:bedrock:eu-central-1:123456789012:application-inference-profile/"
          "acwt9yee9wzo",
          kProfile));
  EXPECT_FALSE(Arn("arn:aws:bedrock:EU-central-1:*:*", kProfile));
  EXPECT_FALSE(
      Arn("arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/"
          "ACWT9YEE9WZO",
          kProfile));
}

TEST(ArnMatchTest, StarStaysInsideItsComponent) {
  EXPECT_FALSE(Arn("arn:aws:bedrock:eu-central-1:*/acwt9yee9wzo", kProfile));
  EXPECT_FALSE(Arn("arn:aws:*/acwt9yee9wzo", kProfile));
  // Not pinned by the shared set: a middle '*' does not fold two components.
  EXPECT_FALSE(Arn("arn:aws:bedrock:*:application-inference-profile/acwt9yee9wzo", kProfile));
}

TEST(ArnMatchTest, TrailingStarOfTruncatedPatternCoversTheRest) {
  EXPECT_TRUE(Arn("arn:aws:bedrock:eu-central-1:*", kProfile));
  EXPECT_TRUE(Arn("arn:aws:bedrock:eu-*", kProfile));
  EXPECT_TRUE(Arn("arn:*", kProfile));
  EXPECT_TRUE(Arn("*", kProfile));
  EXPECT_TRUE(Arn("*", "*"));
  EXPECT_FALSE(Arn("arn:aws:bedrock:us-*", kProfile));
  EXPECT_FALSE(Arn("arn:aws:bedrock:eu-central-1:123456789012", kProfile));
  EXPECT_FALSE(Arn("arn:aws:bedrock:eu-central-1:*", "arn:aws:bedrock:eu-central-1"));
}

TEST(SplitArnPatternTest, MarksComponentsWithoutWildcards) {
  ArnComponents c = SplitArnPattern(PatternView{"arn:aws:bedrock:*::foundation-model/a?", {}});
  ASSERT_EQ(c.count, 6u);
  EXPECT_EQ(c.plain, 0b010111);  // arn, aws, bedrock and the empty account
  EXPECT_EQ(SplitArn("arn:aws:bedrock:*::x").plain, 0);
  // An escaped '*' (literal mask 1) is plain text.
  Result<PolicyString> escaped = ParsePolicyString("arn:aws:bedrock:r:1:x/${*}", true);
  ASSERT_OK(escaped);
  c = SplitArnPattern(PatternView{escaped->text, escaped->literal});
  EXPECT_EQ(c.plain, 0b111111);
  EXPECT_TRUE(ArnMatch(PatternView{escaped->text, escaped->literal}, c, "arn:aws:bedrock:r:1:x/*"));
  EXPECT_FALSE(
      ArnMatch(PatternView{escaped->text, escaped->literal}, c, "arn:aws:bedrock:r:1:x/y"));
}

// Plain components compare as text; the outcome is the wildcard matcher's.
TEST(SplitArnPatternTest, SameOutcomesAsWithoutTheMarks) {
  const std::string_view patterns[] = {
      kProfile,
      "arn:aws:bedrock:eu-central-1:*",
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
      "arn:aws:bedrock:eu-central-1:123456789012",
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzp",
      "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0:x",
      "*",
      "arn",
  };
  const std::string_view values[] = {kProfile, kModel, "arn:aws:bedrock:eu-central-1",
                                     "*",      "",     "arn:aws:bedrock:eu-central-1:123456789012"};
  for (std::string_view p : patterns) {
    for (std::string_view v : values) {
      const PatternView view{p, {}};
      EXPECT_EQ(ArnMatch(view, SplitArnPattern(view), v), ArnMatch(view, SplitArn(p), v))
          << p << " against " << v;
    }
  }
}

TEST(ArnMatchTest, NonArnValuesMatchOnlyCatchAll) {
  EXPECT_FALSE(Arn(kProfile, "*"));
  EXPECT_FALSE(Arn("arn:aws:bedrock:*:*:*", "not-an-arn"));
}

class ResolveTest : public ::testing::Test {
 protected:
  bool Resolve(std::string_view raw) {
    Result<PolicyString> s = ParsePolicyString(raw, true);
    EXPECT_OK(s);
    return ResolvePolicyString(*s, context_, text_, literal_);
  }
  Context context_;
  std::string text_;
  std::string literal_;
};

TEST_F(ResolveTest, ValuesAreLiteralText) {
  context_.Set("aws:username", "a*b");
  ASSERT_TRUE(Resolve("u/${aws:username}/*"));
  EXPECT_EQ(text_, "u/a*b/*");
  PatternView view{text_, literal_};
  EXPECT_TRUE(WildcardMatch(view, "u/a*b/anything", CaseMode::kSensitive));
  EXPECT_FALSE(WildcardMatch(view, "u/aXb/anything", CaseMode::kSensitive));
}

TEST_F(ResolveTest, FallbackForAbsentOrMultiValuedKeys) {
  EXPECT_FALSE(Resolve("${aws:username}"));
  ASSERT_TRUE(Resolve("${aws:username, 'nobody'}"));
  EXPECT_EQ(text_, "nobody");
  context_.SetList("aws:TagKeys", {"team"});
  EXPECT_FALSE(Resolve("${aws:TagKeys}"));
  ASSERT_TRUE(Resolve("${aws:TagKeys, 'none'}"));
  EXPECT_EQ(text_, "none");
}

TEST_F(ResolveTest, KeysAreCaseInsensitive) {
  context_.Set("AWS:UserName", "alice");
  ASSERT_TRUE(Resolve("${aws:USERNAME}-${aws:username}"));
  EXPECT_EQ(text_, "alice-alice");
}

}  // namespace
}  // namespace bp::auth::iam
