#include "backends/tokenizer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bp::backends {
namespace {

std::vector<std::string> Pieces(std::string_view text, size_t max = 1000) {
  std::vector<uint32_t> ends;
  SplitTokens(text, max, ends);
  std::vector<std::string> out;
  uint32_t begin = 0;
  for (uint32_t end : ends) {
    out.emplace_back(text.substr(begin, end - begin));
    begin = end;
  }
  return out;
}

TEST(TokenizerTest, CountsWordsAndPunctuationButNotWhitespace) {
  EXPECT_EQ(CountTokens(""), 0);
  EXPECT_EQ(CountTokens(" \t\n "), 0);
  EXPECT_EQ(CountTokens("Hello, world!"), 4);
  EXPECT_EQ(CountTokens("a  b\n\nc"), 3);
  EXPECT_EQ(CountTokens("{\"city\":\"Paris\"}"), 9);
}

TEST(TokenizerTest, LongRunsCountCeilOfLengthOverSix) {
  EXPECT_EQ(CountTokens("abcdef"), 1);
  EXPECT_EQ(CountTokens("abcdefg"), 2);
  EXPECT_EQ(CountTokens("abcdefghijkl"), 2);
  EXPECT_EQ(CountTokens("abcdefghijklm"), 3);
  EXPECT_EQ(CountTokens("20251001"), 2);
}

TEST(TokenizerTest, PiecesCarryTheirLeadingWhitespaceAndConcatenateToTheText) {
  const std::string text = "  Hello,  big\nworld!  ";
  const auto pieces = Pieces(text);
  EXPECT_EQ(pieces, (std::vector<std::string>{"  Hello", ",", "  big", "\nworld", "!  "}));
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(static_cast<int64_t>(pieces.size()), CountTokens(text));
}

TEST(TokenizerTest, LongRunsSplitIntoSixByteChunks) {
  EXPECT_EQ(Pieces("abcdefghijklm"), (std::vector<std::string>{"abcdef", "ghijkl", "m"}));
}

TEST(TokenizerTest, NeverSplitsAUtf8Character) {
  const std::string text = "a\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";  // "aéééé", 9 bytes
  const auto pieces = Pieces(text);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], "a\xC3\xA9\xC3\xA9\xC3\xA9");
  EXPECT_EQ(pieces[1], "\xC3\xA9");
  EXPECT_EQ(CountTokens(text), 2);
}

TEST(TokenizerTest, StopsAtMaxPiecesAndSaysSo) {
  std::vector<uint32_t> ends;
  EXPECT_FALSE(SplitTokens("one two three four ", 2, ends));
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends.back(), 7u);  // "one two", trailing text left out
  ends.clear();
  EXPECT_TRUE(SplitTokens("one two ", 2, ends));
  EXPECT_EQ(ends.back(), 8u);  // all fits: trailing whitespace joins the last piece
  ends.clear();
  EXPECT_TRUE(SplitTokens("   ", 2, ends));
  EXPECT_TRUE(ends.empty());
}

}  // namespace
}  // namespace bp::backends
