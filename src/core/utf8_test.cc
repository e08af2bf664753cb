#include "core/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace bp {
namespace {

TEST(Utf8Test, ToValidUtf8ReplacesWhatDoesNotStartASequence) {
  EXPECT_EQ(ToValidUtf8("plain"), "plain");
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(ToValidUtf8("a\xFF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(Utf8Test, PrintableTextIsCutAtACharacterBoundaryCleanedAndTrimmed) {
  EXPECT_EQ(PrintableText("  Too many requests\r\n", 100), "Too many requests");
  EXPECT_EQ(PrintableText("a\tb\x01"
                          "c",
                          100),
            "a b c");
  EXPECT_EQ(PrintableText("abcdef", 3), "abc...");
  // "é" is two bytes: a cut inside it backs off to before it.
  EXPECT_EQ(PrintableText("ab\xC3\xA9zz", 3), "ab...");
  EXPECT_EQ(PrintableText("x\xFFy", 100), "x\xEF\xBF\xBDy");
  EXPECT_EQ(PrintableText("   ", 100), "");
  EXPECT_EQ(PrintableText("", 100), "");
}

}  // namespace
}  // namespace bp
