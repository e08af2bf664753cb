#include "guardrails/guardrail.h"

#include <gtest/gtest.h>

namespace bp::guardrails {
namespace {

std::unique_ptr<const Guardrail> Make(Rules input, Rules output = {}) {
  Spec spec{.name = "g",
            .id = "abcdef123456",
            .version = "2",
            .input = std::move(input),
            .output = std::move(output)};
  auto g = Guardrail::Create(std::move(spec));
  EXPECT_TRUE(g.ok()) << g.status().message();
  return std::move(*g);
}

Assessment Check(const Guardrail& g, Source s, std::vector<std::string_view> texts) {
  return g.Evaluate(s, texts);
}

TEST(GuardrailTest, WordsMatchWholeWordsCaseInsensitively) {
  auto g = Make({.words = {"secret", "project x"}});
  EXPECT_TRUE(Check(*g, Source::kInput, {"Tell me the SECRET."}).intervened);
  EXPECT_FALSE(Check(*g, Source::kInput, {"secretary and secrets"}).intervened);
  EXPECT_FALSE(Check(*g, Source::kInput, {"nosecret"}).intervened);
  Assessment a = Check(*g, Source::kInput, {"about", "Project X, please"});
  EXPECT_TRUE(a.intervened);
  EXPECT_EQ(a.words, std::vector<std::string>{"project x"});
  // The output side has no rules.
  EXPECT_FALSE(Check(*g, Source::kOutput, {"secret"}).intervened);
}

TEST(GuardrailTest, NonAsciiLettersAreWordCharacters) {
  auto g = Make({.words = {"bar"}});
  EXPECT_FALSE(Check(*g, Source::kInput,
                     {"\xC3\xA9"
                      "bar"})
                   .intervened);  // ébar
  EXPECT_TRUE(Check(*g, Source::kInput, {"(bar)"}).intervened);
}

TEST(GuardrailTest, PatternsReportTheMatchedText) {
  auto g = Make({}, {.patterns = {"[0-9]{3}-[0-9]{2}-[0-9]{4}", "(?i)token"}});
  Assessment a = Check(*g, Source::kOutput, {"ssn is 123-45-6789 ok"});
  ASSERT_TRUE(a.intervened);
  ASSERT_EQ(a.regexes.size(), 1u);
  EXPECT_EQ(a.regexes[0].regex, "[0-9]{3}-[0-9]{2}-[0-9]{4}");
  EXPECT_EQ(a.regexes[0].match, "123-45-6789");
  EXPECT_EQ(Check(*g, Source::kOutput, {"a TOKEN"}).regexes.at(0).match, "TOKEN");
  EXPECT_FALSE(Check(*g, Source::kOutput, {"nothing here"}).intervened);
}

TEST(GuardrailTest, UnitsCountStartedThousandsOfCharacters) {
  auto g = Make({.words = {"x"}, .patterns = {"y"}});
  std::string long_text(1001, 'a');
  Assessment a = Check(*g, Source::kInput, {long_text});
  EXPECT_EQ(a.characters, 1001);
  EXPECT_EQ(a.word_units, 2);
  EXPECT_EQ(a.regex_units, 2);
  Assessment utf8 = Check(*g, Source::kInput, {"\xC3\xA9\xC3\xA9"});
  EXPECT_EQ(utf8.characters, 2);
  EXPECT_EQ(utf8.word_units, 1);
  // No rules on a side: no units billed for that policy.
  Assessment out = Check(*g, Source::kOutput, {"abc"});
  EXPECT_EQ(out.word_units, 0);
  EXPECT_EQ(out.regex_units, 0);
}

TEST(GuardrailTest, VersionsAndIds) {
  auto g = Make({});
  EXPECT_TRUE(g->HasVersion("DRAFT"));
  EXPECT_TRUE(g->HasVersion("2"));
  EXPECT_FALSE(g->HasVersion("1"));
  EXPECT_TRUE(IsValidVersion("99999999"));
  EXPECT_FALSE(IsValidVersion("100000000"));
  EXPECT_FALSE(IsValidVersion("01"));
  EXPECT_FALSE(IsValidVersion("draft"));
  EXPECT_TRUE(IsValidId("abcdef123456"));
  EXPECT_FALSE(IsValidId("ABCDEF123456"));
  EXPECT_FALSE(IsValidId("abc"));
}

TEST(GuardrailTest, BadPatternsAndIdsAreRefused) {
  EXPECT_TRUE(CheckPattern("a+b").ok());
  Status bad = CheckPattern("(a");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("missing )"), std::string::npos) << bad.message();
  EXPECT_FALSE(CheckPattern("(a)\\1").ok());  // backreferences are not RE2
  EXPECT_FALSE(Guardrail::Create({.id = "short"}).ok());
  EXPECT_FALSE(Guardrail::Create({.id = "abcdef123456", .version = "DRAFT"}).ok());
  EXPECT_FALSE(Guardrail::Create({.id = "abcdef123456", .input = {.patterns = {"[z-a]"}}}).ok());
}

TEST(GuardrailTest, SetFindsById) {
  std::vector<std::unique_ptr<const Guardrail>> list;
  for (const char* id : {"bbbbbbbbbbbb", "aaaaaaaaaaaa"}) {
    auto g = Guardrail::Create({.name = std::string(1, id[0]), .id = id});
    ASSERT_TRUE(g.ok());
    list.push_back(std::move(*g));
  }
  GuardrailSet set(std::move(list));
  ASSERT_NE(set.Find("aaaaaaaaaaaa"), nullptr);
  EXPECT_EQ(set.Find("aaaaaaaaaaaa")->name(), "a");
  EXPECT_EQ(set.Find("bbbbbbbbbbbb")->name(), "b");
  EXPECT_EQ(set.Find("cccccccccccc"), nullptr);
}

}  // namespace
}  // namespace bp::guardrails
